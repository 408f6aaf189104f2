"""Where scores live: the current score per scorer, issue and criterion, and an append-only audit trail.

:class:`ScoreStore` is the small interface the CLI uses; :class:`WarehouseScoreStore` implements
it over the assessment's DuckDB warehouse (tables ``risk_scores`` and ``risk_audit``). The web app
keeps scores in its own ORM but calls the same pure function, :func:`plan_changes`, to decide
what is new, what changed and what to audit, so both keep the same trail: who, when, old value,
new value, the suggested value and why. Recording the same scores twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import polars as pl

from cspkit.data import warehouse
from cspkit.risk.method import Method
from cspkit.risk.register import IssueRegister
from cspkit.risk.scores import Score, validate_scores

RISK_TABLES = {
    "risk_scores": """
        CREATE TABLE IF NOT EXISTS risk_scores (
            method VARCHAR NOT NULL,
            organisation VARCHAR NOT NULL,
            scorer VARCHAR NOT NULL,
            issue_id VARCHAR NOT NULL,
            criterion VARCHAR NOT NULL,
            value DOUBLE NOT NULL,
            suggested DOUBLE,
            reason VARCHAR NOT NULL,
            scored_at TIMESTAMP NOT NULL,
            PRIMARY KEY (method, organisation, scorer, issue_id, criterion)
        )""",
    # Append-only: rows are only ever inserted.
    "risk_audit": """
        CREATE TABLE IF NOT EXISTS risk_audit (
            seq BIGINT NOT NULL,
            recorded_at TIMESTAMP NOT NULL,
            method VARCHAR NOT NULL,
            organisation VARCHAR NOT NULL,
            scorer VARCHAR NOT NULL,
            issue_id VARCHAR NOT NULL,
            criterion VARCHAR NOT NULL,
            action VARCHAR NOT NULL,
            old_value DOUBLE,
            new_value DOUBLE,
            suggested DOUBLE,
            override BOOLEAN NOT NULL,
            reason VARCHAR NOT NULL,
            changed_by VARCHAR NOT NULL,
            source VARCHAR NOT NULL
        )""",
}


_SCORE_COLUMNS = {
    "method": pl.String, "organisation": pl.String, "scorer": pl.String, "issue_id": pl.String, "criterion": pl.String,
    "value": pl.Float64, "suggested": pl.Float64, "reason": pl.String, "scored_at": pl.Datetime("us"),
}
_AUDIT_COLUMNS = {
    "seq": pl.Int64, "recorded_at": pl.Datetime("us"), "method": pl.String, "organisation": pl.String,
    "scorer": pl.String, "issue_id": pl.String, "criterion": pl.String, "action": pl.String, "old_value": pl.Float64,
    "new_value": pl.Float64, "suggested": pl.Float64, "override": pl.Boolean, "reason": pl.String,
    "changed_by": pl.String, "source": pl.String,
}


@dataclass(frozen=True)
class AuditEntry:
    """One event in the trail: a first score ("score"), a changed one ("change") or a withdrawn one
    ("withdraw": the scorer cleared the cell; ``new_value`` is None)."""

    at: datetime
    method: str
    organisation: str
    scorer: str
    issue_id: str
    criterion: str
    action: str
    old_value: float | None
    new_value: float | None
    suggested: float | None
    override: bool
    reason: str
    changed_by: str
    source: str


@dataclass(frozen=True)
class Changes:
    """What recording a batch of scores does: the scores to write or withdraw and the audit entries to append."""

    upserts: tuple[Score, ...]
    audit: tuple[AuditEntry, ...]
    unchanged: int
    withdrawn: tuple[Score, ...] = ()

    @property
    def added(self) -> int:
        return sum(1 for a in self.audit if a.action == "score")

    @property
    def changed(self) -> int:
        return sum(1 for a in self.audit if a.action == "change")

    @property
    def withdrew(self) -> int:
        return len(self.withdrawn)


def plan_changes(
    current: Sequence[Score],
    incoming: Sequence[Score],
    method: Method,
    changed_by: str,
    source: str,
    at: datetime | None = None,
    cleared: Sequence[tuple[str, str, str, str]] = (),
) -> Changes:
    """Compare incoming scores with the current ones: new, changed (audited) or identical (ignored).

    ``cleared`` are score keys the scorer left empty (a cleared workbook cell): a current score
    there is withdrawn, and the withdrawal audited.
    """
    at = at or datetime.now(UTC).replace(tzinfo=None)
    existing = {s.key: s for s in current}
    upserts, audit, unchanged = [], [], 0
    for score in incoming:
        old = existing.get(score.key)
        if old is not None and (old.value, old.suggested, old.reason) == (score.value, score.suggested, score.reason):
            unchanged += 1
            continue
        stamped = replace(score, scored_at=at)
        upserts.append(stamped)
        existing[score.key] = stamped
        audit.append(
            AuditEntry(
                at=at, method=method.label, organisation=score.organisation, scorer=score.scorer,
                issue_id=score.issue_id, criterion=score.criterion, action="score" if old is None else "change",
                old_value=None if old is None else old.value, new_value=score.value, suggested=score.suggested,
                override=score.is_override, reason=score.reason, changed_by=changed_by, source=source,
            )
        )
    withdrawn = [existing[key] for key in dict.fromkeys(cleared) if key in existing]
    audit += [
        AuditEntry(
            at=at, method=method.label, organisation=old.organisation, scorer=old.scorer, issue_id=old.issue_id,
            criterion=old.criterion, action="withdraw", old_value=old.value, new_value=None, suggested=old.suggested,
            override=False, reason="score cell cleared", changed_by=changed_by, source=source,
        )
        for old in withdrawn
    ]
    return Changes(upserts=tuple(upserts), audit=tuple(audit), unchanged=unchanged, withdrawn=tuple(withdrawn))


def _allow_withdrawals(con) -> None:
    """Warehouses made before withdrawals were audited have ``risk_audit.new_value NOT NULL``."""
    nullable = con.execute(
        "SELECT is_nullable FROM information_schema.columns WHERE table_name = 'risk_audit' AND column_name = 'new_value'"
    ).fetchall()[0][0]
    if nullable == "NO":
        con.execute("ALTER TABLE risk_audit ALTER COLUMN new_value DROP NOT NULL")


class ScoreStore(Protocol):
    """What the CLI needs from a store of scores (the web app has its own ORM-backed one)."""

    def scores(self, method: Method) -> list[Score]: ...

    def record(
        self, scores: Sequence[Score], method: Method, register: IssueRegister, changed_by: str, source: str,
        cleared: Sequence[tuple[str, str, str, str]] = (),
    ) -> Changes: ...

    def audit_trail(self, method: Method | None = None) -> list[AuditEntry]: ...


class WarehouseScoreStore:
    """Scores and their audit trail in the assessment's DuckDB warehouse."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def _has_tables(self) -> bool:
        if not self.path.exists():
            return False
        with warehouse.read(self.path) as con:
            return all(warehouse.table_exists(con, name) for name in RISK_TABLES)

    def scores(self, method: Method) -> list[Score]:
        """The current score of every scorer, issue and criterion for this method and version."""
        if not self._has_tables():
            return []
        _, rows = warehouse.query(
            self.path,
            "SELECT organisation, scorer, issue_id, criterion, value, suggested, reason, scored_at "
            "FROM risk_scores WHERE method = ? ORDER BY organisation, scorer, issue_id, criterion",
            [method.label],
        )
        return [Score(*row) for row in rows]

    def record(
        self, scores: Sequence[Score], method: Method, register: IssueRegister, changed_by: str, source: str,
        cleared: Sequence[tuple[str, str, str, str]] = (),
    ) -> Changes:
        """Check every score, then write the changes, withdrawals and their audit entries in one transaction."""
        validate_scores(scores, method, register, source=source)
        changes = plan_changes(self.scores(method), scores, method, changed_by, source, cleared=cleared)
        if not changes.audit:
            return changes
        with warehouse.write(self.path) as con:
            for ddl in RISK_TABLES.values():
                con.execute(ddl)
            _allow_withdrawals(con)
            for old in changes.withdrawn:
                con.execute(
                    "DELETE FROM risk_scores WHERE method = ? AND organisation = ? AND scorer = ? AND issue_id = ? "
                    "AND criterion = ?", [method.label, *old.key],
                )
            # One set-based insert per table: row-by-row executemany is far too slow in DuckDB.
            scores_frame = pl.DataFrame(
                [
                    [method.label, s.organisation, s.scorer, s.issue_id, s.criterion, s.value, s.suggested, s.reason,
                     s.scored_at]
                    for s in changes.upserts
                ],
                schema=_SCORE_COLUMNS,
                orient="row",
            )
            if scores_frame.height:
                con.register("incoming_scores", scores_frame.to_arrow())
                con.execute("INSERT OR REPLACE INTO risk_scores SELECT * FROM incoming_scores")
            start = con.execute("SELECT coalesce(max(seq), 0) FROM risk_audit").fetchall()[0][0]
            audit_frame = pl.DataFrame(
                [
                    [start + n, a.at, a.method, a.organisation, a.scorer, a.issue_id, a.criterion, a.action,
                     a.old_value, a.new_value, a.suggested, a.override, a.reason, a.changed_by, a.source]
                    for n, a in enumerate(changes.audit, start=1)
                ],
                schema=_AUDIT_COLUMNS,
                orient="row",
            )
            con.register("incoming_audit", audit_frame.to_arrow())
            con.execute("INSERT INTO risk_audit SELECT * FROM incoming_audit")
        return changes

    def audit_trail(self, method: Method | None = None) -> list[AuditEntry]:
        """Every recorded event, oldest first."""
        if not self._has_tables():
            return []
        where, params = ("WHERE method = ?", [method.label]) if method is not None else ("", [])
        _, rows = warehouse.query(
            self.path,
            "SELECT recorded_at, method, organisation, scorer, issue_id, criterion, action, old_value, new_value, suggested, "
            f"override, reason, changed_by, source FROM risk_audit {where} ORDER BY seq",
            params,
        )
        return [AuditEntry(*row) for row in rows]

    def sources(self, method: Method) -> tuple[str, ...]:
        """Where the method's scores came from (workbook names, "web", "synthetic demo scores")."""
        if not self._has_tables():
            return ()
        _, rows = warehouse.query(
            self.path, "SELECT DISTINCT source FROM risk_audit WHERE method = ? ORDER BY 1", [method.label]
        )
        return tuple(r[0] for r in rows)
