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


def concentration_table(scope: Scope, crime_type: str | None = None) -> pl.DataFrame:
    """Top-5% and top-10% shares and the Gini coefficient over LSOAs and over street locations
    (the street-location row is left out when no incident of the kind has a location)."""
    rows = []
    for unit, counts in (("LSOA", lsoa_counts(scope, crime_type)), ("street location", location_counts(scope, crime_type))):
        values = counts["count"].to_numpy()
        if not len(values) or values.sum() == 0:
            if unit == "LSOA":
                raise AnalysisError(f"no incidents of {crime_type or 'crime'} in {scope.area.name} in {scope.period.label()}")
            continue
        row = {"unit": unit, "units": len(values), "incidents": int(values.sum())}
        for fraction in TOP_FRACTIONS:
            label = f"top_{round(fraction * 100)}pct"
            row[f"{label}_units"] = max(1, math.ceil(fraction * len(values)))
            row[f"{label}_share"] = top_share(values, fraction)
        row["gini"] = gini(values)
        rows.append(row)
    return pl.DataFrame(rows).select(pl.lit(crime_type or ALL_CRIME).alias("crime_type"), pl.all())
