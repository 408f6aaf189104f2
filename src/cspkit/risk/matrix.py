"""The risk matrix arithmetic: scorers' values to criteria, groups, a risk score, a rank and a class.

Pure functions over plain lists of :class:`~cspkit.risk.scores.Score` records, returning Polars
tables, so the CLI, the report and the web app compute exactly the same matrix. The steps, all
set by the method file (docs/risk.md works one example by hand):

1. per issue and criterion, the scorers' values are aggregated (median by default) and their
   spread measured (range and interquartile range); a spread above the method's threshold
   flags the criterion for discussion;
2. per group, the aggregated criteria are combined (sum, max, mean or min);
3. the risk score combines the rule's groups (product by default); the "beside" groups are
   reported next to it and never change it;
4. issues are ranked by risk score (equal scores share a rank) and classed: knowledge gap
   (high harm, low confidence), priority candidate, monitor; incomplete or not scored.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
import polars as pl

from cspkit.errors import InputError
from cspkit.risk.method import Method, band_for
from cspkit.risk.register import IssueRegister
from cspkit.risk.scores import Score

KNOWLEDGE_GAP = "knowledge gap"
PRIORITY_CANDIDATE = "priority candidate"
MONITOR = "monitor"
INCOMPLETE = "incomplete"
NOT_SCORED = "not scored"


def aggregate(values: Sequence[float], how: str) -> float:
    """Several scorers' values for one criterion as one number."""
    if how == "median":
        return float(statistics.median(values))
    if how == "mean":
        return float(statistics.fmean(values))
    if how == "max":
        return float(max(values))
    raise ValueError(f"unknown aggregation {how!r}")


def combine(values: Sequence[float], how: str) -> float:
    """A group's criteria (or the rule's groups) combined into one number."""
    if how == "sum":
        return float(sum(values))
    if how == "product":
        return float(math.prod(values))
    if how == "max":
        return float(max(values))
    if how == "min":
        return float(min(values))
    if how == "mean":
        return float(statistics.fmean(values))
    raise ValueError(f"unknown combination {how!r}")


def iqr(values: Sequence[float]) -> float:
    """Interquartile range with linear interpolation between order statistics (numpy's default)."""
    q75, q25 = np.percentile(np.asarray(values, dtype=float), [75, 25])
    return float(q75 - q25)


_CRITERIA_SCHEMA = {
    "issue_id": pl.String,
    "criterion": pl.String,
    "group": pl.String,
    "n_scorers": pl.Int64,
    "value": pl.Float64,
    "min": pl.Float64,
    "max": pl.Float64,
    "range": pl.Float64,
    "iqr": pl.Float64,
    "discuss": pl.Boolean,
}


def aggregate_criteria(scores: Sequence[Score], method: Method) -> pl.DataFrame:
    """One row per issue and criterion scored: aggregated value, spread and the discuss flag."""
    values: dict[tuple[str, str], list[float]] = defaultdict(list)
    for score in scores:
        values[(score.issue_id, score.criterion)].append(score.value)
    unknown = sorted({c for _, c in values} - set(method.criterion_ids))
    if unknown:
        raise InputError(f"scores for criteria not in method {method.label}: {', '.join(unknown)}")
    rows = []
    for (issue_id, criterion_id), vals in sorted(values.items()):
        spread = {"range": float(max(vals) - min(vals)), "iqr": iqr(vals)}
        rows.append(
            {
                "issue_id": issue_id,
                "criterion": criterion_id,
                "group": method.criterion(criterion_id).group,
                "n_scorers": len(vals),
                "value": aggregate(vals, method.aggregation),
                "min": float(min(vals)),
                "max": float(max(vals)),
                "range": spread["range"],
                "iqr": spread["iqr"],
                "discuss": spread[method.discuss_measure] > method.discuss_threshold,
            }
        )
    return pl.DataFrame(rows, schema=_CRITERIA_SCHEMA)


def group_scores(criteria: dict[str, float], method: Method) -> dict[str, float | None]:
    """Each group's score from an issue's aggregated criteria; None where a criterion is unscored."""
    result: dict[str, float | None] = {}
    for group in method.groups:
        members = [criteria.get(c) for c in group.criteria]
        result[group.id] = None if any(v is None for v in members) else combine(members, group.combine)
    return result


def risk_score(groups: dict[str, float | None], method: Method) -> float | None:
    """The rule's groups combined (product by default); None if any is missing."""
    parts = [groups[g] for g in method.risk_groups]
    if any(p is None for p in parts):
        return None
    return combine(parts, method.rule_combine)


def classify(groups: dict[str, float | None], risk: float | None, method: Method, scored: bool) -> str:
    """Knowledge gap first: an issue we cannot see must not be ranked low and forgotten."""
    gap = method.knowledge_gap
    if gap is not None:
        harm, confidence = groups.get(gap.harm_group), groups.get(gap.confidence_group)
        if harm is not None and confidence is not None and harm >= gap.harm_at_least and confidence <= gap.confidence_at_most:
            return KNOWLEDGE_GAP
    if not scored:
        return NOT_SCORED
    if risk is None:
        return INCOMPLETE
    threshold = method.priority_candidate_risk_at_least
    if threshold is not None and risk >= threshold:
        return PRIORITY_CANDIDATE
    return MONITOR


def results_columns(method: Method) -> list[str]:
    """The columns of :func:`risk_results`, in order (group columns follow the method)."""
    return [
        "rank", "issue_id", "issue", "risk_score",
        *method.risk_groups, *method.beside_groups,
        *[g.id for g in method.groups if g.id not in method.risk_groups + method.beside_groups],
        "n_scorers", "max_range", "max_iqr", "discuss", "discuss_on", "class",
        "heat_row", "heat_column",
    ]


def risk_results(scores: Sequence[Score], method: Method, register: IssueRegister) -> pl.DataFrame:
    """The ranked risk matrix: one row per issue in the register, highest risk first.

    ``rank`` is shared by equal risk scores (1, 2, 2, 4...) and empty for issues without a
    complete risk score; those follow the ranked ones.
    """
    stray = sorted({s.issue_id for s in scores} - set(register.ids))
    if stray:
        raise InputError(f"scores for issues not in the issues register {register.id}: {', '.join(stray)}")
    criteria = aggregate_criteria(scores, method)
    by_issue: dict[str, list[dict]] = defaultdict(list)
    for row in criteria.iter_rows(named=True):
        by_issue[row["issue_id"]].append(row)
    scorers: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for score in scores:
        scorers[score.issue_id].add((score.organisation, score.scorer))

    rows = []
    for issue in register.issues:
        crit_rows = by_issue.get(issue.id, [])
        groups = group_scores({r["criterion"]: r["value"] for r in crit_rows}, method)
        risk = risk_score(groups, method)
        heat_row = _band_label(method.heatmap.row_bands, groups.get(method.heatmap.row_group))
        heat_col = _band_label(method.heatmap.column_bands, groups.get(method.heatmap.column_group))
        rows.append(
            {
                "issue_id": issue.id,
                "issue": issue.name,
                "risk_score": risk,
                **groups,
                "n_scorers": len(scorers.get(issue.id, ())),
                "max_range": max((r["range"] for r in crit_rows), default=None),
                "max_iqr": max((r["iqr"] for r in crit_rows), default=None),
                "discuss": any(r["discuss"] for r in crit_rows),
                "discuss_on": ", ".join(r["criterion"] for r in crit_rows if r["discuss"]),
                "class": classify(groups, risk, method, scored=bool(crit_rows)),
                "heat_row": heat_row,
                "heat_column": heat_col,
            }
        )
    first = method.risk_groups[0]
    rows.sort(key=lambda r: (r["risk_score"] is None, -(r["risk_score"] or 0), -(r[first] or 0), r["issue"]))
    ranked = [r["risk_score"] for r in rows if r["risk_score"] is not None]
    for row in rows:
        risk = row["risk_score"]
        row["rank"] = None if risk is None else 1 + sum(1 for other in ranked if other > risk)
    schema = {c: pl.Float64 for c in results_columns(method)}
    schema.update(
        rank=pl.Int64, issue_id=pl.String, issue=pl.String, n_scorers=pl.Int64, discuss=pl.Boolean,
        discuss_on=pl.String, heat_row=pl.String, heat_column=pl.String,
    )
    schema["class"] = pl.String
    return pl.DataFrame(rows, schema=schema).select(results_columns(method))


def _band_label(bands, value: float | None) -> str | None:
    if value is None:
        return None
    band = band_for(bands, value)
    return band.label if band is not None else None


def knowledge_gaps(results: pl.DataFrame) -> pl.DataFrame:
    """The issues classed as knowledge gaps, shown on their own rather than ranked low."""
    return results.filter(pl.col("class") == KNOWLEDGE_GAP)


def heatmap(results: pl.DataFrame, method: Method) -> pl.DataFrame:
    """Every cell of the harm x likelihood grid, with the issues placed in it (empty cells kept)."""
    placed: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for row in results.iter_rows(named=True):
        if row["heat_row"] is not None and row["heat_column"] is not None:
            placed[(row["heat_row"], row["heat_column"])].append((row["issue_id"], row["issue"]))
    cells = []
    for r_order, r_band in enumerate(method.heatmap.row_bands, start=1):
        for c_order, c_band in enumerate(method.heatmap.column_bands, start=1):
            here = placed.get((r_band.label, c_band.label), [])
            cells.append(
                {
                    "row_order": r_order,
                    "row_band": r_band.label,
                    "column_order": c_order,
                    "column_band": c_band.label,
                    "n_issues": len(here),
                    "issue_ids": [i for i, _ in here],
                    "issues": [n for _, n in here],
                }
            )
    return pl.DataFrame(
        cells,
        schema={
            "row_order": pl.Int64, "row_band": pl.String, "column_order": pl.Int64, "column_band": pl.String,
            "n_issues": pl.Int64, "issue_ids": pl.List(pl.String), "issues": pl.List(pl.String),
        },
    )
