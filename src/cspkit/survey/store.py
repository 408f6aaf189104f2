"""Survey waves in the DuckDB warehouse: long-form answers keyed by respondent, no personal data.

Tables (created here, beside the shared schema, because only the survey step writes them):

- ``survey_waves``: one row per imported wave: its source file name (never its contents),
  questionnaire, counts and when it was imported.
- ``survey_respondents``: wave, respondent_id (assigned by cspkit), submitted_at, complete.
- ``survey_answers``: wave, respondent_id, question_id, answer (a code, or redacted free text).
- ``survey_exclusions``: every row left out and answer dropped on import, with its reason.
- ``survey_weights``: wave, respondent_id, weight (grossed to the adult population), weighted_by
  (the variables raked, comma-separated), as ``cspkit survey weight`` stored them.

Importing a wave again replaces it, so a corrected export or mapping can simply be re-run.
"""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import polars as pl

from cspkit.data.warehouse import table_exists
from cspkit.errors import WarehouseError
from cspkit.survey.questionnaire import Questionnaire
from cspkit.survey.responses import ANSWER_SCHEMA, EXCLUSION_SCHEMA, IMPORTED_RESPONDENT_SCHEMA, SurveyResponses

SURVEY_TABLES: dict[str, str] = {
    "survey_waves": """
        CREATE TABLE IF NOT EXISTS survey_waves (
            wave VARCHAR PRIMARY KEY,
            questionnaire_id VARCHAR NOT NULL,
            questionnaire_version VARCHAR,
            source_file VARCHAR,
            label VARCHAR,
            encoding VARCHAR,
            rows_read INTEGER NOT NULL,
            imported INTEGER NOT NULL,
            complete INTEGER NOT NULL,
            excluded INTEGER NOT NULL,
            duplicates INTEGER NOT NULL,
            answers_dropped INTEGER NOT NULL,
            imported_at TIMESTAMP NOT NULL
        )""",
    "survey_respondents": """
        CREATE TABLE IF NOT EXISTS survey_respondents (
            wave VARCHAR NOT NULL,
            respondent_id VARCHAR NOT NULL,
            submitted_at TIMESTAMP,
            complete BOOLEAN NOT NULL,
            source_row INTEGER
        )""",
    "survey_answers": """
        CREATE TABLE IF NOT EXISTS survey_answers (
            wave VARCHAR NOT NULL,
            respondent_id VARCHAR NOT NULL,
            question_id VARCHAR NOT NULL,
            answer VARCHAR NOT NULL
        )""",
    "survey_exclusions": """
        CREATE TABLE IF NOT EXISTS survey_exclusions (
            wave VARCHAR NOT NULL,
            source_file VARCHAR,
            source_row INTEGER,
            "column" VARCHAR,
            kind VARCHAR NOT NULL,
            reason VARCHAR NOT NULL,
            same_as_row INTEGER
        )""",
    "survey_weights": """
        CREATE TABLE IF NOT EXISTS survey_weights (
            wave VARCHAR NOT NULL,
            respondent_id VARCHAR NOT NULL,
            weight DOUBLE NOT NULL,
            weighted_by VARCHAR
        )""",
}


#: Columns added since the first release, for warehouses whose tables predate them.
_ADDED_COLUMNS = (
    ("survey_respondents", "source_row INTEGER"),
    ("survey_exclusions", "same_as_row INTEGER"),
    ("survey_weights", "weighted_by VARCHAR"),
)


def create_survey_tables(con: duckdb.DuckDBPyConnection) -> None:
    for ddl in SURVEY_TABLES.values():
        con.execute(ddl)
    for table, column in _ADDED_COLUMNS:
        con.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column}")


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    if frame.height == 0:
        return
    con.register("_survey_rows", frame.to_arrow())
    try:
        columns = ", ".join(f'"{c}"' for c in frame.columns)
        con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM _survey_rows")
    finally:
        con.unregister("_survey_rows")


def save_responses(con: duckdb.DuckDBPyConnection, responses: SurveyResponses, questionnaire: Questionnaire) -> None:
    """Store a wave (replacing any earlier import of the same wave, and its weights)."""
    create_survey_tables(con)
    for table in SURVEY_TABLES:
        con.execute(f"DELETE FROM {table} WHERE wave = ?", [responses.wave])
    summary = responses.summary()
    con.execute(
        "INSERT INTO survey_waves VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            responses.wave, questionnaire.id, questionnaire.version, responses.source, responses.label,
            responses.encoding, responses.rows_read, summary["imported"], summary["complete"], summary["excluded"],
            summary["duplicates"], summary["answers_dropped"], datetime.now(UTC).replace(tzinfo=None),
        ],
    )  # fmt: skip
    wave = pl.lit(responses.wave).alias("wave")
    _insert(con, "survey_respondents", responses.respondents.select(wave, pl.all()))
    _insert(con, "survey_answers", responses.answers.select(wave, pl.all()))
    _insert(con, "survey_exclusions", responses.exclusions.select(wave, pl.lit(responses.source).alias("source_file"), pl.all()))


def save_weights(con: duckdb.DuckDBPyConnection, wave: str, weights: pl.DataFrame, variables: tuple[str, ...] = ()) -> None:
    """Store a wave's weights and the variables they were raked by (replacing earlier ones)."""
    create_survey_tables(con)
    con.execute("DELETE FROM survey_weights WHERE wave = ?", [wave])
    by = pl.lit(",".join(variables)).alias("weighted_by")
    _insert(con, "survey_weights", weights.select(pl.lit(wave).alias("wave"), "respondent_id", "weight", by))


def stored_weights(con: duckdb.DuckDBPyConnection, wave: str) -> tuple[pl.DataFrame, tuple[str, ...]] | None:
    """The weights ``cspkit survey weight`` stored for a wave, and the variables raked; None if none."""
    if not table_exists(con, "survey_weights"):
        return None
    has_by = con.execute(  # warehouses weighted before weighted_by existed (read-only here, so not migrated)
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'survey_weights' AND column_name = 'weighted_by'"
    ).fetchall()[0][0]
    by = "weighted_by" if has_by else "NULL"
    rows = con.execute(f"SELECT respondent_id, weight, {by} FROM survey_weights WHERE wave = ?", [wave]).fetchall()
    if not rows:
        return None
    frame = pl.DataFrame([r[:2] for r in rows], schema={"respondent_id": pl.String, "weight": pl.Float64}, orient="row")
    return frame, tuple(v for v in (rows[0][2] or "").split(",") if v)


def waves(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every stored wave, newest first."""
    if not table_exists(con, "survey_waves"):
        return pl.DataFrame()
    rows = con.execute("SELECT * FROM survey_waves ORDER BY imported_at DESC").fetchall()
    columns = [d[0] for d in con.description]
    return pl.DataFrame(rows, schema=columns, orient="row")


def latest_wave(con: duckdb.DuckDBPyConnection) -> str:
    stored = waves(con)
    if stored.height == 0:
        raise WarehouseError("no survey has been imported; run 'cspkit survey import FILE --mapping M' first")
    return stored["wave"][0]


def load_responses(con: duckdb.DuckDBPyConnection, wave: str) -> SurveyResponses:
    """A stored wave, in the same shape the importers return."""
    stored = waves(con)
    match = stored.filter(pl.col("wave") == wave) if stored.height else stored
    if match.height == 0:
        known = ", ".join(stored["wave"].to_list()) if stored.height else "none"
        raise WarehouseError(f"no survey wave '{wave}' in the warehouse (waves: {known})")
    info = match.row(0, named=True)

    def frame(sql: str, schema: dict) -> pl.DataFrame:
        return pl.DataFrame(con.execute(sql, [wave]).fetchall(), schema=schema, orient="row")

    return SurveyResponses(
        wave=wave,
        answers=frame("SELECT respondent_id, question_id, answer FROM survey_answers WHERE wave = ?", ANSWER_SCHEMA),
        respondents=frame(
            "SELECT respondent_id, submitted_at, complete, source_row FROM survey_respondents WHERE wave = ? "
            "ORDER BY respondent_id",
            IMPORTED_RESPONDENT_SCHEMA,
        ),
        exclusions=frame(
            'SELECT source_row, "column", kind, reason, same_as_row FROM survey_exclusions WHERE wave = ? ORDER BY source_row',
            EXCLUSION_SCHEMA,
        ),
        source=info["source_file"] or "",
        label=info["label"] or "",
        rows_read=info["rows_read"],
        encoding=info["encoding"] or "",
    )
