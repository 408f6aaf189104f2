"""Change tests checked against statsmodels and scipy, and against hand calculations."""

import re
from datetime import date

import numpy as np
import pandas as pd
import polars as pl
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.rates import test_poisson_2indep as poisson_2indep

from cspkit.analysis.area import Period
from cspkit.analysis.change import (
    MIN_TREND_MONTHS,
    QUASI_POISSON,
    QUASI_POISSON_SEASONAL,
    benjamini_hochberg,
    clopper_pearson,
    compare_counts,
    compare_monthly_counts,
    compare_proportions,
    newey_west_lags,
    trend_test,
)
from cspkit.analysis.comparisons import change_table
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


def _two_years(previous: list[int], latest: list[int]) -> pd.DataFrame:
    when = months(date(2022, 5, 1), 24)
    return pd.DataFrame({"y": previous + latest, "latest": [0] * 12 + [1] * 12, "moy": [m.month for m in when]})


def _statsmodels_quasi_poisson(formula: str, frame: pd.DataFrame, **fit_options):
    """The quasi-Poisson fit as cspkit defines it, with statsmodels' formula API: Pearson scale floored at 1
    (t inference on the residual df for an estimated scale, normal for the Poisson scale)."""
    model = smf.glm(formula, frame, family=sm.families.Poisson())
    fit = model.fit(scale="X2", use_t=True, **fit_options)
    return fit if fit.scale > 1 else model.fit(scale=1.0, use_t=False, **fit_options)


def test_monthly_change_matches_statsmodels_quasi_poisson_with_month_of_year() -> None:
    rng = np.random.default_rng(4)
    season = 1 + 0.3 * np.sin(np.arange(24) * np.pi / 6)
    counts = rng.poisson(rng.gamma(5, 30 * season / 5)).tolist()  # overdispersed
    when = months(date(2022, 5, 1), 24)
    result = compare_monthly_counts(counts[:12], counts[12:], when[:12], when[12:])
    fit = _statsmodels_quasi_poisson("y ~ latest + C(moy)", _two_years(counts[:12], counts[12:]))
    assert fit.scale > 1.5
    assert result.test == QUASI_POISSON_SEASONAL
    assert result.dispersion == pytest.approx(fit.scale, rel=1e-9)
    assert result.p_value == pytest.approx(fit.pvalues["latest"], rel=1e-5)
    assert result.rate_ratio == pytest.approx(np.exp(fit.params["latest"]), rel=1e-9)
    assert result.rate_ratio == pytest.approx(sum(counts[12:]) / sum(counts[:12]), rel=1e-9)  # balanced design
    low, high = np.exp(fit.conf_int().loc["latest"])
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high), rel=1e-6)
    exact = poisson_2indep(sum(counts[12:]), 1, sum(counts[:12]), 1, method="exact-cond").pvalue
    assert result.p_value_exact_poisson == pytest.approx(exact, rel=1e-9)
    assert result.p_value > result.p_value_exact_poisson  # overdispersion widens the test


def test_monthly_change_without_month_of_year_terms_when_a_month_never_has_incidents() -> None:
    previous = [0, 3, 4, 2, 5, 6, 2, 3, 4, 5, 2, 3]
    latest = [0, 5, 6, 4, 7, 3, 6, 5, 8, 4, 6, 7]
    when = months(date(2022, 5, 1), 24)
    result = compare_monthly_counts(previous, latest, when[:12], when[12:])
    fit = _statsmodels_quasi_poisson("y ~ latest", _two_years(previous, latest))
    assert result.test == QUASI_POISSON
    assert result.p_value == pytest.approx(fit.pvalues["latest"], rel=1e-5)
    assert result.dispersion == pytest.approx(fit.scale, rel=1e-9)


@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.PerfectSeparationWarning")  # the reference fit
def test_monthly_change_under_dispersed_keeps_poisson_variance() -> None:
    when = months(date(2022, 5, 1), 24)
    result = compare_monthly_counts([50] * 12, [55] * 12, when[:12], when[12:])
    assert result.dispersion == 1.0
    fit = _statsmodels_quasi_poisson("y ~ latest + C(moy)", _two_years([50] * 12, [55] * 12))
    assert result.p_value == pytest.approx(fit.pvalues["latest"], rel=1e-5)


@pytest.mark.parametrize(
    "previous,latest,reason",
    [([1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0], [2] * 12, "fewer than 5 incidents in a period"),
     ([9, 8, 7], [5, 6, 4], "fewer than 6 months in a period")],
)
def test_monthly_change_falls_back_to_the_exact_test_and_says_so(previous, latest, reason) -> None:
    when = months(date(2022, 1, 1), len(previous) + len(latest))
    result = compare_monthly_counts(previous, latest, when[: len(previous)], when[len(previous) :])
    exact = poisson_2indep(sum(latest), len(latest), sum(previous), len(previous), method="exact-cond").pvalue
    assert result.p_value == result.p_value_exact_poisson == pytest.approx(exact, rel=1e-9)
    assert result.test.startswith("exact conditional binomial test") and reason in result.test
    assert result.dispersion is None


def test_no_incidents_in_either_period_is_no_test() -> None:
    when = months(date(2022, 1, 1), 24)
    result = compare_monthly_counts([0] * 12, [0] * 12, when[:12], when[12:])
    assert result.p_value is None and result.p_value_exact_poisson is None


def test_benjamini_hochberg_matches_statsmodels_and_keeps_untested_rows() -> None:
    p = [0.01, None, 0.04, 0.03, 0.2, None, 0.001, 0.5]
    tested = [v for v in p if v is not None]
    reference = iter(multipletests(tested, method="fdr_bh")[1])
    assert benjamini_hochberg(p) == [None if v is None else pytest.approx(next(reference), rel=1e-12) for v in p]
    assert benjamini_hochberg([]) == []


def test_trend_uses_the_larger_of_quasi_poisson_and_newey_west_standard_errors() -> None:
    rng = np.random.default_rng(7)
    when = months(date(2019, 1, 1), 48)
    drift = np.cumsum(rng.normal(0, 0.08, 48))  # autocorrelated departures from the trend
    counts = rng.poisson(40 * np.exp(0.05 * np.arange(48) / 12 + drift)).tolist()
    frame = pd.DataFrame({"y": counts, "t": np.arange(48) / 12, "moy": [m.month for m in when]})
    quasi = _statsmodels_quasi_poisson("y ~ t + C(moy)", frame)
    hac = smf.glm("y ~ t + C(moy)", frame, family=sm.families.Poisson()).fit(
        cov_type="HAC", cov_kwds={"maxlags": newey_west_lags(48)}, use_t=True
    )
    chosen = hac if hac.bse["t"] > quasi.bse["t"] else quasi
    trend = trend_test(counts, when)
    assert trend.p_value == pytest.approx(chosen.pvalues["t"], rel=1e-6)
    assert ("Newey-West" in trend.method) == (chosen is hac)
    assert newey_west_lags(24) == 2 and newey_west_lags(36) == 3


def test_change_table_tests_monthly_counts_and_controls_the_false_discovery_rate() -> None:
    rng = np.random.default_rng(11)
    when = months(date(2021, 5, 1), 36)
    levels = {"Burglary": (30, 1.0), "Drugs": (20, 1.25), "Robbery": (6, 1.0), "Shoplifting": (60, 1.5), "Arson": (0.2, 1.0)}
    frame = pl.DataFrame(
        [
            {"crime_type": name, "month": m, "count": int(rng.poisson(base * (rise if i >= 24 else 1.0)))}
            for name, (base, rise) in levels.items()
            for i, m in enumerate(when)
        ]
    )
    table = change_table(frame, Period(when[0], when[-1]), alpha=0.05)
    assert set(table.columns) >= {"p_value", "p_value_exact_poisson", "q_value", "dispersion", "test", "significant"}
    for _, rows in table.group_by("comparison"):
        reference = multipletests(rows["p_value"].to_list(), method="fdr_bh")[1]
        assert rows["q_value"].to_list() == pytest.approx(list(reference), rel=1e-12)
        assert rows["significant"].to_list() == [q < 0.05 for q in rows["q_value"]]
    latest = table.filter(pl.col("comparison") == table["comparison"][0])
    for r in latest.iter_rows(named=True):
        before = frame.filter((pl.col("crime_type") == r["crime_type"]) & pl.col("month").is_between(when[12], when[23]))
        after = frame.filter((pl.col("crime_type") == r["crime_type"]) & (pl.col("month") >= when[24]))
        expected = compare_monthly_counts(before["count"].to_list(), after["count"].to_list(), when[12:24], when[24:])
        assert (r["p_value"], r["test"], r["dispersion"]) == (expected.p_value, expected.test, expected.dispersion)
        assert r["previous_count"] == before["count"].sum() and r["latest_count"] == after["count"].sum()
        assert ("statistically significant" in r["statement"]) == r["significant"]
    assert latest.filter(pl.col("crime_type") == "Arson")["test"][0].startswith("exact")


def test_change_statements_name_their_months_in_words() -> None:
    """The sentence the executive summary quotes reads "in May 2022 to April 2023", never "2022-05"."""
    when = months(date(2021, 5, 1), 36)
    frame = pl.DataFrame([{"crime_type": "Burglary", "month": m, "count": 10 + i // 12} for i, m in enumerate(when)])
    statements = change_table(frame, Period(when[0], when[-1]), alpha=0.05)["statement"].to_list()
    assert "in May 2022 to April 2023 to" in statements[0] and statements[0].endswith("real change.")
    assert not any(re.search(r"\d{4}-\d{2}", s) for s in statements)
