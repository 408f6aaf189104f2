"""The matrix arithmetic on hand-worked examples, the classes, and a property test of the ranking."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cspkit.errors import InputError
from cspkit.risk.matrix import (
    INCOMPLETE,
    KNOWLEDGE_GAP,
    MONITOR,
    NOT_SCORED,
    PRIORITY_CANDIDATE,
    aggregate_criteria,
    heatmap,
    iqr,
    knowledge_gaps,
    risk_results,
)
from cspkit.risk.method import load_method
from cspkit.risk.register import Issue, IssueRegister
from cspkit.risk.scores import Score

from .conftest import default_values, scores_for


def burglary_example() -> list[Score]:
    """The worked example in docs/risk.md: three scorers on burglary."""
    return (
        scores_for("A", "burglary", default_values([1, 3, 3, 2, 0, 2], 3, 3, 4, 3, 3))
        + scores_for("B", "burglary", default_values([2, 3, 2, 2, 1, 2], 4, 3, 3, 3, 2), organisation="Council")
        + scores_for("C", "burglary", default_values([1, 4, 3, 3, 0, 3], 3, 4, 4, 2, 2), organisation="Fire and rescue")
    )


def row(results: pl.DataFrame, issue_id: str) -> dict:
    return results.filter(pl.col("issue_id") == issue_id).row(0, named=True)


def test_worked_example_by_hand(method, small_register) -> None:
    results = risk_results(burglary_example(), method, small_register)
    burglary = row(results, "burglary")
    # medians: physical 1, psychological 3, financial 3, community 2, environment 0, economic 2 -> harm 11
    assert burglary["harm"] == 11
    assert burglary["likelihood"] == 3 and burglary["volume"] == 3
    assert burglary["risk_score"] == 11 * 3 * 3 == 99
    # organisational position = mean(capability median 3, capacity median 2); confidence median 4, beside the score
    assert burglary["organisational_position"] == 2.5
    assert burglary["confidence"] == 4
    assert burglary["n_scorers"] == 3
    assert burglary["max_range"] == 1 and not burglary["discuss"]
    assert burglary["class"] == MONITOR
    assert (burglary["heat_row"], burglary["heat_column"]) == ("Moderate harm (6-11)", "Possible")
    assert burglary["rank"] == 1


def test_beside_groups_never_change_the_risk_score(method, small_register) -> None:
    scores = burglary_example()
    changed = [
        Score(s.organisation, s.scorer, s.issue_id, s.criterion, 1.0) if s.criterion in ("capability", "capacity") else s
        for s in scores
    ]
    before = row(risk_results(scores, method, small_register), "burglary")
    after = row(risk_results(changed, method, small_register), "burglary")
    assert before["risk_score"] == after["risk_score"]
    assert after["organisational_position"] == 1


def test_aggregation_median_mean_max_and_spread(method) -> None:
    values = [1, 2, 4, 4]
    scores = [Score("Police", f"s{i}", "burglary", "likelihood", float(v)) for i, v in enumerate(values)]
    table = aggregate_criteria(scores, method).row(0, named=True)
    assert table["value"] == 3.0  # median of an even count is the mean of the middle two
    assert table["range"] == 3.0
    assert table["iqr"] == pytest.approx(np.percentile(values, 75) - np.percentile(values, 25))
    assert table["discuss"]  # range 3 > threshold 2
    for how, expected in (("mean", 2.75), ("max", 4.0)):
        other = replace(method, aggregation=how)
        assert aggregate_criteria(scores, other).row(0, named=True)["value"] == expected


def test_iqr_by_hand() -> None:
    # numpy's linear interpolation: Q1 of 1,2,3,4 is 1.75, Q3 is 3.25
    assert iqr([1, 2, 3, 4]) == pytest.approx(1.5)
    assert iqr([2, 2, 2]) == 0


def test_discuss_flag_is_strictly_more_than_the_threshold(method) -> None:
    at = [Score("P", "a", "asb", "volume", 2.0), Score("C", "b", "asb", "volume", 4.0)]
    above = [Score("P", "a", "asb", "volume", 1.0), Score("C", "b", "asb", "volume", 4.0)]
    assert not aggregate_criteria(at, method)["discuss"][0]
    assert aggregate_criteria(above, method)["discuss"][0]


def test_iqr_as_the_discuss_measure(method) -> None:
    iqr_method = replace(method, discuss_measure="iqr", discuss_threshold=1.0)
    values = [1, 1, 4, 4]  # IQR 3 > 1
    scores = [Score("P", f"s{i}", "asb", "volume", float(v)) for i, v in enumerate(values)]
    assert aggregate_criteria(scores, iqr_method)["discuss"][0]
    calm = [Score("P", f"s{i}", "asb", "volume", float(v)) for i, v in enumerate([1, 3, 3, 3, 5])]  # IQR 0
    assert not aggregate_criteria(calm, iqr_method)["discuss"][0]


def test_knowledge_gap_high_harm_low_confidence(method, small_register) -> None:
    # harm 3+3+2+3+1+0 = 12 (at the threshold), confidence 2 (at the threshold), risk low: still a knowledge gap
    scores = scores_for("A", "substance_misuse", default_values([3, 3, 2, 3, 1, 0], 1, 1, 2, 2, 2))
    result = row(risk_results(scores, method, small_register), "substance_misuse")
    assert result["risk_score"] == 12
    assert result["class"] == KNOWLEDGE_GAP
    gaps = knowledge_gaps(risk_results(scores, method, small_register))
    assert gaps["issue_id"].to_list() == ["substance_misuse"]


def test_no_gap_when_harm_below_or_confidence_above(method, small_register) -> None:
    lower_harm = scores_for("A", "substance_misuse", default_values([3, 3, 2, 3, 0, 0], 1, 1, 2, 2, 2))  # harm 11
    sure = scores_for("A", "substance_misuse", default_values([3, 3, 2, 3, 1, 0], 1, 1, 3, 2, 2))  # confidence 3
    for scores in (lower_harm, sure):
        assert row(risk_results(scores, method, small_register), "substance_misuse")["class"] == MONITOR


def test_priority_candidate_incomplete_and_not_scored(method, small_register) -> None:
    high = scores_for("A", "asb", default_values([2, 2, 2, 3, 2, 2], 4, 5, 4, 3, 3))  # 13 x 4 x 5 = 260
    partial = [s for s in burglary_example() if s.criterion != "volume"]
    results = risk_results(high + partial, method, small_register)
    assert row(results, "asb")["class"] == PRIORITY_CANDIDATE and row(results, "asb")["risk_score"] == 260
    assert row(results, "burglary")["class"] == INCOMPLETE and row(results, "burglary")["risk_score"] is None
    assert row(results, "substance_misuse")["class"] == NOT_SCORED
    assert results["issue_id"].to_list() == ["asb", "burglary", "substance_misuse"]
    assert results["rank"].to_list() == [1, None, None]


def test_equal_scores_share_a_rank(method) -> None:
    register = IssueRegister("t", "1", tuple(Issue(i, i.title()) for i in ("a", "b", "c")))
    values = default_values([1, 1, 1, 1, 1, 1], 2, 2, 3, 3, 3)  # 6 x 2 x 2 = 24
    low = default_values([1, 1, 1, 1, 1, 1], 1, 2, 3, 3, 3)  # 12
    scores = scores_for("A", "a", values) + scores_for("A", "b", values) + scores_for("A", "c", low)
    results = risk_results(scores, method, register)
    assert results["rank"].to_list() == [1, 1, 3]


def test_heatmap_places_every_scored_issue_once(method, small_register) -> None:
    results = risk_results(burglary_example(), method, small_register)
    grid = heatmap(results, method)
    assert grid.height == len(method.heatmap.row_bands) * len(method.heatmap.column_bands)
    placed = grid.filter(pl.col("n_issues") > 0)
    assert placed.select("row_band", "column_band", "issue_ids").rows() == [
        ("Moderate harm (6-11)", "Possible", ["burglary"])
    ]


def test_simple_4x4_method_works_downstream(grid, small_register) -> None:
    scores = [
        Score("Police", "a", "burglary", "impact", 3.0), Score("Police", "a", "burglary", "likelihood", 4.0),
        Score("Police", "a", "burglary", "confidence", 3.0),
        Score("Council", "b", "burglary", "impact", 2.0), Score("Council", "b", "burglary", "likelihood", 3.0),
        Score("Council", "b", "burglary", "confidence", 2.0),
        Score("Police", "a", "substance_misuse", "impact", 4.0), Score("Police", "a", "substance_misuse", "likelihood", 2.0),
        Score("Police", "a", "substance_misuse", "confidence", 1.0),
    ]
    results = risk_results(scores, grid, small_register)
    assert "impact" in results.columns and "harm" not in results.columns
    burglary = row(results, "burglary")
    assert burglary["risk_score"] == 2.5 * 3.5  # medians, then impact x likelihood
    assert burglary["class"] == MONITOR  # 8.75 < 9
    assert row(results, "substance_misuse")["class"] == KNOWLEDGE_GAP  # impact 4 >= 3, confidence 1 <= 1
    cells = heatmap(results, grid)
    assert cells.height == 16
    assert cells["n_issues"].sum() == 2


# --------------------------------------------------------------------------------------------- property


@st.composite
def scored_round(draw):
    method = load_method(draw(st.sampled_from(["default", "simple_4x4"])))
    n_issues = draw(st.integers(1, 8))
    register = IssueRegister("t", "1", tuple(Issue(f"issue_{i}", f"Issue {i}") for i in range(n_issues)))
    n_scorers = draw(st.integers(1, 4))
    scores = []
    for issue in register.issues:
        if n_issues > 1 and draw(st.integers(0, 3)) == 0:
            continue  # some issues are not scored at all
        for s in range(n_scorers):
            for criterion in method.criteria:
                value = draw(st.sampled_from(criterion.values))
                scores.append(Score(f"Org {s % 2}", f"scorer {s}", issue.id, criterion.id, value))
    return method, register, scores


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scored_round())
def test_any_valid_scores_give_a_complete_consistent_ranking(case) -> None:
    method, register, scores = case
    results = risk_results(scores, method, register)
    # every issue appears exactly once
    assert sorted(results["issue_id"].to_list()) == sorted(register.ids)
    ranked = results.filter(pl.col("risk_score").is_not_null())
    unranked = results.filter(pl.col("risk_score").is_null())
    assert unranked["rank"].null_count() == unranked.height
    # ranked issues first, in non-increasing risk order
    assert results["risk_score"].to_list()[: ranked.height] == ranked["risk_score"].to_list()
    risks = ranked["risk_score"].to_list()
    assert risks == sorted(risks, reverse=True)
    # the rank says how many issues score strictly higher, so equal scores share a rank
    for r in ranked.iter_rows(named=True):
        assert r["rank"] == 1 + sum(1 for other in risks if other > r["risk_score"])
        # and the risk score is the rule applied to the group columns shown beside it
        assert r["risk_score"] == pytest.approx(math.prod(r[g] for g in method.risk_groups))
    # every issue with a complete score is placed once on the heat map
    assert heatmap(results, method)["n_issues"].sum() == ranked.height


def test_scores_outside_the_register_or_method_are_never_dropped_silently(method, small_register) -> None:
    with pytest.raises(InputError, match="issues not in the issues register test: unicorns"):
        risk_results([Score("P", "a", "unicorns", "volume", 3.0)], method, small_register)
    with pytest.raises(InputError, match=r"criteria not in method cspkit-default@1\.0: colour"):
        risk_results([Score("P", "a", "asb", "colour", 3.0)], method, small_register)
