"""Stop and search by ethnicity: group mapping, rates per 1,000 and the Katz interval, checked against
statsmodels and a hand calculation."""

from __future__ import annotations

import math

import polars as pl
import pytest
from statsmodels.stats.contingency_tables import Table2x2

from cspkit.analysis.stop_search import (
    GROUPS,
    NOT_STATED,
    census_ethnicity,
    census_group,
    disproportionality,
    katz_interval,
    police_group,
)


def test_police_and_census_labels_map_to_the_same_broad_groups() -> None:
    assert police_group("Black/African/Caribbean/Black British - African") == "Black"
    assert police_group("Asian/Asian British - Pakistani") == "Asian"
    assert police_group("Mixed/Multiple ethnic groups - White and Black Caribbean") == "Mixed"
    assert police_group("White - English/Welsh/Scottish/Northern Irish/British") == "White"
    assert police_group("Other ethnic group - Arab") == "Other"
    assert police_group("Other ethnic group - Not stated") == NOT_STATED
    assert police_group(None) == NOT_STATED
    assert census_group("Black, Black British, Black Welsh, Caribbean or African: African") == "Black"
    assert census_group("Asian, Asian British or Asian Welsh: Indian") == "Asian"
    assert census_group("Mixed or Multiple ethnic groups: White and Asian") == "Mixed"
    assert census_group("White: Gypsy or Irish Traveller") == "White"
    assert census_group("Other ethnic group: Arab") == "Other"


def test_census_groups_sum_to_the_districts_residents() -> None:
    """Central Bedfordshire: 294,251 usual residents in TS021 (19 groups), 245,769 + 3,527 + 436 + 297 + 15,516 White."""
    groups = dict(census_ethnicity(["E06000056"]).iter_rows())
    assert set(groups) == set(GROUPS)
    assert sum(groups.values()) == 294_251
    assert groups["White"] == 245_769 + 3_527 + 436 + 297 + 15_516


@pytest.mark.parametrize(("a", "n1", "c", "n2"), [(54, 7_018, 851, 265_545), (12, 4_000, 300, 250_000), (5, 900, 40, 9_000)])
def test_katz_interval_matches_statsmodels_and_a_hand_calculation(a: int, n1: int, c: int, n2: int) -> None:
    ratio, low, high = katz_interval(a, n1, c, n2)
    table = Table2x2([[a, n1 - a], [c, n2 - c]])
    assert ratio == pytest.approx(table.riskratio)
    assert (low, high) == pytest.approx(table.riskratio_confint(alpha=0.05, method="normal"))
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)  # by hand, z = 1.959964
    assert low == pytest.approx(ratio * math.exp(-1.959964 * se), rel=1e-6)
    assert high == pytest.approx(ratio * math.exp(1.959964 * se), rel=1e-6)


def test_disproportionality_rates_and_ratios() -> None:
    searches = pl.DataFrame({"group": ["White", "Black", "Asian", NOT_STATED], "searches": [100, 20, 0, 30]})
    residents = pl.DataFrame({"group": list(GROUPS), "residents": [10_000, 2_000, 5_000, 100_000, 1_000]})
    table = {r["group"]: r for r in disproportionality(searches, residents).iter_rows(named=True)}
    assert table["White"]["rate_per_1000"] == pytest.approx(1.0) and table["White"]["ratio"] == 1.0
    assert table["Black"]["rate_per_1000"] == pytest.approx(10.0)
    assert table["Black"]["ratio"] == pytest.approx(10.0)
    assert table["Black"]["ci_low"] < 10.0 < table["Black"]["ci_high"]
    assert table["Asian"]["ratio"] is None  # no searches: no ratio, no interval
    assert table[NOT_STATED]["searches"] == 30 and table[NOT_STATED]["rate_per_1000"] is None
