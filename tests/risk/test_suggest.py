"""Data-suggested scores: bands, tested change, harm hint and the 'no data' evidence."""

from __future__ import annotations

import pytest

from cspkit.risk.suggest import (
    IssueEvidence,
    evidence_text,
    suggest_scores,
    suggested_values,
    suggestions_table,
)


def by_kind(evidence: IssueEvidence, method) -> dict:
    return {s.kind: s for s in suggest_scores(evidence, method)}


@pytest.mark.parametrize(
    ("rate", "expected"), [(0.0, 1), (0.49, 1), (0.5, 2), (1.99, 2), (2.0, 3), (5.0, 4), (9.99, 4), (10.0, 5), (40.0, 5)]
)
def test_volume_banded_on_rate_per_1000(method, rate, expected) -> None:
    found = by_kind(IssueEvidence("burglary", True, annual_count=999_999, rate_per_1000=rate), method)
    assert found["volume"].value == expected
    assert "rate per 1,000" in found["volume"].evidence


def test_volume_from_counts_when_no_rate(method) -> None:
    found = by_kind(IssueEvidence("asb", True, annual_count=260), method)
    assert found["volume"].value == 3  # 250 to 999 a year
    assert "260 in the latest 12 months" in found["volume"].evidence
    assert found["volume"].figures["basis"] == "count a year"


@pytest.mark.parametrize(
    ("ratio", "p", "significant", "expected", "words"),
    [
        (0.80, 0.001, True, 2, "a fall, statistically significant"),
        (1.05, 0.40, False, 3, "no real change: within the range expected from chance"),
        (0.90, 0.20, False, 3, "no real change: within the range expected from chance"),
        (1.15, 0.01, True, 4, "a rise, statistically significant"),
        (1.30, 0.0001, True, 5, "a sharp rise, statistically significant"),
    ],
)
def test_likelihood_from_tested_change(method, ratio, p, significant, expected, words) -> None:
    evidence = IssueEvidence("burglary", True, annual_count=int(100 * ratio), previous_count=100, change_ratio=ratio,
                             p_value=p, significant=significant)
    suggestion = by_kind(evidence, method)["likelihood"]
    assert suggestion.value == expected
    assert words in suggestion.evidence
    # "statistically significant" only appears when the test says so
    assert ("statistically significant" in suggestion.evidence) == significant
    assert suggestion.figures["p_value"] == p


def test_harm_hint_is_advice_in_the_default_method(method) -> None:
    found = by_kind(IssueEvidence("violence", True, harm_index=760_000.0, harm_share=0.5), method)
    hint = found["harm"]
    assert hint.criterion is None and hint.value is None
    assert "50.0%" in hint.evidence and "main sources" in hint.evidence
    assert set(hint.applies_to) == set(method.group("harm").criteria)
    assert ("violence", "harm_physical") not in suggested_values([hint])


def test_harm_hint_suggests_impact_in_the_4x4_method(grid) -> None:
    hint = by_kind(IssueEvidence("robbery", True, harm_index=100.0, harm_share=0.12), grid)["harm"]
    assert (hint.criterion, hint.value) == ("impact", 3)


def test_no_data_suggests_low_confidence(method) -> None:
    found = suggest_scores(IssueEvidence("cyber_fraud", False), method)
    assert [s.kind for s in found] == ["no data"]
    no_data = found[0]
    assert (no_data.criterion, no_data.value) == ("confidence_knowledge", 1)
    assert "No data maps to this issue" in no_data.evidence
    assert {"volume", "likelihood", "confidence_knowledge"} <= set(no_data.applies_to)
    assert "No data maps" in evidence_text(found, "cyber_fraud", "volume")


def test_missing_figures_invent_nothing(method) -> None:
    assert suggest_scores(IssueEvidence("burglary", True), method) == []
    untested = IssueEvidence("burglary", True, change_ratio=1.5)  # a ratio without a test result
    assert "likelihood" not in by_kind(untested, method)


def test_suggestions_table(method) -> None:
    evidence = IssueEvidence("burglary", True, annual_count=834, rate_per_1000=2.83, previous_count=800,
                             change_ratio=1.04, p_value=0.4, significant=False, harm_index=3.1e5, harm_share=0.2)
    table = suggestions_table(suggest_scores(evidence, method))
    assert table.columns == ["issue_id", "kind", "criterion", "suggested", "evidence"]
    assert table.height == 3
    assert suggested_values(suggest_scores(evidence, method)) == {("burglary", "volume"): 3, ("burglary", "likelihood"): 3}
