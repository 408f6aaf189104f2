"""The board's tested changes: the issues on the board are one family, and the documents use its verdicts."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import polars as pl
import pytest
from statsmodels.stats.multitest import multipletests

from cspkit.analysis.area import Period
from cspkit.analysis.change import compare_monthly_counts
from cspkit.priorities.evidence import board_evidence, issue_change, issue_tests
from cspkit.risk.register import Issue, IssueRegister

PERIOD = Period.parse("2022-05", "2024-04")


def _analysis() -> SimpleNamespace:
    """An analysis result's monthly counts for five categories: drugs rise by 40%, the rest are flat."""
    rng = np.random.default_rng(2)
    months = PERIOD.month_list()
    rows = [
        {"crime_type": name, "month": m, "count": int(rng.poisson(base * (1.4 if name == "Drugs" and i >= 12 else 1)))}
        for name, base in (("Drugs", 25), ("Burglary", 40), ("Robbery", 8), ("Bicycle theft", 6), ("Shoplifting", 60))
        for i, m in enumerate(months)
    ]
    return SimpleNamespace(monthly=pl.DataFrame(rows), period=PERIOD, provenance={})


REGISTER = IssueRegister("t", "1", (
    Issue("drugs", "Drug supply", crime_categories=("Drugs",)),
    Issue("acquisitive", "Acquisitive crime", crime_categories=("Burglary", "Robbery", "Bicycle theft")),
    Issue("retail", "Retail crime", crime_categories=("Shoplifting",)),
    Issue("cyber", "Cyber-crime"),
))


def test_the_issues_on_the_board_are_one_family() -> None:
    analysis = _analysis()
    change, trend = issue_tests(analysis, REGISTER.issues, alpha=0.05)
    assert sorted(change["crime_type"]) == ["Acquisitive crime", "Drug supply", "Retail crime"]
    assert change["q_value"].to_list() == pytest.approx(list(multipletests(change["p_value"].to_list(), method="fdr_bh")[1]))
    acquisitive = analysis.monthly.filter(pl.col("crime_type").is_in(["Burglary", "Robbery", "Bicycle theft"]))
    summed = acquisitive.group_by("month").agg(pl.col("count").sum()).sort("month")["count"].to_list()
    months = PERIOD.month_list()
    expected = compare_monthly_counts(summed[:12], summed[12:], months[:12], months[12:])
    assert change.filter(pl.col("crime_type") == "Acquisitive crime")["p_value"][0] == expected.p_value
    assert trend is not None and trend.height == 3

    board = {e.issue_id: e for e in board_evidence(REGISTER, analysis=analysis, alpha=0.05)}
    for issue in REGISTER.issues[:3]:
        tested, _ = issue_change(change, issue.name)
        shown = board[issue.id].change_1y
        assert (shown.p_value, shown.q_value, shown.significant) == (tested.p_value, tested.q_value, tested.q_value < 0.05)
        assert ("statistically significant" in shown.verdict) == shown.significant
        assert "3 results tested together" in shown.verdict
    assert board["cyber"].change_1y is None
