"""Write a synthetic national police.uk download: the exact published schemas, realistic values.

All 43 forces of England and Wales, ``--months`` months (default 36 from 2021-05), about
``--street-rows`` street rows in all (default 20 million) plus outcomes (about 0.7 per street row)
and stop and search, in the ``YYYY-MM/YYYY-MM-<force>-<kind>.csv`` folder layout. LSOAs, centroids
and districts come from the bundled reference tables; force sizes, crime types, outcome labels,
anti-social behaviour with no Crime ID, rows with no location, 2011 LSOA codes in the first year and
stop-and-search rows dated in the previous month follow the real files. Fully vectorised (NumPy and
Polars), seeded, so a run is reproducible.

    python benchmarks/generate_national.py OUT_DIR [--street-rows 20000000] [--months 36]
"""

from __future__ import annotations

import argparse
import time
from datetime import date
from importlib import resources
from pathlib import Path

import numpy as np
import polars as pl

FORCES = [
    "avon-and-somerset", "bedfordshire", "btp", "cambridgeshire", "cheshire", "city-of-london", "cleveland",
    "cumbria", "derbyshire", "devon-and-cornwall", "dorset", "durham", "dyfed-powys", "essex", "gloucestershire",
    "greater-manchester", "gwent", "hampshire", "hertfordshire", "humberside", "kent", "lancashire",
    "leicestershire", "lincolnshire", "merseyside", "metropolitan", "norfolk", "north-wales", "north-yorkshire",
    "northamptonshire", "northumbria", "nottinghamshire", "south-wales", "south-yorkshire", "staffordshire",
    "suffolk", "surrey", "sussex", "thames-valley", "warwickshire", "west-mercia", "west-midlands",
    "west-yorkshire",
]
CRIME_TYPES = {
    "Violence and sexual offences": 0.32, "Anti-social behaviour": 0.19, "Public order": 0.08,
    "Vehicle crime": 0.08, "Other theft": 0.075, "Criminal damage and arson": 0.073, "Shoplifting": 0.064,
    "Burglary": 0.042, "Drugs": 0.029, "Other crime": 0.018, "Bicycle theft": 0.011, "Robbery": 0.009,
    "Possession of weapons": 0.009, "Theft from the person": 0.008,
}
LAST_OUTCOMES = [
    "Investigation complete; no suspect identified", "Unable to prosecute suspect", "Under investigation",
    "Awaiting court outcome", "Court result unavailable", "Local resolution", "Offender given a caution",
    "Status update unavailable", "Further investigation is not in the public interest",
    "Formal action is not in the public interest", "Action to be taken by another organisation",
]
OUTCOME_TYPES = [*LAST_OUTCOMES, "Suspect charged", "Offender sent to prison", "Offender fined",
                 "Defendant found not guilty", "Offender given community sentence"]
STREETS = ["High Street", "Station Road", "Church Lane", "Park Road", "London Road", "Victoria Road", "Green Lane",
           "Manor Road", "Church Street", "Park Avenue", "Shopping Area", "Supermarket", "Parking Area",
           "Petrol Station", "Sports/Recreation Area", "Nightclub", "Hospital", "Conference/Exhibition Centre"]
SEARCH_OBJECTS = ["Controlled drugs", "Offensive weapons", "Stolen goods", "Article for use in theft",
                  "Evidence of offences under the Act", "Firearms"]
SEARCH_OUTCOMES = ["A no further action disposal", "Arrest", "Community resolution", "Summons / charged by post",
                   "Khat or Cannabis warning", "Penalty Notice for Disorder", "Caution (simple or conditional)"]
ETHNICITIES = ["White - English/Welsh/Scottish/Northern Irish/British", "Black/African/Caribbean/Black British - "
               "African", "Asian/Asian British - Pakistani", "Mixed/Multiple ethnic groups - Any other Mixed/Multiple "
               "ethnic background", "Other ethnic group - Not stated", None]
STREET_HEADER = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location", "LSOA code",
                 "LSOA name", "Crime type", "Last outcome category", "Context"]
OUTCOME_HEADER = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
                  "LSOA code", "LSOA name", "Outcome type"]
SEARCH_HEADER = ["Type", "Date", "Part of a policing operation", "Policing operation", "Latitude", "Longitude",
                 "Gender", "Age range", "Self-defined ethnicity", "Officer-defined ethnicity", "Legislation",
                 "Object of search", "Outcome", "Outcome linked to object of search",
                 "Removal of more than just outer clothing"]


def _reference(name: str) -> pl.DataFrame:
    with resources.as_file(resources.files("cspkit.data") / "reference" / name) as path:
        return pl.read_csv(path)


def _force_areas(rng: np.random.Generator) -> tuple[pl.DataFrame, np.ndarray]:
    """Each LSOA (England and Wales) assigned to a force by district; force shares of all crime."""
    lsoa = _reference("lsoa.csv.gz").sort("lad_code", "lsoa21_code")
    lads = lsoa["lad_code"].unique(maintain_order=True).to_list()
    # Contiguous runs of districts by code make one force each (the real forces are unequal in size).
    cuts = np.sort(rng.choice(np.arange(1, len(lads)), size=len(FORCES) - 1, replace=False))
    force_of_lad = np.searchsorted(cuts, np.arange(len(lads)), side="right")
    lad_force = pl.DataFrame({"lad_code": lads, "force": np.array(FORCES)[force_of_lad]})
    lsoa = lsoa.join(lad_force, on="lad_code")
    # 2011 parents for the first year's files: police.uk used 2011 codes before the 2021 boundaries.
    lookup = _reference("lsoa11_lsoa21.csv.gz").filter(pl.col("change_code").is_in(["U", "S", "M"]))
    parent = lookup.group_by("lsoa21_code").agg(pl.col("lsoa11_code").first())
    lsoa = lsoa.join(parent, on="lsoa21_code", how="left").with_columns(
        pl.coalesce("lsoa11_code", "lsoa21_code").alias("lsoa11_code"))
    weights = lsoa.group_by("force").len().sort("force")
    return lsoa, weights


def _hex_ids(rng: np.random.Generator, n: int) -> pl.Series:
    raw = rng.integers(0, 256, size=(n, 32), dtype=np.uint8)
    return pl.Series(raw.view("S32").ravel()).bin.encode("hex")


def _pick(rng: np.random.Generator, values: list, n: int, p: list[float] | None = None) -> pl.Series:
    index = rng.choice(len(values), size=n, p=p)
    return pl.Series(values, dtype=pl.String).gather(index)


def _month_frame(rng, lsoa: pl.DataFrame, month: date, n: int, old_codes: bool) -> pl.DataFrame:
    """The street rows of all forces for one month."""
    rows = lsoa.sample(n, with_replacement=True, seed=int(rng.integers(2**31)))
    types = _pick(rng, list(CRIME_TYPES), n, list(np.array(list(CRIME_TYPES.values())) / sum(CRIME_TYPES.values())))
    asb = types == "Anti-social behaviour"
    no_location = rng.random(n) < 0.04
    jitter = rng.normal(0, 0.004, size=(n, 2))
    code = rows["lsoa11_code"] if old_codes else rows["lsoa21_code"]
    name = rows["lsoa21_name"]
    frame = pl.DataFrame({
        "Crime ID": _hex_ids(rng, n),
        "Month": month.strftime("%Y-%m"),
        "force": rows["force"],
        "Longitude": (rows["longitude"].to_numpy() + jitter[:, 0]).round(6),
        "Latitude": (rows["latitude"].to_numpy() + jitter[:, 1]).round(6),
        "Location": "On or near " + _pick(rng, STREETS, n),
        "LSOA code": code,
        "LSOA name": name,
        "Crime type": types,
        "Last outcome category": _pick(rng, LAST_OUTCOMES, n),
        "Context": pl.Series([None] * n, dtype=pl.String),
    })
    blank = pl.lit(None, pl.String)
    return frame.with_columns(
        pl.when(pl.Series(asb)).then(blank).otherwise(pl.col("Crime ID")).alias("Crime ID"),
        pl.when(pl.Series(asb)).then(blank).otherwise(pl.col("Last outcome category")).alias("Last outcome category"),
        *[pl.when(pl.Series(no_location)).then(blank).otherwise(pl.col(c).cast(pl.String)).alias(c)
          for c in ("Longitude", "Latitude", "LSOA code", "LSOA name")],
        pl.when(pl.Series(no_location)).then(pl.lit("No location")).otherwise(pl.col("Location")).alias("Location"),
    )


def _force_name(slug: str) -> str:
    return slug.replace("-", " ").title().replace(" And ", " and ").replace(" Of ", " of ") + " Police"


def _write(frame: pl.DataFrame, path: Path, header: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.select(header).write_csv(path, null_value="")


def generate(out: Path, street_rows: int = 20_000_000, months: int = 36, seed: int = 20240401) -> dict[str, int]:
    """Write the archive; returns rows written per kind."""
    rng = np.random.default_rng(seed)
    lsoa, _ = _force_areas(rng)
    per_month = street_rows // months
    counts = {"street": 0, "outcomes": 0, "stop-and-search": 0}
    for m in range(months):
        year, month0 = divmod(4 + m, 12)
        month = date(2021 + year, month0 + 1, 1)
        tag = month.strftime("%Y-%m")
        n = int(per_month * rng.uniform(0.9, 1.1))
        street = _month_frame(rng, lsoa, month, n, old_codes=m < 12)
        # Outcomes: events for this and earlier crimes (modelled as a sample of this month's crime rows).
        crimes = street.filter(pl.col("Crime ID").is_not_null())
        outcomes = crimes.sample(int(0.7 * n), with_replacement=True, seed=int(rng.integers(2**31))).with_columns(
            _pick(rng, OUTCOME_TYPES, int(0.7 * n)).alias("Outcome type"))
        searches = _searches(rng, lsoa, month, max(1, n // 45))
        for slug, part in street.with_columns(pl.col("force").alias("_f")).partition_by("_f", as_dict=True).items():
            force = slug[0]
            named = part.with_columns(pl.lit(_force_name(force)).alias("Reported by"),
                                      pl.lit(_force_name(force)).alias("Falls within"))
            _write(named, out / tag / f"{tag}-{force}-street.csv", STREET_HEADER)
            counts["street"] += part.height
        for slug, part in outcomes.partition_by("force", as_dict=True).items():
            force = slug[0]
            named = part.with_columns(pl.lit(_force_name(force)).alias("Reported by"),
                                      pl.lit(_force_name(force)).alias("Falls within"))
            _write(named, out / tag / f"{tag}-{force}-outcomes.csv", OUTCOME_HEADER)
            counts["outcomes"] += part.height
        for slug, part in searches.partition_by("force", as_dict=True).items():
            _write(part, out / tag / f"{tag}-{slug[0]}-stop-and-search.csv", SEARCH_HEADER)
            counts["stop-and-search"] += part.height
    return counts


def _searches(rng, lsoa: pl.DataFrame, month: date, n: int) -> pl.DataFrame:
    rows = lsoa.sample(n, with_replacement=True, seed=int(rng.integers(2**31)))
    # About 5% dated in the last days of the previous month, as in the real files.
    day = rng.integers(1, 28, size=n)
    hour, minute = rng.integers(0, 24, size=n), rng.integers(0, 60, size=n)
    previous = rng.random(n) < 0.05
    prev = date(month.year - 1, 12, 1) if month.month == 1 else date(month.year, month.month - 1, 1)
    stamps = [
        f"{(prev if p else month).strftime('%Y-%m')}-{(28 if p else d):02d}T{h:02d}:{mi:02d}:00+00:00"
        for p, d, h, mi in zip(previous, day, hour, minute, strict=True)
    ]
    no_location = rng.random(n) < 0.2
    blank = pl.lit(None, pl.String)
    return pl.DataFrame({
        "Type": _pick(rng, ["Person search", "Person and Vehicle search", "Vehicle search"], n, [0.8, 0.17, 0.03]),
        "Date": stamps, "Part of a policing operation": _pick(rng, ["False", "True", None], n, [0.85, 0.05, 0.1]),
        "Policing operation": pl.Series([None] * n, dtype=pl.String),
        "Latitude": rows["latitude"].cast(pl.String), "Longitude": rows["longitude"].cast(pl.String),
        "Gender": _pick(rng, ["Male", "Female", None], n, [0.88, 0.1, 0.02]),
        "Age range": _pick(rng, ["10-17", "18-24", "25-34", "over 34", None], n, [0.15, 0.3, 0.3, 0.2, 0.05]),
        "Self-defined ethnicity": _pick(rng, ETHNICITIES, n),
        "Officer-defined ethnicity": _pick(rng, ["White", "Black", "Asian", "Other", None], n,
                                           [0.6, 0.15, 0.15, 0.05, 0.05]),
        "Legislation": _pick(rng, ["Misuse of Drugs Act 1971 (section 23)", "Police and Criminal Evidence Act 1984 "
                                   "(section 1)", "Criminal Justice and Public Order Act 1994 (section 60)"], n,
                             [0.6, 0.35, 0.05]),
        "Object of search": _pick(rng, SEARCH_OBJECTS, n),
        "Outcome": _pick(rng, SEARCH_OUTCOMES, n, [0.7, 0.12, 0.08, 0.03, 0.03, 0.02, 0.02]),
        "Outcome linked to object of search": _pick(rng, ["False", "True", None], n, [0.4, 0.2, 0.4]),
        "Removal of more than just outer clothing": _pick(rng, ["False", "True", None], n, [0.8, 0.02, 0.18]),
        "force": rows["force"],
    }).with_columns(
        *[pl.when(pl.Series(no_location)).then(blank).otherwise(pl.col(c)).alias(c) for c in ("Latitude", "Longitude")]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--street-rows", type=int, default=20_000_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--seed", type=int, default=20240401)
    args = parser.parse_args()
    started = time.perf_counter()
    counts = generate(args.out, args.street_rows, args.months, args.seed)
    print(f"wrote {counts} to {args.out} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
