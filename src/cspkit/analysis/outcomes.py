"""What happened after the crime: outcome profiles by category.

police.uk's ``last_outcome_category`` on each street row gives the outcome known when the month
was published; the ``outcomes`` table brings later updates, of which the latest per crime counts.
Recent months always look less resolved: outcomes arrive months after the crime.
"""

from __future__ import annotations

import polars as pl

from cspkit.analysis.scope import ASB, Scope, require_table
from cspkit.errors import AnalysisError

NO_OUTCOME = "No outcome recorded"


def _shares(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns((pl.col("count") / pl.col("count").sum().over("crime_type")).alias("share")).sort(
        ["crime_type", "count", "outcome"], descending=[False, True, False]
    )


def outcome_profile(scope: Scope) -> pl.DataFrame:
    """``crime_type``, ``outcome``, ``count``, ``share`` from the street rows' last outcome category."""
    condition, params = scope.where()
    frame = scope.con.sql(
        f"""SELECT crime_type, coalesce(nullif(trim(last_outcome_category), ''), ?) AS outcome, count(*) AS count
            FROM {scope.street} WHERE {condition} AND crime_type <> ? GROUP BY ALL""",
        params=[NO_OUTCOME, *params, ASB],
    ).pl()
    return _shares(frame)


def latest_outcomes(scope: Scope) -> pl.DataFrame:
    """``crime_type``, ``outcome``, ``count``, ``share`` from each crime's latest row in ``outcomes``."""
    require_table(scope.con, "outcomes")
    if not scope.con.execute("SELECT count(*) FROM (SELECT 1 FROM outcomes LIMIT 1)").fetchall()[0][0]:
        raise AnalysisError("the warehouse has no police.uk outcomes rows; ingest the outcomes files for later outcomes")
    condition, params = scope.where(alias="c")
    if scope.street == "street":
        source = "street c"
        crime_id = "c.crime_id"
    else:  # the scope's copy has no crime IDs: fetch them by source file and row from the street table
        source = f"{scope.street} c JOIN street s USING (source_file, source_row)"
        crime_id = "s.crime_id"
    crimes = f"""SELECT DISTINCT {crime_id} AS crime_id, c.crime_type FROM {source}
                 WHERE {condition} AND {crime_id} IS NOT NULL AND c.crime_type <> ?"""
    frame = scope.con.sql(
        f"""WITH crimes AS ({crimes}),
            latest AS (
                SELECT crime_id, arg_max(outcome_type, (month, source_file, source_row)) AS outcome
                FROM outcomes WHERE crime_id IN (SELECT crime_id FROM crimes) GROUP BY crime_id)
            SELECT c.crime_type, coalesce(l.outcome, ?) AS outcome, count(*) AS count
            FROM crimes c LEFT JOIN latest l USING (crime_id) GROUP BY ALL""",
        params=[*params, ASB, NO_OUTCOME],
    ).pl()
    return _shares(frame)
