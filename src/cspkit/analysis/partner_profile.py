"""Who partner data are about: the people and cases behind a partner source, year on year.

Police.uk holds no victims, offenders or treatment clients; partner data do (domestic abuse victims
by sex and relationship, treatment clients by substance and age). An assessment describes them, with
small counts protected, from whatever descriptive columns the source's mapping brought in: nothing
here knows one source's column names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from cspkit.analysis.area import Period
from cspkit.analysis.scope import Scope, has_table
from cspkit.data.schema import PARTNER_STANDARD_COLUMNS, partner_table
from cspkit.provenance import Provenance

#: A text column with more distinct values than this (a reference number, a free-text note) is not a profile.
MAX_GROUPS = 12


@dataclass(frozen=True)
class PartnerProfile:
    """One partner source in the area: records and people in the latest 12 months (and the 12 before, when
    the period has them), and a breakdown by each descriptive column.

    ``breakdowns``: column -> frame of value, previous_12 (when present), latest_12, latest_pct.
    ``medians``: whole-number column -> its median over the latest 12 months.
    """

    source: str
    title: str
    latest: Period
    previous: Period | None
    records: int
    records_previous: int | None
    people: int | None
    repeat_people: int | None
    breakdowns: dict[str, pl.DataFrame] = field(default_factory=dict)
    medians: dict[str, float] = field(default_factory=dict)
    provenance: Provenance | None = None


def partner_profile(scope: Scope, source: str, title: str = "") -> PartnerProfile | None:
    """The profile of ``source`` in the scope's area, or None when the warehouse holds none of its rows there."""
    table = partner_table(source)
    if not has_table(scope.con, table):
        return None
    latest = scope.period.latest_year()
    previous = scope.period.previous_12() if scope.period.months >= 24 else None
    now, now_params = _where(scope, latest)
    records = _count(scope, table, now, now_params)
    if not records:
        return None
    columns = dict(scope.con.execute(f'SELECT column_name, column_type FROM (DESCRIBE "{table}")').fetchall())
    descriptive = [c for c, t in columns.items()
                   if c not in PARTNER_STANDARD_COLUMNS and t == "VARCHAR" and not c.endswith("_code")]  # not places
    whole_numbers = [c for c, t in columns.items() if c not in PARTNER_STANDARD_COLUMNS and t in ("INTEGER", "BIGINT")]
    before, before_params = _where(scope, previous) if previous else ("FALSE", [])
    people = repeat = None
    if "person_key" in columns:
        people, repeat = scope.con.execute(
            f'SELECT count(*), count(*) FILTER (WHERE n > 1) FROM (SELECT person_key, count(*) AS n FROM "{table}" '
            f"WHERE {now} AND person_key IS NOT NULL GROUP BY 1)",
            now_params,
        ).fetchall()[0]
    breakdowns = {}
    for column in descriptive:
        frame = scope.con.sql(
            f"""SELECT coalesce("{column}", 'Not recorded') AS value,
                       count(*) FILTER (WHERE {before}) AS previous_12, count(*) FILTER (WHERE {now}) AS latest_12
                FROM "{table}" WHERE ({before}) OR ({now}) GROUP BY 1 ORDER BY latest_12 DESC, value""",
            params=[*before_params, *now_params, *before_params, *now_params],
        ).pl()
        if 1 < frame.height <= MAX_GROUPS:
            frame = frame.with_columns((100 * pl.col("latest_12") / pl.col("latest_12").sum()).alias("latest_pct"))
            breakdowns[column] = frame if previous else frame.drop("previous_12")
    medians = {
        column: value
        for column in whole_numbers
        if (value := scope.con.execute(f'SELECT median("{column}") FROM "{table}" WHERE {now}', now_params).fetchall()[0][0])
        is not None
    }
    return PartnerProfile(
        source=source,
        title=title or source.replace("_", " ").capitalize(),
        latest=latest,
        previous=previous,
        records=records,
        records_previous=_count(scope, table, before, before_params) if previous else None,
        people=people,
        repeat_people=repeat,
        breakdowns=breakdowns,
        medians=medians,
        provenance=scope.provenance(f"partner data ({source}): records by descriptive column", table, latest),
    )


def _where(scope: Scope, period: Period) -> tuple[str, list]:
    """The scope's LSOAs and months; for an area of whole districts, also the rows a partner could place in the
    district only (a ward-level source, a missing LSOA), which belong to the partnership's area all the same."""
    condition, params = scope.where(period)
    if not set(scope.area.codes) <= set(scope.area.lad_codes):
        return condition, params
    return (
        "(lsoa21_code IN (SELECT unnest(?)) OR (lsoa21_code IS NULL AND lad_code IN (SELECT unnest(?)))) "
        "AND month BETWEEN ? AND ?",
        [list(scope.area.lsoas), list(scope.area.lad_codes), period.start, period.end],
    )


def _count(scope: Scope, table: str, condition: str, params: list) -> int:
    return scope.con.execute(f'SELECT count(*) FROM "{table}" WHERE {condition}', params).fetchall()[0][0]
