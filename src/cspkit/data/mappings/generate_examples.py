"""Write the SYNTHETIC example partner files shipped beside the example mappings (fixed seed).

Nothing here is real: people, references, addresses and postcodes are invented. Incidents are
spread over Central Bedfordshire's real LSOA 2021 areas (weighted towards the more deprived, as
recorded incidents are), 2021-05 to 2024-04, with some people appearing several times so repeat
victimisation and repeat locations can be counted. Run from the repo root:

    python -m cspkit.data.mappings.generate_examples
"""

from __future__ import annotations

from datetime import date, timedelta
from importlib import resources
from pathlib import Path

import numpy as np
import polars as pl

from cspkit.data.geography import bundled_boundaries

HERE = Path(__file__).resolve().parent
AREA = "E06000056"
START, END = date(2021, 5, 1), date(2024, 4, 30)
SEED = 20210501


def _reference(name: str) -> pl.DataFrame:
    with resources.as_file(resources.files("cspkit.data") / "reference" / name) as path:
        return pl.read_csv(path, infer_schema=False)


def _area_lsoas() -> pl.DataFrame:
    """Central Bedfordshire's LSOAs with a weight: more incidents where the crime domain is more deprived."""
    lsoa = _reference("lsoa.csv.gz").filter(pl.col("lad_code") == AREA)
    imd = _reference("imd.csv.gz").select("lsoa21_code", pl.col("crime_decile").cast(pl.Int64))
    return lsoa.join(imd, on="lsoa21_code", how="left").with_columns(
        (11 - pl.col("crime_decile").fill_null(5)).cast(pl.Float64).alias("weight"))


def _dates(rng: np.random.Generator, n: int) -> list[date]:
    days = (END - START).days
    # Mild seasonality: more incidents in summer and around Christmas.
    offsets = rng.integers(0, days + 1, size=n * 2)
    months = np.array([(START + timedelta(days=int(d))).month for d in offsets])
    keep = rng.random(n * 2) < np.where(np.isin(months, [6, 7, 8, 12]), 1.0, 0.8)
    return [START + timedelta(days=int(d)) for d in offsets[keep][:n]]


def _people(rng: np.random.Generator, n_incidents: int, n_people: int, prefix: str) -> np.ndarray:
    """Person references with a heavy tail: most appear once, some many times (repeat victims)."""
    weights = 1.0 / np.arange(1, n_people + 1) ** 0.6
    who = rng.choice(n_people, size=n_incidents, p=weights / weights.sum())
    return np.array([f"{prefix}{100000 + i}" for i in who])


def _postcode(rng: np.random.Generator, n: int) -> list[str]:
    outward = ["LU5", "LU6", "LU7", "SG5", "SG17", "SG18", "SG19", "MK17", "MK45", "LU4"]
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return [f"{rng.choice(outward)} {rng.integers(1, 10)}{rng.choice(list(letters))}{rng.choice(list(letters))}"
            for _ in range(n)]


def domestic_abuse(rng: np.random.Generator, lsoas: pl.DataFrame) -> pl.DataFrame:
    n = 2400
    victims = _people(rng, n, 3000, "V")
    home = {v: lsoas["lsoa21_code"][int(i)] for v, i in zip(
        np.unique(victims), rng.choice(lsoas.height, size=len(np.unique(victims)),
                                        p=(lsoas["weight"] / lsoas["weight"].sum()).to_numpy()), strict=True)}
    birth = {v: date(1950, 1, 1) + timedelta(days=int(rng.integers(0, 365 * 55))) for v in home}
    dates = sorted(_dates(rng, n))
    return pl.DataFrame({
        "Incident Ref": [f"DA/{d.year}/{i:05d}" for i, d in enumerate(dates, start=1)],
        "Incident Date": [d.strftime("%d/%m/%Y") for d in dates],
        "Victim Ref": victims,
        "Victim DOB": [birth[v].strftime("%d/%m/%Y") for v in victims],
        "Victim Sex": rng.choice(["Female", "Male"], size=n, p=[0.78, 0.22]),
        "Relationship": rng.choice(["Partner", "Ex-partner", "Family member", "Other"], size=n,
                                   p=[0.45, 0.3, 0.2, 0.05]),
        "DASH Risk": rng.choice(["Standard", "Medium", "High"], size=n, p=[0.55, 0.3, 0.15]),
        "Crime or Incident": rng.choice(["Crime", "Non-crime incident"], size=n, p=[0.7, 0.3]),
        "LSOA": [home[v] for v in victims],
    })


def council_asb(rng: np.random.Generator, lsoas: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    n = 1800
    places = 900
    postcodes = _postcode(rng, places)
    place_lsoa = rng.choice(lsoas.height, size=places, p=(lsoas["weight"] / lsoas["weight"].sum()).to_numpy())
    streets = ["High Street", "Church Road", "Station Road", "The Green", "Mill Lane", "Park View", "Manor Close"]
    addresses = [f"{rng.integers(1, 120)} {rng.choice(streets)}" for _ in range(places)]
    weights = 1.0 / np.arange(1, places + 1) ** 0.8
    where = rng.choice(places, size=n, p=weights / weights.sum())
    dates = sorted(_dates(rng, n))
    reports = pl.DataFrame({
        "Case Number": [f"ASB-{i:06d}" for i in range(1, n + 1)],
        "Date Reported": [d.isoformat() for d in dates],
        "Category": rng.choice(["Noise", "Neighbour dispute", "Youth nuisance", "Drug related", "Vehicle nuisance",
                                "Fly-tipping", "Street drinking"], size=n,
                               p=[0.3, 0.2, 0.18, 0.1, 0.1, 0.08, 0.04]),
        "Address": [addresses[i] for i in where],
        "Postcode": [postcodes[i] for i in where],
        "Closed": rng.choice(["Yes", "No"], size=n, p=[0.85, 0.15]),
    })
    # A handful of postcodes the directory does not know (typos), as real extracts have.
    typo = rng.choice(n, size=12, replace=False)
    reports = reports.with_columns(pl.when(pl.int_range(pl.len()).is_in(typo)).then(pl.lit("LU9 9ZZ"))
                                   .otherwise(pl.col("Postcode")).alias("Postcode"))
    directory = pl.DataFrame({"pcds": postcodes, "lsoa21": [lsoas["lsoa21_code"][int(i)] for i in place_lsoa]}).unique(
        "pcds")
    return reports, directory


def deliberate_fires(rng: np.random.Generator) -> pl.DataFrame:
    import shapely

    shapes = shapely.from_geojson(bundled_boundaries([AREA])["geometry"].to_list())
    n = 700
    chosen = rng.choice(len(shapes), size=n)
    points = [shapely.get_coordinates(shapely.point_on_surface(shapes[i]))[0] for i in chosen]
    dates = sorted(_dates(rng, n))
    return pl.DataFrame({
        "Incident Number": [f"FRS{d.strftime('%y')}{i:05d}" for i, d in enumerate(dates, start=1)],
        "Call Date": dates,
        "Property Type": rng.choice(["Grassland, woodland and crops", "Refuse and rubbish", "Road vehicle",
                                     "Building", "Outdoor structure"], size=n, p=[0.3, 0.35, 0.2, 0.1, 0.05]),
        "Primary or Secondary": rng.choice(["Secondary", "Primary"], size=n, p=[0.7, 0.3]),
        "Latitude": [round(float(p[1]) + rng.normal(0, 0.0003), 6) for p in points],
        "Longitude": [round(float(p[0]) + rng.normal(0, 0.0003), 6) for p in points],
    })


def drug_alcohol_treatment(rng: np.random.Generator, lsoas: pl.DataFrame) -> pl.DataFrame:
    n = 1100
    clients = _people(rng, n, 1400, "C")
    wards = lsoas["ward_name"].unique().sort().to_list()
    ward_of = {c: wards[int(rng.integers(len(wards)))] for c in np.unique(clients)}
    dates = sorted(_dates(rng, n))
    return pl.DataFrame({
        "Client ID": clients,
        "Referral Date": [d.strftime("%d-%b-%Y") for d in dates],
        "Substance": rng.choice(["Opiates", "Non-opiates only", "Alcohol only", "Alcohol and non-opiates"], size=n,
                                p=[0.3, 0.2, 0.35, 0.15]),
        "Age Band": rng.choice(["18-24", "25-34", "35-49", "50-64", "65+"], size=n, p=[0.1, 0.3, 0.4, 0.17, 0.03]),
        "Ward": [ward_of[c] for c in clients],
        "Referral Source": rng.choice(["Self", "GP", "Criminal justice", "Hospital", "Other"], size=n),
        "Days in Treatment": rng.integers(7, 400, size=n),
    })


def main() -> None:
    import openpyxl

    rng = np.random.default_rng(SEED)
    lsoas = _area_lsoas()
    domestic_abuse(rng, lsoas).write_csv(HERE / "domestic_abuse.SYNTHETIC.csv")
    reports, directory = council_asb(rng, lsoas)
    reports.write_csv(HERE / "council_asb.SYNTHETIC.csv")
    directory.sort("pcds").write_csv(HERE / "postcode_directory.SYNTHETIC.csv")
    drug_alcohol_treatment(rng, lsoas).write_csv(HERE / "drug_alcohol_treatment.SYNTHETIC.csv")
    fires = deliberate_fires(rng)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Incidents"
    sheet.append(fires.columns)
    for row in fires.iter_rows():
        sheet.append(list(row))
    notes = book.create_sheet("Notes")
    notes.append(["SYNTHETIC example data made by cspkit generate_examples.py: not real incidents."])
    book.save(HERE / "deliberate_fires.SYNTHETIC.xlsx")


if __name__ == "__main__":
    main()
