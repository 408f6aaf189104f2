"""Each candidate issue's evidence for the board, assembled from the other steps' results.

One function, :func:`board_evidence`, used by the documents (``cspkit assess``) and the web app
alike: it takes each step's result as a plain value (any of them may be missing, and the columns
it feeds are then left empty) and returns the :class:`~cspkit.priorities.board.IssueEvidence` the
board and the shortlist rule read. Every figure comes from the step that owns it: volume, rate and
harm from cspkit.risk's evidence, the tested changes from the analysis module's tests, residents'
concern rank and share from cspkit.survey's concerns table, linked entries from the horizon register.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import polars as pl

from cspkit.priorities.board import IssueEvidence, TestedChange

if TYPE_CHECKING:
    from cspkit.analysis.analyse import AreaAnalysis
    from cspkit.risk.register import IssueRegister


# --- tested changes (the analysis module's tests, as the board shows them) -------------------


def issue_monthly(analysis: AreaAnalysis, categories: Sequence[str], label: str) -> pl.DataFrame:
    """The issue's monthly counts (its police.uk categories added together) as one series named ``label``."""
    rows = analysis.monthly.filter(pl.col("crime_type").is_in(list(categories)))
    return rows.group_by("month").agg(pl.col("count").sum()).with_columns(pl.lit(label).alias("crime_type")).sort("month")


def changes(
    monthly: pl.DataFrame, analysis: AreaAnalysis, alpha: float, threshold: int = 0
) -> tuple[pl.DataFrame | None, pl.DataFrame | None]:
    """The analysis module's change table and trend table of monthly series (None where it cannot test);
    counts under ``threshold`` are not written in the statements (published documents)."""
    from cspkit.analysis.comparisons import change_table, trend_table
    from cspkit.errors import AnalysisError

    try:
        change = change_table(monthly.select("crime_type", "month", "count"), analysis.period, alpha, threshold)
    except AnalysisError:
        change = None
    try:
        trend = trend_table(monthly.select("crime_type", "month", "count"), alpha)
    except AnalysisError:
        trend = None
    return change, trend


def labelled(change: pl.DataFrame) -> list[str]:
    """The analysis module's change sentences, each led by the two periods it compares."""
    return [f"{r['comparison'][:1].upper()}{r['comparison'][1:]}: {r['statement']}" for r in change.iter_rows(named=True)]


def tested(change: pl.DataFrame | None, index: int, provenance: str = "") -> TestedChange | None:
    """Row ``index`` of an analysis change table (0: latest year against the one before; 1: three years)."""
    if change is None or change.height <= index:
        return None
    r = change.row(index, named=True)
    return TestedChange(
        before=r["previous_count"],
        after=r["latest_count"],
        percent=r["pct_change"],
        p_value=r["p_value"],
        significant=bool(r["significant"]),
        verdict=labelled(change)[index],
        provenance=provenance,
        q_value=r["q_value"],
        test=r["test"],
    )


def issue_labels(issues: Sequence[Any]) -> dict[str, str]:
    """Each issue's name as the label of its series (its id added where two issues share a name)."""
    names = [issue.name for issue in issues]
    return {issue.id: issue.name if names.count(issue.name) == 1 else f"{issue.name} ({issue.id})" for issue in issues}


def issue_tests(
    analysis: AreaAnalysis, issues: Sequence[Any], alpha: float, threshold: int = 0
) -> tuple[pl.DataFrame | None, pl.DataFrame | None]:
    """The change and trend tables of every issue measured by police.uk categories, tested together.

    The issues on the board are compared side by side, so they are one family: each change's
    q-value allows for the others, and "statistically significant" (and the board's "(s)") means q
    below alpha. Series are labelled by :func:`issue_labels`.
    """
    crime_types = set(analysis.monthly["crime_type"])
    labels = issue_labels(issues)
    series = [
        issue_monthly(analysis, present, labels[issue.id])
        for issue in issues
        if (present := [c for c in issue.crime_categories if c in crime_types])
    ]
    if not series:
        return None, None
    return changes(pl.concat(series, how="vertical_relaxed"), analysis, alpha, threshold)


def issue_rows(tables: Sequence[pl.DataFrame | None], label: str) -> tuple[pl.DataFrame | None, ...]:
    """One issue's rows of :func:`issue_tests`' tables (None where a table has none for it)."""
    rows = [table.filter(pl.col("crime_type") == label) if table is not None else None for table in tables]
    return tuple(r if r is not None and r.height else None for r in rows)


def issue_change(table: pl.DataFrame | None, label: str, provenance: str = "") -> tuple[TestedChange | None, ...]:
    """One issue's tested 1-year and 3-year change from :func:`issue_tests`' change table."""
    (rows,) = issue_rows([table], label)
    return tested(rows, 0, provenance), tested(rows, 1, provenance)


# --- the board's evidence ---------------------------------------------------------------------


def _risk_change(ev: Any) -> TestedChange | None:
    """The latest year's change from cspkit.risk's evidence, when no analysis result is at hand."""
    if ev is None or ev.previous_count is None or ev.annual_count is None:
        return None
    return TestedChange(
        before=ev.previous_count,
        after=ev.annual_count,
        percent=(ev.annual_count - ev.previous_count) / ev.previous_count * 100 if ev.previous_count else None,
        p_value=ev.p_value,
        significant=bool(ev.significant),
    )


def concerns_by_issue(concerns: pl.DataFrame | None) -> dict[str, dict]:
    """cspkit.survey's concerns table (``rank``, ``risk_issue``, ``pct``) by the risk issue each concern maps to."""
    if concerns is None:
        return {}
    return {r["risk_issue"]: r for r in concerns.iter_rows(named=True) if r["risk_issue"]}


def board_evidence(
    register: IssueRegister,
    *,
    risk_results: pl.DataFrame | None = None,
    risk_evidence: Mapping[str, Any] | None = None,
    analysis: AreaAnalysis | None = None,
    concerns: pl.DataFrame | None = None,
    horizon: pl.DataFrame | None = None,
    alpha: float = 0.05,
    tests: tuple[pl.DataFrame | None, pl.DataFrame | None] | None = None,
) -> list[IssueEvidence]:
    """The board's evidence for every issue of the register, in register order.

    - ``risk_results``: cspkit.risk.matrix.risk_results (rank, risk_score, class per issue_id);
    - ``risk_evidence``: issue id -> cspkit.risk.evidence's figures (volume, rate, harm);
    - ``analysis``: cspkit.analysis' area result, for each issue's tested 1-year and 3-year change
      (without it, the latest year's change in the risk evidence, where it has one);
    - ``concerns``: cspkit.survey's concerns table (rank, risk_issue, pct);
    - ``horizon``: cspkit.horizon's section table (title, linked_issues);
    - ``tests``: :func:`issue_tests` of the register's issues, when the caller has it already.

    A missing input leaves its columns empty (None); nothing is estimated in its place.
    """
    risk_rows = {r["issue_id"]: r for r in risk_results.iter_rows(named=True)} if risk_results is not None else {}
    figures = risk_evidence or {}
    by_issue = concerns_by_issue(concerns)
    out = []
    if tests is None and analysis is not None:
        tests = issue_tests(analysis, register.issues, alpha)
    change_table = tests[0] if tests is not None else None
    labels = issue_labels(register.issues)
    note = analysis.provenance["monthly"].footnote() if analysis is not None and "monthly" in analysis.provenance else ""
    for issue in register.issues:
        risk = risk_rows.get(issue.id, {})
        ev = figures.get(issue.id)
        change_1y = change_3y = None
        if analysis is not None and issue.crime_categories:
            change_1y, change_3y = issue_change(change_table, labels[issue.id], note)
        elif ev is not None:
            change_1y = _risk_change(ev)
        linked: tuple[str, ...] = ()
        if horizon is not None:
            linked = tuple(horizon.filter(pl.col("linked_issues").str.split(", ").list.contains(issue.id))["title"].to_list())
        concern = by_issue.get(issue.id, {})
        out.append(
            IssueEvidence(
                issue_id=issue.id,
                name=issue.name,
                risk_score=risk.get("risk_score"),
                risk_rank=risk.get("rank"),
                harm=ev.harm_index if ev is not None else None,
                volume=ev.annual_count if ev is not None else None,
                rate_per_1000=ev.rate_per_1000 if ev is not None else None,
                change_3y=change_3y,
                change_1y=change_1y,
                concern_rank=concern.get("rank"),
                concern_share=concern["pct"] / 100 if concern.get("pct") is not None else None,
                knowledge_gap_class=risk.get("class"),
                horizon=linked,
            )
        )
    return out


def unmatched_concerns(concerns: pl.DataFrame | None, issues: Sequence[IssueEvidence]) -> list[str]:
    """Issue ids residents' concerns map to that are not on the board (not in the issue register)."""
    return sorted(set(concerns_by_issue(concerns)) - {i.issue_id for i in issues})
