"""Volumes and rates: how many incidents, of what kind, per 1,000 residents (or households).

Recorded crime and anti-social behaviour are kept apart: the "all crime" line excludes ASB, as
a rate that mixes them hides real changes in crime.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from cspkit.analysis.area import Period, ResolvedArea
from cspkit.analysis.coverage import area_coverage
from cspkit.analysis.scope import ALL_CRIME, ASB, Scope, has_table, require_table
from cspkit.errors import AnalysisError

#: police.uk's burglary category: its rate is per 1,000 households, the other rates per 1,000 residents.
BURGLARY = "Burglary"
#: Rates from fewer incidents than this are flagged as unreliable (the ONS convention for small counts).
SMALL_BASE = 10


@dataclass(frozen=True)
class Denominators:
    """Census 2021 residents and households summed over an area's LSOAs."""

    residents: int
    households: int | None


def denominators(con: duckdb.DuckDBPyConnection, area: ResolvedArea) -> Denominators:
    """Residents (and households where every LSOA has a count); an LSOA with no population is an error."""
    require_table(con, "population")
    lsoas = list(area.lsoas)
    missing = [
        r[0]
        for r in con.execute(
            "SELECT code FROM (SELECT unnest(?) AS code) WHERE code NOT IN (SELECT lsoa21_code FROM population) ORDER BY 1",
            [lsoas],
        ).fetchall()
    ]
    if missing:
        shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
        raise AnalysisError(
            f"no population in the warehouse for {len(missing)} of the {len(lsoas)} LSOAs of {area.name} ({shown}); "
            "load the Census 2021 population with 'cspkit ingest geography' so rates are not guessed"
        )
    residents = con.execute("SELECT sum(residents) FROM population WHERE lsoa21_code IN (SELECT unnest(?))", [lsoas]).fetchall()[
        0
    ][0]
    households = None
    if has_table(con, "households"):
        known, total = con.execute(
            "SELECT count(*), sum(households) FROM households WHERE lsoa21_code IN (SELECT unnest(?))", [lsoas]
        ).fetchall()[0]
        households = int(total) if known == len(lsoas) else None
    return Denominators(residents=int(residents), households=households)


def monthly_counts(scope: Scope, period: Period | None = None) -> pl.DataFrame:
    """Incidents by ``crime_type`` and ``month`` (every month of the period, zeros filled in), from the forces
    that published every month of the period (:func:`~cspkit.analysis.coverage.area_coverage`): a force loaded
    for some months only would make those months look worse than the others."""
    period = period or scope.period
    condition, params = scope.where(period)
    counted = scope.con.sql(
        f"SELECT crime_type, month, count(*) AS count FROM {scope.street} WHERE {condition} "
        "AND force IN (SELECT unnest(?)) GROUP BY ALL",
        params=[*params, list(area_coverage(scope, period).counted)],
    ).pl()
    months = pl.DataFrame({"month": period.month_list()}, schema={"month": pl.Date})
    types = counted.select("crime_type").unique()
    grid = types.join(months, how="cross")
    return (
        grid.join(counted.with_columns(pl.col("month").cast(pl.Date)), on=["crime_type", "month"], how="left")
        .with_columns(pl.col("count").fill_null(0).cast(pl.Int64))
        .sort("crime_type", "month")
    )


def with_all_crime(counts: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Add the ``ALL_CRIME`` line (every category but ASB), summed over ``keys``."""
    total = (
        counts.filter(pl.col("crime_type") != ASB)
        .group_by(keys)
        .agg(pl.col("count").sum())
        .with_columns(pl.lit(ALL_CRIME).alias("crime_type"))
        .select(counts.columns)
    )
    return pl.concat([counts, total]).sort(["crime_type", *keys])


def rate_table(counts: pl.DataFrame, denominators: Denominators) -> pl.DataFrame:
    """Counts by ``crime_type`` to rates per 1,000 residents, and per 1,000 households for burglary."""
    per_household = (
        pl.when(pl.col("crime_type") == BURGLARY).then(pl.col("count") / denominators.households * 1000).otherwise(None)
        if denominators.households
        else pl.lit(None, dtype=pl.Float64)
    )
    return counts.select(
        "crime_type",
        "count",
        pl.lit(denominators.residents).alias("residents"),
        (pl.col("count") / denominators.residents * 1000).alias("rate_per_1000_residents"),
        pl.lit(denominators.households, dtype=pl.Int64).alias("households"),
        per_household.alias("rate_per_1000_households"),
        (pl.col("count") < SMALL_BASE).alias("small_base"),
    )


def period_totals(monthly: pl.DataFrame, period: Period) -> pl.DataFrame:
    """Sum a monthly table over one period: ``crime_type``, ``count``."""
    return (
        monthly.filter(pl.col("month").is_between(period.start, period.end))
        .group_by("crime_type")
        .agg(pl.col("count").sum())
        .sort("crime_type")
    )


def yearly_view(monthly: pl.DataFrame, period: Period, denominators: Denominators) -> pl.DataFrame:
    """The 3-year view: counts and rates for each 12-month block ending at the period's end."""
    frames = []
    for year in period.years():
        frames.append(
            rate_table(period_totals(monthly, year), denominators).select(
                pl.lit(year.label()).alias("year"),
                pl.lit(year.start).alias("start"),
                pl.lit(year.end).alias("end"),
                pl.all(),
            )
        )
    return pl.concat(frames).sort("crime_type", "start")
