"""Concentration: how much of the problem sits in a few places.

Shares and the Gini coefficient count every LSOA of the area, including those with no incidents
(leaving them out would understate concentration). Street locations can only be counted where
something happened, so their figures describe locations with at least one incident.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import polars as pl

from cspkit.analysis.scope import ALL_CRIME, ASB, Scope
from cspkit.errors import AnalysisError

TOP_FRACTIONS = (0.05, 0.10)


def top_share(values: Sequence[float], fraction: float) -> float:
    """Share of the total in the top ``fraction`` of units (at least one unit, rounded up)."""
    x = np.sort(np.asarray(values, dtype=float))[::-1]
    if not len(x) or x.sum() <= 0:
        raise AnalysisError("no incidents to measure concentration over")
    top = max(1, math.ceil(fraction * len(x)))
    return float(x[:top].sum() / x.sum())


def gini(values: Sequence[float]) -> float:
    """Gini coefficient: 0 when every unit has the same count, near 1 when one unit has them all."""
    x = np.sort(np.asarray(values, dtype=float))
    if not len(x) or x.sum() <= 0:
        raise AnalysisError("no incidents to measure concentration over")
    n = len(x)
    ranks = np.arange(1, n + 1)
    return float(2 * (ranks * x).sum() / (n * x.sum()) - (n + 1) / n)


def lsoa_counts(scope: Scope, crime_type: str | None = None) -> pl.DataFrame:
    """``lsoa21_code``, ``count`` for every LSOA of the area (zeros included)."""
    condition, params = scope.where()
    filter_sql, extra = _crime_filter(crime_type)
    counted = scope.con.sql(
        f"SELECT lsoa21_code, count(*) AS count FROM {scope.street} WHERE {condition} {filter_sql} GROUP BY 1",
        params=params + extra,
    ).pl()
    every = pl.DataFrame({"lsoa21_code": list(scope.area.lsoas)}, schema={"lsoa21_code": pl.String})
    return (
        every.join(counted, on="lsoa21_code", how="left")
        .with_columns(pl.col("count").fill_null(0).cast(pl.Int64))
        .sort("lsoa21_code")
    )


def location_counts(scope: Scope, crime_type: str | None = None) -> pl.DataFrame:
    """``location``, ``longitude``, ``latitude``, ``lsoa21_code``, ``count`` for each street location
    with an incident (a location is the police.uk location text and its coordinates together)."""
    condition, params = scope.where()
    filter_sql, extra = _crime_filter(crime_type)
    return scope.con.sql(
        f"""SELECT location, longitude, latitude, any_value(lsoa21_code) AS lsoa21_code, count(*) AS count
            FROM {scope.street} WHERE {condition} {filter_sql} AND location IS NOT NULL AND longitude IS NOT NULL
            GROUP BY location, longitude, latitude ORDER BY count DESC, location""",
        params=params + extra,
    ).pl()


def _crime_filter(crime_type: str | None) -> tuple[str, list]:
    """One category, or all crime (ASB excluded) when none is named."""
    if crime_type is None:
        return "AND crime_type <> ?", [ASB]
    return "AND crime_type = ?", [crime_type]


def _measures(label: str, by_lsoa: np.ndarray, by_location: np.ndarray) -> list[dict]:
    """The concentration rows of one category from its LSOA counts (zeros included) and location counts."""
    if not len(by_lsoa) or by_lsoa.sum() == 0:
        raise AnalysisError(f"no incidents of {label} to measure concentration over")
    rows = []
    for unit, values in (("LSOA", by_lsoa), ("street location", by_location)):
        if not len(values) or values.sum() == 0:
            continue
        row = {"crime_type": label, "unit": unit, "units": len(values), "incidents": int(values.sum())}
        for fraction in TOP_FRACTIONS:
            name = f"top_{round(fraction * 100)}pct"
            row[f"{name}_units"] = max(1, math.ceil(fraction * len(values)))
            row[f"{name}_share"] = top_share(values, fraction)
        row["gini"] = gini(values)
        rows.append(row)
    return rows


def concentration_table(scope: Scope, crime_type: str | None = None) -> pl.DataFrame:
    """Top-5% and top-10% shares and the Gini coefficient over LSOAs and over street locations
    (the street-location row is left out when no incident of the kind has a location)."""
    rows = _measures(
        crime_type or ALL_CRIME,
        lsoa_counts(scope, crime_type)["count"].to_numpy(),
        location_counts(scope, crime_type)["count"].to_numpy(),
    )
    return pl.DataFrame(rows)


def concentration_by_category(scope: Scope) -> pl.DataFrame:
    """:func:`concentration_table` for all crime and then each category (ASB excluded), from two
    grouped queries rather than two per category."""
    condition, params = scope.where()
    by_lsoa = scope.con.sql(
        f"""SELECT crime_type, lsoa21_code, count(*) AS count FROM {scope.street}
            WHERE {condition} AND crime_type <> ? GROUP BY ALL""",
        params=[*params, ASB],
    ).pl()
    by_location = scope.con.sql(
        f"""SELECT crime_type, location, longitude, latitude, count(*) AS count FROM {scope.street}
            WHERE {condition} AND crime_type <> ? AND location IS NOT NULL AND longitude IS NOT NULL GROUP BY ALL""",
        params=[*params, ASB],
    ).pl()
    lsoas = len(scope.area.lsoas)

    def padded(counts: pl.Series) -> np.ndarray:
        return np.concatenate([counts.to_numpy(), np.zeros(lsoas - len(counts), dtype=np.int64)])

    rows = _measures(
        ALL_CRIME,
        padded(by_lsoa.group_by("lsoa21_code").agg(pl.col("count").sum())["count"]),
        by_location.group_by("location", "longitude", "latitude").agg(pl.col("count").sum())["count"].to_numpy(),
    )
    for crime_type in sorted(set(by_lsoa["crime_type"])):
        rows += _measures(
            crime_type,
            padded(by_lsoa.filter(pl.col("crime_type") == crime_type)["count"]),
            by_location.filter(pl.col("crime_type") == crime_type)["count"].to_numpy(),
        )
    return pl.DataFrame(rows)
