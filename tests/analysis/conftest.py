"""Synthetic warehouses whose every count is chosen here, so results can be worked out by hand.

Geography: district E06000001 ("Alpha") has six LSOAs on a 3 x 2 grid of unit squares (wards
W1: A1-A3, W2: A4-A6); district E06000002 ("Beta") has two LSOAs further east. Each LSOA has
1,000 residents (600 aged 16-64, 400 other) and 400 households.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from cspkit.data import warehouse
from cspkit.data.geography import refresh_contiguity

ALPHA, BETA = "E06000001", "E06000002"
ALPHA_LSOAS = [f"E0100000{i}" for i in range(1, 7)]
BETA_LSOAS = ["E01000007", "E01000008"]


def square(x: float, y: float) -> str:
    ring = [[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def grid_geography() -> list[tuple]:
    """(lsoa, ward_code, ward_name, lad, lad_name, x, y) for the eight LSOAs."""
    rows = []
    for i, code in enumerate(ALPHA_LSOAS):
        ward = ("E05000001", "W1") if i < 3 else ("E05000002", "W2")
        rows.append((code, *ward, ALPHA, "Alpha", i % 3, i // 3))
    for i, code in enumerate(BETA_LSOAS):
        rows.append((code, "E05000003", "W3", BETA, "Beta", 10 + i, 0))
    return rows


def months(start: date, count: int) -> list[date]:
    out = []
    for i in range(count):
        index = start.year * 12 + start.month - 1 + i
        out.append(date(index // 12, index % 12 + 1, 1))
    return out


def write_geography(con, geography: Iterable[tuple], residents: int = 1000, households: int | None = 400) -> None:
    geography = list(geography)
    for code, ward_code, ward_name, lad, lad_name, x, y in geography:
        con.execute(
            "INSERT INTO lsoa VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [code, f"{lad_name} {code[-3:]}", ward_code, ward_name, lad, lad_name, y + 0.5, x + 0.5],
        )
        con.execute(
            "INSERT INTO population VALUES (?, '16 to 64', ?), (?, 'other', ?)",
            [code, residents * 6 // 10, code, residents - residents * 6 // 10],
        )
        if households is not None:
            con.execute("INSERT INTO households VALUES (?, ?)", [code, households])
        con.execute("INSERT INTO lsoa_boundary VALUES (?, ?)", [code, square(x, y)])
        con.execute("INSERT INTO imd (lsoa21_code, imd_score) VALUES (?, ?)", [code, 20.0])
    refresh_contiguity(con, [row[0] for row in geography])


def street_row(
    month: date, lsoa: str, lad: str, crime_type: str, n: int, location: str | None = None, outcome: str | None = None
) -> dict:
    return {
        "month": month,
        "lsoa": lsoa,
        "lad": lad,
        "crime_type": crime_type,
        "n": n,
        "location": location or f"On or near {lsoa} Street",
        "outcome": outcome,
    }


def write_street(con, rows: Iterable[dict]) -> None:
    """Each dict expands to ``n`` identical incidents (crime IDs made unique)."""
    records = []
    for row in rows:
        for _ in range(row["n"]):
            k = len(records)
            crime_id = None if row["crime_type"] == "Anti-social behaviour" else f"c{k}"
            records.append(
                (
                    f"{row['month']:%Y-%m}-test-street.csv",
                    k + 1,
                    row.get("force", "test"),
                    crime_id,
                    row["month"],
                    0.5,
                    0.5,
                    row["location"],
                    row["lsoa"],
                    row["crime_type"],
                    row["outcome"],
                    row["lsoa"],
                    row["lad"],
                )
            )
    columns = [
        "source_file",
        "source_row",
        "force",
        "crime_id",
        "month",
        "longitude",
        "latitude",
        "location",
        "lsoa_code",
        "crime_type",
        "last_outcome_category",
        "lsoa21_code",
        "lad_code",
    ]
    frame = pl.DataFrame(records, schema=columns, orient="row")  # noqa: F841 -- read by DuckDB below
    con.execute("INSERT INTO street BY NAME SELECT * FROM frame")


@pytest.fixture
def build_warehouse(tmp_path: Path) -> Callable[..., Path]:
    """Factory: a warehouse with the grid geography and the street rows given."""

    def build(
        street: Iterable[dict], name: str = "w.duckdb", households: int | None = 400, extra: Callable | None = None
    ) -> Path:
        path = tmp_path / name
        with warehouse.write(path) as con:
            write_geography(con, grid_geography(), households=households)
            write_street(con, street)
            if extra:
                extra(con)
        return path

    return build


@pytest.fixture
def steady_warehouse(build_warehouse) -> Path:
    """36 months (2021-01 to 2023-12) for every LSOA of both districts.

    Per Alpha LSOA and month: Burglary 2 in 2021, 3 in 2022, 4 in 2023; Shoplifting 1; ASB 5. A1 has
    10 extra Robbery a month (a hot spot). Beta LSOAs: Burglary 1 a month.
    """
    rows = []
    for month in months(date(2021, 1, 1), 36):
        burglary = {2021: 2, 2022: 3, 2023: 4}[month.year]
        for code in ALPHA_LSOAS:
            rows.append(street_row(month, code, ALPHA, "Burglary", burglary, outcome="Under investigation"))
            rows.append(street_row(month, code, ALPHA, "Shoplifting", 1, outcome="Unable to prosecute suspect"))
            rows.append(street_row(month, code, ALPHA, "Anti-social behaviour", 5))
        rows.append(street_row(month, ALPHA_LSOAS[0], ALPHA, "Robbery", 10, location="On or near High Street"))
        for code in BETA_LSOAS:
            rows.append(street_row(month, code, BETA, "Burglary", 1))
    return build_warehouse(rows)


def independent_peers(con, area_lad: str, k: int, exclude: Iterable[str] = ()) -> tuple[list[str], np.ndarray]:
    """The k nearest districts to one district, computed apart from cspkit (pandas and scikit-learn) on
    the documented profile: log residents, age-band shares, residents-weighted IMD score and log
    density (residents over the sum of each LSOA's nearest-centroid disc). Candidates are the other
    districts with street rows in the warehouse, but those in ``exclude`` (e.g. whose force is missing)."""
    import pandas as pd
    from sklearn.neighbors import NearestNeighbors
    from sklearn.preprocessing import StandardScaler

    population = con.execute("SELECT p.*, l.lad_code FROM population p JOIN lsoa l USING (lsoa21_code)").df()
    imd = con.execute("SELECT lsoa21_code, imd_score FROM imd").df()
    centroids = con.execute("SELECT lad_code, latitude, longitude FROM lsoa WHERE lad_code IS NOT NULL").df()
    with_data = {r[0] for r in con.execute("SELECT DISTINCT lad_code FROM street WHERE lad_code IS NOT NULL").fetchall()}
    wide = population.pivot_table(index="lad_code", columns="age_band", values="residents", aggfunc="sum")
    profile = pd.DataFrame({"residents": wide.sum(axis=1)})
    for band in wide.columns:
        profile[f"share {band}"] = wide[band] / profile["residents"]
    per_lsoa = population.groupby(["lsoa21_code", "lad_code"], as_index=False)["residents"].sum().merge(imd, on="lsoa21_code")
    per_lsoa["weighted"] = per_lsoa["imd_score"] * per_lsoa["residents"]
    sums = per_lsoa.groupby("lad_code")[["weighted", "residents"]].sum()
    profile["imd_score"] = sums["weighted"] / sums["residents"]
    lat, lon = np.radians(centroids["latitude"].to_numpy()), np.radians(centroids["longitude"].to_numpy())
    xy = np.column_stack([lon * np.cos(lat), lat]) * 6371.0
    spacing, _ = NearestNeighbors(n_neighbors=2).fit(xy).kneighbors(xy)
    centroids["disc"] = np.pi * spacing[:, 1] ** 2
    profile["log_density"] = np.log(profile["residents"] / centroids.groupby("lad_code")["disc"].sum())
    profile["log_residents"] = np.log(profile["residents"])
    features = ["log_residents", *[c for c in profile.columns if c.startswith("share ")], "imd_score", "log_density"]
    candidates = profile[profile.index.isin(with_data - {area_lad} - set(exclude))].dropna(subset=features)
    scaler = StandardScaler().fit(candidates[features])
    search = NearestNeighbors(n_neighbors=k).fit(scaler.transform(candidates[features]))
    distances, index = search.kneighbors(scaler.transform(profile.loc[[area_lad], features]))
    return list(candidates.index[index[0]]), distances[0]
