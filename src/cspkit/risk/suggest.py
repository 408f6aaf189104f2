"""Data-suggested scores: what the figures say about an issue's volume, likelihood and harm.

The logic takes plain figures (:class:`IssueEvidence`, filled by :mod:`cspkit.risk.evidence` from
the analysis module, or by hand) and the bands in the method file, and returns suggestions with
the evidence written out and the figures behind them. A scorer accepts or overrides each one;
an override needs a reason. An issue that no data measures gets a suggestion too: low confidence
in knowledge, because not being able to see an issue is itself evidence.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import polars as pl

from cspkit.analysis.wording import is_significant, significance_phrase
from cspkit.risk.method import Band, Method, band_for

NO_DATA = "no data"
NO_DATA_TEXT = "No data maps to this issue: no police.uk category or partner source in the warehouse measures it"


@dataclass(frozen=True)
class IssueEvidence:
    """The figures known for one issue in one area and period (None where unknown)."""

    issue_id: str
    data_maps: bool
    period: str = ""
    annual_count: int | None = None
    rate_per_1000: float | None = None
    rate_basis: str = "residents"
    previous_count: int | None = None
    change_ratio: float | None = None
    p_value: float | None = None
    significant: bool | None = None
    q_value: float | None = None  # Benjamini-Hochberg across the register's issues tested together
    compared: int = 1  # how many issues were tested together
    alpha: float = 0.05
    harm_index: float | None = None
    harm_share: float | None = None
    sources: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Suggestion:
    """One data-suggested score (or hint) for an issue.

    ``criterion`` and ``value`` are the suggested score; a hint has neither. ``applies_to`` lists
    the criteria beside which the evidence is shown to the scorer.
    """

    issue_id: str
    kind: str
    criterion: str | None
    value: float | None
    evidence: str
    applies_to: tuple[str, ...]
    figures: dict[str, float | int | str | bool | None] = field(default_factory=dict)


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _level_text(method: Method, criterion_id: str, value: float) -> str:
    level = method.criterion(criterion_id).level(value)
    return f"level {value:g} '{level.label}'" if level else f"level {value:g}"


def _period(evidence: IssueEvidence) -> str:
    return f" ({evidence.period})" if evidence.period else ""


def suggest_volume(evidence: IssueEvidence, method: Method) -> Suggestion | None:
    """Volume banded from the rate per 1,000 where known, else from the annual count."""
    rule = method.suggest_volume
    if rule is None or not evidence.data_maps:
        return None
    basis: tuple[str, float, tuple[Band, ...]] | None = None
    if evidence.rate_per_1000 is not None and rule.rate_bands:
        basis = ("rate per 1,000", evidence.rate_per_1000, rule.rate_bands)
    elif evidence.annual_count is not None and rule.count_bands:
        basis = ("count a year", evidence.annual_count, rule.count_bands)
    if basis is None:
        return None
    name, figure, bands = basis
    band = band_for(bands, figure)
    if band is None:
        return None
    parts = []
    if evidence.annual_count is not None:
        parts.append(f"{evidence.annual_count:,} in the latest 12 months{_period(evidence)}")
    if evidence.rate_per_1000 is not None:
        parts.append(f"{evidence.rate_per_1000:.2f} per 1,000 {evidence.rate_basis}")
    level = _level_text(method, rule.criterion, band.value)
    text = f"{', '.join(parts)}: {level} (banded on the {name}, band from {_number(band.min)})."
    return Suggestion(
        issue_id=evidence.issue_id, kind="volume", criterion=rule.criterion, value=band.value, evidence=text,
        applies_to=(rule.criterion,),
        figures={"annual_count": evidence.annual_count, "rate_per_1000": evidence.rate_per_1000, "basis": name},
    )


def suggest_likelihood(evidence: IssueEvidence, method: Method) -> Suggestion | None:
    """Likelihood from the tested change: only a change the test calls real moves it."""
    rule = method.suggest_likelihood
    if rule is None or not evidence.data_maps or evidence.change_ratio is None or evidence.p_value is None:
        return None
    ratio = evidence.change_ratio
    verdict = significance_phrase(evidence.p_value, evidence.alpha, evidence.q_value, evidence.compared)
    if not is_significant(evidence.q_value if evidence.compared > 1 else evidence.p_value, evidence.alpha):
        value, words = rule.no_significant_change, f"no real change: {verdict}"
    elif ratio >= rule.sharp_rise_ratio:
        value, words = rule.sharp_rise, f"a sharp rise, {verdict}"
    elif ratio > 1:
        value, words = rule.significant_rise, f"a rise, {verdict}"
    else:
        value, words = rule.significant_fall, f"a fall, {verdict}"
    counts = ""
    if evidence.annual_count is not None and evidence.previous_count is not None:
        counts = f"{evidence.annual_count:,} in the latest 12 months against {evidence.previous_count:,} the year before, "
    change = f"{(ratio - 1) * 100:+.1f}%"
    text = f"{counts}{change} (ratio {ratio:.2f}): {words}; {_level_text(method, rule.criterion, value)}."
    return Suggestion(
        issue_id=evidence.issue_id, kind="likelihood", criterion=rule.criterion, value=value, evidence=text,
        applies_to=(rule.criterion,),
        figures={
            "annual_count": evidence.annual_count, "previous_count": evidence.previous_count,
            "change_ratio": ratio, "p_value": evidence.p_value, "significant": evidence.significant,
        },
    )


def suggest_harm(evidence: IssueEvidence, method: Method) -> Suggestion | None:
    """A harm hint from the issue's share of the area's crime harm index."""
    rule = method.suggest_harm
    if rule is None or not evidence.data_maps or evidence.harm_share is None:
        return None
    band = band_for(rule.bands, evidence.harm_share)
    if band is None:
        return None
    index = f"crime harm index {_number(evidence.harm_index)}, " if evidence.harm_index is not None else ""
    text = f"Harm hint: {index}{evidence.harm_share * 100:.1f}% of the recorded crime harm in the area; {band.label}."
    value = band.value if rule.criterion is not None else None
    if value is not None:
        text += f" Suggests {_level_text(method, rule.criterion, value)}."
    text += " The harm index weighs recorded crimes only; it cannot see unreported harm."
    return Suggestion(
        issue_id=evidence.issue_id, kind="harm", criterion=rule.criterion, value=value, evidence=text,
        applies_to=method.group(rule.group).criteria,
        figures={"harm_index": evidence.harm_index, "harm_share": evidence.harm_share},
    )


def suggest_no_data(evidence: IssueEvidence, method: Method) -> Suggestion | None:
    """No data: say so beside volume and likelihood, and suggest low confidence in knowledge."""
    if evidence.data_maps:
        return None
    rule = method.suggest_confidence
    criterion = rule.criterion if rule else None
    value = rule.no_data if rule else None
    note = f" ({evidence.note})" if evidence.note else ""
    text = f"{NO_DATA_TEXT}{note}. Its scale cannot be seen, which is itself evidence of low confidence in knowledge."
    if value is not None:
        text += f" Suggests {_level_text(method, criterion, value)}."
    shown = [c for c in (criterion,) if c]
    for rule_criterion in (method.suggest_volume, method.suggest_likelihood):
        if rule_criterion is not None and rule_criterion.criterion not in shown:
            shown.append(rule_criterion.criterion)
    return Suggestion(
        issue_id=evidence.issue_id, kind=NO_DATA, criterion=criterion, value=value, evidence=text,
        applies_to=tuple(shown), figures={"data_maps": False},
    )


def suggest_scores(evidence: IssueEvidence, method: Method) -> list[Suggestion]:
    """Every suggestion the figures support for one issue (none is invented where figures are missing)."""
    found = (
        suggest_no_data(evidence, method),
        suggest_volume(evidence, method),
        suggest_likelihood(evidence, method),
        suggest_harm(evidence, method),
    )
    return [s for s in found if s is not None]


def suggest_all(evidence: Iterable[IssueEvidence], method: Method) -> list[Suggestion]:
    return [s for e in evidence for s in suggest_scores(e, method)]


def suggested_values(suggestions: Sequence[Suggestion]) -> dict[tuple[str, str], float]:
    """(issue_id, criterion) -> suggested value, for the workbook and for checking overrides."""
    return {(s.issue_id, s.criterion): s.value for s in suggestions if s.criterion is not None and s.value is not None}


def evidence_text(suggestions: Sequence[Suggestion], issue_id: str, criterion: str) -> str:
    """All evidence shown beside one criterion of one issue, joined into one text."""
    return " ".join(s.evidence for s in suggestions if s.issue_id == issue_id and criterion in s.applies_to)


def suggestions_table(suggestions: Sequence[Suggestion]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "issue_id": s.issue_id, "kind": s.kind, "criterion": s.criterion, "suggested": s.value,
                "evidence": s.evidence,
            }
            for s in suggestions
        ],
        schema={"issue_id": pl.String, "kind": pl.String, "criterion": pl.String, "suggested": pl.Float64, "evidence": pl.String},
    )
