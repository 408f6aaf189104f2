"""Repeat victimisation (partner data with a pseudonymised person key) and repeat locations.

A repeat victim is a person with two or more incidents in the period no more than
``window_days`` apart (365 by default: "repeat within 12 months"). Only incidents that carry a key
can be counted; incidents without one are reported, not guessed at.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from cspkit.analysis.area import Period
from cspkit.analysis.change import compare_proportions
from cspkit.analysis.concentration import location_counts
from cspkit.analysis.scope import ALL_CRIME, Scope, require_table
from cspkit.analysis.wording import DEFAULT_ALPHA, describe_proportion_change, is_significant
from cspkit.data.schema import partner_table
from cspkit.errors import AnalysisError

REPEAT_WINDOW_DAYS = 365
VICTIMS = "victims who are repeat victims"
INCIDENTS = "incidents involving a repeat victim"
LOCATIONS = "locations that are repeat locations"
LOCATION_INCIDENTS = "incidents at a repeat location"
#: What the two shares are called for each kind of key.
MEASURES = {"person_key": (VICTIMS, INCIDENTS), "location_key": (LOCATIONS, LOCATION_INCIDENTS)}


@dataclass(frozen=True)
class RepeatCounts:
    """Keyed incidents in one period and how many of them (and of their keys) are repeats."""

    keys: int
    repeat_keys: int
    incidents: int
    repeat_incidents: int


def count_repeats(incidents: pl.DataFrame, key: str = "person_key", window_days: int = REPEAT_WINDOW_DAYS) -> RepeatCounts:
    """From rows with ``key`` and ``date``: keys with two incidents within ``window_days`` of each other."""
    keyed = incidents.filter(pl.col(key).is_not_null()).sort(key, "date")
    gaps = keyed.with_columns((pl.col("date").diff().over(key).dt.total_days()).alias("gap"))
    repeat = gaps.group_by(key).agg((pl.col("gap") <= window_days).any().alias("repeat"), pl.len().alias("incidents"))
    repeat_rows = repeat.filter(pl.col("repeat"))
    return RepeatCounts(
        keys=len(repeat),
        repeat_keys=len(repeat_rows),
        incidents=len(keyed),
        repeat_incidents=int(repeat_rows["incidents"].sum()),
    )


def partner_sources(scope: Scope, key: str = "person_key") -> list[str]:
    """Partner sources in the warehouse whose table carries ``key`` with at least one value."""
    tables = [
        r[0]
        for r in scope.con.execute(
            "SELECT table_name FROM information_schema.columns WHERE table_name LIKE 'partner_%' AND column_name = ? ORDER BY 1",
            [key],
        ).fetchall()
    ]
    return [t.removeprefix("partner_") for t in tables if scope.con.execute(f'SELECT count({key}) FROM "{t}"').fetchall()[0][0]]


def _keyed_incidents(scope: Scope, table: str, key: str, period: Period) -> tuple[pl.DataFrame, int]:
    condition, params = scope.where(period)
    frame = scope.con.sql(f'SELECT {key}, date FROM "{table}" WHERE {condition}', params=params).pl()
    return frame, int(frame[key].null_count())


def repeat_victimisation(
    scope: Scope, source: str, key: str = "person_key", alpha: float = DEFAULT_ALPHA
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """For a partner source: shares by period (latest 12 months and the 12 before), and their change.

    With ``key="location_key"`` the same measures describe repeat locations (a location with two
    incidents within 12 months) instead of repeat victims.

    Returns (``periods``: source, period, measure, count, base, share, unkeyed_incidents;
    ``change``: source, measure, previous_share, latest_share, difference, ci_low, ci_high, p_value,
    test, significant, statement).
    """
    table = partner_table(source)
    require_table(scope.con, table)
    columns = {
        r[0]
        for r in scope.con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]).fetchall()
    }
    if key not in columns:
        raise AnalysisError(f"partner source '{source}' has no {key} column, so repeats cannot be counted")
    keys_measure, incidents_measure = MEASURES.get(key, (f"{key} values that repeat", f"incidents with a repeated {key}"))
    periods = [scope.period.previous_12(), scope.period.latest_12()]
    counts, rows = [], []
    for period in periods:
        frame, unkeyed = _keyed_incidents(scope, table, key, period)
        result = count_repeats(frame, key)
        counts.append(result)
        for measure, count, base in (
            (keys_measure, result.repeat_keys, result.keys),
            (incidents_measure, result.repeat_incidents, result.incidents),
        ):
            rows.append(
                {
                    "source": source,
                    "period": period.label(),
                    "measure": measure,
                    "count": count,
                    "base": base,
                    "share": count / base if base else None,
                    "unkeyed_incidents": unkeyed,
                }
            )
    if not counts[0].incidents and not counts[1].incidents:
        raise AnalysisError(
            f"partner source '{source}' has no incidents with a {key} in {scope.area.name} in {scope.period.label()}"
        )
    change_rows = []
    for measure, before, after in (
        (keys_measure, (counts[0].repeat_keys, counts[0].keys), (counts[1].repeat_keys, counts[1].keys)),
        (incidents_measure, (counts[0].repeat_incidents, counts[0].incidents), (counts[1].repeat_incidents, counts[1].incidents)),
    ):
        result = compare_proportions(*before, *after)
        change_rows.append(
            {
                "source": source,
                "measure": measure,
                "previous_period": periods[0].label(),
                "latest_period": periods[1].label(),
                "previous_share": result.previous_share,
                "latest_share": result.latest_share,
                "difference": result.difference,
                "ci_low": result.ci_low,
                "ci_high": result.ci_high,
                "p_value": result.p_value,
                "test": result.test,
                "significant": is_significant(result.p_value, alpha),
                "statement": describe_proportion_change(result, f"In {source}, the share of {measure}", alpha),
            }
        )
    return pl.DataFrame(rows), pl.DataFrame(change_rows)


def repeat_locations(scope: Scope, crime_type: str | None = None, top: int = 10) -> tuple[pl.DataFrame, pl.DataFrame]:
    """police.uk street locations with two or more incidents in the period.

    Returns (``summary``: crime_type, locations, repeat_locations, incidents, incidents_at_repeat_locations,
    repeat_location_share, incident_share; ``top``: the ``top`` busiest locations). police.uk snaps
    incidents to anonymised map points, so a "location" is a street segment or landmark, not an address.
    """
    counts = location_counts(scope, crime_type)
    if counts.is_empty():
        raise AnalysisError(f"no located incidents in {scope.area.name} in {scope.period.label()}")
    repeats = counts.filter(pl.col("count") >= 2)
    label = crime_type or ALL_CRIME
    summary = pl.DataFrame(
        [
            {
                "crime_type": label,
                "locations": len(counts),
                "repeat_locations": len(repeats),
                "incidents": int(counts["count"].sum()),
                "incidents_at_repeat_locations": int(repeats["count"].sum()),
                "repeat_location_share": len(repeats) / len(counts),
                "incident_share": int(repeats["count"].sum()) / int(counts["count"].sum()),
            }
        ]
    )
    return summary, counts.head(top).with_columns(pl.lit(label).alias("crime_type"))
