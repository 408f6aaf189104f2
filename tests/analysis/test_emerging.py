"""Emerging hot spots: Mann-Kendall against pymannkendall and scipy, every one of the 17 categories on
a constructed series, and the whole pipeline on constructed counts and a warehouse."""


import numpy as np
import pymannkendall
import pytest
from scipy import stats

from cspkit.analysis.analyse import open_scope
from cspkit.analysis.area import Period
from cspkit.analysis.emerging import (
    CATEGORIES,
    emerging_category,
    emerging_hotspots,
    emerging_table,
    mann_kendall,
    time_steps,
)
from cspkit.analysis.hotspots import PermutationSettings, knn_weights
from cspkit.errors import AnalysisError

from .conftest import ALPHA, ALPHA_LSOAS


@pytest.mark.parametrize("seed", range(6))
def test_mann_kendall_equals_pymannkendall(seed: int) -> None:
    rng = np.random.default_rng(seed)
    series = rng.normal(size=12) + 0.15 * seed * np.arange(12)
    if seed % 2:
        series = np.round(series)  # ties, so the variance's tie correction is exercised
    ours = mann_kendall(series)
    theirs = pymannkendall.original_test(series)
    assert ours.s == theirs.s
    assert ours.tau == pytest.approx(theirs.Tau)
    assert ours.z == pytest.approx(theirs.z)
    assert ours.p_value == pytest.approx(theirs.p)


def test_mann_kendall_tau_equals_scipys_kendall_tau_without_ties() -> None:
    series = np.random.default_rng(8).normal(size=15)
    ours = mann_kendall(series)
    tau, _ = stats.kendalltau(np.arange(15), series)
    assert ours.tau == pytest.approx(tau)
    # Without the continuity correction the z-score is scipy's asymptotic one.
    assert ours.z == pytest.approx((ours.s - np.sign(ours.s)) / np.sqrt(15 * 14 * 35 / 18))


N = 12
QUIET = 0.1  # a z-score that is not significant


def _hot(steps) -> np.ndarray:
    flags = np.zeros(N, dtype=bool)
    flags[list(steps)] = True
    return flags


#: For each category: the z-scores of 12 steps and which steps are significant.
SERIES = {
    "new hot spot": (np.r_[np.full(11, QUIET), 3.0], _hot([11])),
    "new cold spot": (np.r_[np.full(11, QUIET), -3.0], _hot([11])),
    "consecutive hot spot": (np.r_[np.full(9, QUIET), 3.0, 3.2, 3.1], _hot([9, 10, 11])),
    "consecutive cold spot": (np.r_[np.full(9, QUIET), -3.0, -3.2, -3.1], _hot([9, 10, 11])),
    "intensifying hot spot": (np.linspace(2.5, 8, N), _hot(range(N))),
    "intensifying cold spot": (-np.linspace(2.5, 8, N), _hot(range(N))),
    "persistent hot spot": (np.tile([3.0, 4.0, 3.5], 4), _hot(range(N))),
    "persistent cold spot": (-np.tile([3.0, 4.0, 3.5], 4), _hot(range(N))),
    "diminishing hot spot": (np.linspace(8, 2.5, N), _hot(range(N))),
    "diminishing cold spot": (-np.linspace(8, 2.5, N), _hot(range(N))),
    "oscillating hot spot": (np.r_[-3.0, np.full(10, QUIET), 3.0], _hot([0, 11])),
    "oscillating cold spot": (np.r_[3.0, np.full(10, QUIET), -3.0], _hot([0, 11])),
    "historical hot spot": (np.r_[np.linspace(3, 8, 11), -0.5], _hot(range(11))),
    "historical cold spot": (np.r_[-np.linspace(3, 8, 11), 0.5], _hot(range(11))),
    "sporadic hot spot": (np.r_[np.tile([3.0, QUIET], 5), QUIET, QUIET], _hot(range(0, 10, 2))),
    "sporadic cold spot": (np.r_[np.tile([-3.0, QUIET], 5), QUIET, QUIET], _hot(range(0, 10, 2))),
    "no pattern detected": (np.linspace(-1, 1, N), _hot([])),
}


def test_every_category_is_constructed() -> None:
    assert set(SERIES) == set(CATEGORIES) and len(CATEGORIES) == 17


@pytest.mark.parametrize("category", list(SERIES))
def test_constructed_series_fall_in_their_category(category: str) -> None:
    z, significant = SERIES[category]
    trend = mann_kendall(z)
    # The trend conditions the definitions rely on hold for the constructed series.
    if category.startswith(("intensifying hot", "diminishing cold", "historical hot")):
        assert trend.tau > 0 and trend.p_value < 0.05
    if category.startswith(("intensifying cold", "diminishing hot", "historical cold")):
        assert trend.tau < 0 and trend.p_value < 0.05
    if category.startswith("persistent"):
        assert trend.p_value > 0.05
    assert emerging_category(z, significant, trend, alpha=0.05) == category


def test_a_long_run_of_hot_steps_is_not_consecutive_but_persistent_or_trending() -> None:
    """Consecutive means under 90% of steps: 11 of 12 hot steps in a row is no longer 'consecutive'."""
    z = np.r_[QUIET, np.tile([3.0, 3.5], 5), 3.2]
    significant = _hot(range(1, 12))
    assert emerging_category(z, significant, mann_kendall(z), 0.05) != "consecutive hot spot"


def test_quarters_end_at_the_period_end() -> None:
    steps = time_steps(Period.parse("2021-05", "2024-04"))
    assert len(steps) == 12
    assert (steps[0].label(), steps[-1].label()) == ("2021-05 to 2021-07", "2024-02 to 2024-04")
    # 38 months: the two leading months that do not fill a quarter are left out.
    assert time_steps(Period.parse("2021-03", "2024-04"))[0].label() == "2021-05 to 2021-07"
    with pytest.raises(AnalysisError, match=r"at least 10 time steps.*use monthly steps"):
        time_steps(Period.parse("2022-05", "2024-04"))
    assert len(time_steps(Period.parse("2022-05", "2024-04"), "month")) == 24


def test_a_growing_cluster_is_found_and_a_flat_area_has_no_pattern() -> None:
    rng = np.random.default_rng(4)
    n = 80
    codes = [f"L{i:02d}" for i in range(n)]
    weights = knn_weights(codes, rng.uniform(51.8, 52.2, n), rng.uniform(-0.7, -0.2, n), 6)
    counts = rng.poisson(10, (N, n))
    centre = 0
    cluster = [centre, *weights.matrix[centre].indices]
    for t in range(N):
        counts[t, cluster] += 6 * t  # nothing at first, then more each quarter
    steps = time_steps(Period.parse("2021-05", "2024-04"))
    table = emerging_table(counts, weights, steps, PermutationSettings(999, 3))
    row = table.row(centre, named=True)
    assert row["classification"] in {"consecutive hot spot", "intensifying hot spot", "new hot spot"}
    assert row["trend_tau"] > 0.5 and row["hot_steps"] >= 1
    flat = emerging_table(rng.poisson(10, (N, n)), weights, steps, PermutationSettings(199, 3))
    assert (flat["classification"] == "no pattern detected").mean() > 0.8


def test_emerging_hotspots_from_the_warehouse(steady_warehouse) -> None:
    with open_scope(steady_warehouse, ALPHA, Period.parse("2021-01", "2023-12")) as scope:
        table = emerging_hotspots(scope, "queen", crime_types=["Robbery", "Burglary"], settings=PermutationSettings(99, 1))
        monthly = emerging_hotspots(scope, "queen", settings=PermutationSettings(99, 1), step="month")
    assert table["lsoa21_code"].to_list() == sorted(ALPHA_LSOAS)
    assert set(table["steps"]) == {12} and set(monthly["steps"]) == {36}
    assert set(table["classification"]) <= set(CATEGORIES)
