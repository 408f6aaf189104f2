"""Force and national context for the headline rates: the area's recorded crime and ASB per 1,000 residents
beside its police force area's and England and Wales's, over the same months.

A rate means little alone: 53 crimes per 1,000 residents is low for a city and high for a rural county.
Each comparison counts only districts whose own force published every month of the period
(:func:`cspkit.analysis.coverage.district_forces`), and says how many that is, so a district whose force
did not publish is never counted as a safe place. At every level only the forces that published every
month are counted (British Transport Police among them only when it did), as the headline counts are, so
the area's row equals its headline figure.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from cspkit.analysis.area import Period, ResolvedArea
from cspkit.analysis.coverage import SPILL_SHARE, complete_forces, district_forces, published_months
from cspkit.analysis.scope import ALL_CRIME, ASB
from cspkit.data.police_files import force_name

CONTEXT_SCHEMA = {
    "level": pl.String,
    "name": pl.String,
    "districts": pl.Int64,
    "residents": pl.Int64,
    "measure": pl.String,
    "count": pl.Int64,
    "rate_per_1000": pl.Float64,
}


def home_force(forces: pl.DataFrame, area: ResolvedArea) -> tuple[str, list[str]] | None:
    """The force that polices most of the area's crime and its force area as police.uk data draw it: the
    districts it polices (``forces`` from coverage.district_forces); None when the area has no rows."""
    own = forces.filter(pl.col("lad_code").is_in(list(area.lad_codes)))
    if own.is_empty():
        return None
    force = own.group_by("force").agg(pl.col("rows").sum()).sort("rows", "force", descending=[True, False])["force"][0]
    polices = (pl.col("force") == force) & (pl.col("rate_share") >= SPILL_SHARE)  # not a few rows over its border
    return force, sorted(forces.filter(polices)["lad_code"].to_list())


def rate_context(con, area: ResolvedArea, period: Period) -> pl.DataFrame:
    """One row per level (the area; its force area; England and Wales) and measure (recorded crime excluding
    ASB; ASB) over ``period``, each level counting only its districts with every month of data. A level with
    no covered district beyond the area's own is left out."""
    forces = district_forces(con, period)
    covered = set(forces.filter(pl.col("covered"))["lad_code"])
    population = _district_population(con)
    levels: list[tuple[str, str, list[str]]] = []
    whole_districts = set(area.codes) <= set(area.lad_codes)  # a ward or LSOA area is not a sum of districts
    if whole_districts and set(area.lad_codes) <= covered:
        levels.append(("area", area.name, list(area.lad_codes)))
    found = home_force(forces, area)
    if found is not None:
        force, districts = found
        in_force = [d for d in districts if d in covered]
        if set(in_force) - set(area.lad_codes):
            levels.append(("force area", _force_name(force, len(in_force), len(districts)), in_force))
    nation = sorted(covered & set(population["lad_code"].to_list()))
    if set(nation) - set(area.lad_codes) - {d for level in levels for d in level[2]}:  # more than the force area
        levels.append(("England and Wales", f"{len(nation)} of {population.height} districts with data", nation))
    complete = sorted(complete_forces(published_months(con), period))
    frames = [_level_rates(con, level, name, districts, period, population, complete) for level, name, districts in levels]
    return pl.concat(frames) if frames else pl.DataFrame(schema=CONTEXT_SCHEMA)


def _force_name(force: str, covered: int, districts: int) -> str:
    name = force_name(force)
    return f"{name} ({covered} districts)" if covered == districts else f"{name} ({covered} of {districts} districts)"


def _district_population(con) -> pl.DataFrame:
    return con.sql(
        "SELECT l.lad_code, sum(p.residents)::BIGINT AS residents FROM population p JOIN lsoa l USING (lsoa21_code) GROUP BY 1"
    ).pl()


def _level_rates(
    con, level: str, name: str, districts: Sequence[str], period: Period, population: pl.DataFrame, forces: Sequence[str]
) -> pl.DataFrame:
    """The level's counts from the forces that published every month (as the headline counts them)."""
    residents = int(population.filter(pl.col("lad_code").is_in(list(districts)))["residents"].sum())
    crime, asb = con.execute(
        """SELECT count(*) FILTER (WHERE crime_type <> ?), count(*) FILTER (WHERE crime_type = ?) FROM street
           WHERE lad_code IN (SELECT unnest(?)) AND month BETWEEN ? AND ? AND force IN (SELECT unnest(?))""",
        [ASB, ASB, list(districts), period.start, period.end, list(forces)],
    ).fetchall()[0]
    return pl.DataFrame(
        {
            "level": [level, level],
            "name": [name, name],
            "districts": [len(districts)] * 2,
            "residents": [residents] * 2,
            "measure": [ALL_CRIME, ASB],
            "count": [crime, asb],
            "rate_per_1000": [1000 * crime / residents, 1000 * asb / residents],
        },
        schema=CONTEXT_SCHEMA,
    )
