"""Change tests checked against statsmodels and scipy, and against hand calculations."""

from datetime import date

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats
from statsmodels.stats.rates import test_poisson_2indep as poisson_2indep

from cspkit.analysis.change import MIN_TREND_MONTHS, clopper_pearson, compare_counts, compare_proportions, trend_test
from cspkit.errors import AnalysisError

from .conftest import months


@pytest.mark.parametrize(
    "previous,latest,e_prev,e_latest",
    [
        (120, 150, 1, 1),
        (30, 18, 1, 1),
        (7, 7, 1, 1),
        (400, 520, 250_000, 260_000),
        (0, 6, 1, 1),
        (5, 0, 1000, 2000),
    ],
)
@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")  # statsmodels' ratio when a count is 0
def test_poisson_means_test_matches_statsmodels(previous, latest, e_prev, e_latest) -> None:
    result = compare_counts(previous, latest, e_prev, e_latest)
    reference = poisson_2indep(latest, e_latest, previous, e_prev, method="exact-cond")
    assert result.p_value == pytest.approx(reference.pvalue, rel=1e-9)
    assert result.change == latest - previous


def test_rate_ratio_interval_by_hand() -> None:
    # latest 150 of 270: Clopper-Pearson interval for p, then p/(1-p) is the ratio (equal exposure).
    result = compare_counts(120, 150)
    low, high = stats.beta.ppf(0.025, 150, 121), stats.beta.ppf(0.975, 151, 120)
    assert result.rate_ratio == pytest.approx(1.25)
    assert result.pct_change == pytest.approx(25.0)
    assert result.ci_low == pytest.approx(low / (1 - low), rel=1e-9)
    assert result.ci_high == pytest.approx(high / (1 - high), rel=1e-9)
    assert result.ci_low < 1.25 < result.ci_high


@pytest.mark.parametrize("k,n", [(0, 5), (5, 5), (3, 40), (15602, 31282)])
def test_clopper_pearson_matches_scipy(k: int, n: int) -> None:
    reference = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="exact")
    assert clopper_pearson(k, n) == pytest.approx((reference.low, reference.high), rel=1e-9, abs=1e-12)


def test_no_incidents_gives_no_test() -> None:
    result = compare_counts(0, 0)
    assert result.p_value is None and result.rate_ratio is None and result.pct_change is None


def _series(n: int, annual: float, seed: int, base: float = 40.0, overdispersion: float = 0.0) -> tuple[list[int], list[date]]:
    rng = np.random.default_rng(seed)
    when = months(date(2019, 1, 1), n)
    t = np.arange(n) / 12
    season = 1 + 0.2 * np.sin(2 * np.pi * np.array([m.month for m in when]) / 12)
    mu = base * season * (1 + annual) ** t
    if overdispersion:
        mu = rng.gamma(1 / overdispersion, mu * overdispersion)
    return rng.poisson(mu).tolist(), when


def test_trend_matches_statsmodels_formula_fit() -> None:
    counts, when = _series(48, 0.10, seed=1, overdispersion=0.05)
    trend = trend_test(counts, when)
    frame = pd.DataFrame({"y": counts, "t": np.arange(48) / 12, "moy": [m.month for m in when]})
    fit = smf.glm("y ~ t + C(moy)", frame, family=sm.families.Poisson()).fit(scale="X2", use_t=True)
    assert fit.scale > 1  # overdispersed, so the quasi-Poisson scale is used as estimated
    assert trend.annual_pct == pytest.approx(np.expm1(fit.params["t"]) * 100, rel=1e-7)
    assert trend.p_value == pytest.approx(fit.pvalues["t"], rel=1e-6)
    low, high = fit.conf_int().loc["t"]
    assert (trend.ci_low, trend.ci_high) == pytest.approx((np.expm1(low) * 100, np.expm1(high) * 100), rel=1e-7)
    assert trend.dispersion == pytest.approx(fit.scale)


def test_trend_recovers_a_known_rise_and_a_flat_series() -> None:
    rising = trend_test(*_series(60, 0.15, seed=2, base=80))
    assert rising.ci_low < 15 < rising.ci_high and rising.p_value < 0.001
    flat = [trend_test(*_series(36, 0.0, seed=s)) for s in range(40)]
    false_alarms = sum(t.p_value < 0.05 for t in flat)
    assert false_alarms <= 6  # about 5% of 40 expected


def test_underdispersed_series_is_not_given_narrower_intervals_than_poisson() -> None:
    when = months(date(2020, 1, 1), 36)
    counts = [20 + (i % 2) for i in range(36)]
    trend = trend_test(counts, when)
    assert trend.dispersion == 1.0


def test_trend_needs_24_months_and_no_gaps() -> None:
    counts, when = _series(MIN_TREND_MONTHS - 1, 0.0, seed=3)
    with pytest.raises(AnalysisError, match="not enough months for a trend test: 23 months"):
        trend_test(counts, when)
    counts, when = _series(30, 0.0, seed=3)
    with pytest.raises(AnalysisError, match="consecutive months"):
        trend_test(counts[:10] + counts[11:], when[:10] + when[11:])
    with pytest.raises(AnalysisError, match="too few incidents"):
        trend_test([0] * 35 + [3], months(date(2020, 1, 1), 36))


def test_two_proportions_z_and_fisher() -> None:
    z_case = compare_proportions(40, 200, 60, 200)
    p_pool = 100 / 400
    z = (0.3 - 0.2) / np.sqrt(p_pool * (1 - p_pool) * (2 / 200))
    assert z_case.test == "two-proportion z-test"
    assert z_case.p_value == pytest.approx(2 * stats.norm.sf(z), rel=1e-9)
    assert z_case.difference == pytest.approx(0.1)
    small = compare_proportions(1, 10, 4, 12)
    assert small.test == "Fisher's exact test"
    assert small.p_value == pytest.approx(stats.fisher_exact([[4, 8], [1, 9]]).pvalue)
    with pytest.raises(AnalysisError):
        compare_proportions(5, 4, 1, 1)
