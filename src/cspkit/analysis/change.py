"""Tests of change for counts and proportions: is a rise or fall more than chance variation?

Plain values in, plain results out. The words used to report a result live in
:mod:`cspkit.analysis.wording`, so the words of a verdict have exactly one source.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

import numpy as np
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

from cspkit.errors import AnalysisError

#: A trend test needs every month of the year at least twice so that seasonality is not read as
#: trend; with 11 month-of-year terms, an intercept and a slope, 24 months leaves 11 residual degrees
#: of freedom to estimate overdispersion.
MIN_TREND_MONTHS = 24
#: Fewer incidents than this over the whole series carry no usable information about a trend.
MIN_TREND_INCIDENTS = 10


@dataclass(frozen=True)
class CountChange:
    """Two periods' counts compared with the exact conditional (Poisson means) test."""

    previous: int
    latest: int
    previous_exposure: float
    latest_exposure: float
    change: int
    pct_change: float | None
    rate_ratio: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    test: str = "exact conditional binomial test of two Poisson counts"
    confidence: float = 0.95


def compare_counts(
    previous: int,
    latest: int,
    previous_exposure: float = 1.0,
    latest_exposure: float = 1.0,
    confidence: float = 0.95,
) -> CountChange:
    """Compare two Poisson counts with equal or stated exposures (e.g. residents or months).

    Given the total, the latest count is binomial with p = latest_exposure / (both exposures) when
    the two rates are equal; the exact (Clopper-Pearson) interval for p gives the interval for the
    rate ratio latest/previous.
    """
    if previous < 0 or latest < 0:
        raise AnalysisError("counts cannot be negative")
    if previous_exposure <= 0 or latest_exposure <= 0:
        raise AnalysisError("exposures (population or months) must be positive")
    total = previous + latest
    pct = (latest - previous) / previous * 100 if previous else None
    if total == 0:
        return CountChange(
            previous, latest, previous_exposure, latest_exposure, 0, None, None, None, None, None, confidence=confidence
        )
    p0 = latest_exposure / (previous_exposure + latest_exposure)
    result = stats.binomtest(latest, total, p0)
    low, high = clopper_pearson(latest, total, confidence)
    scale = previous_exposure / latest_exposure

    def ratio(p: float) -> float | None:
        return None if p >= 1 else p / (1 - p) * scale

    rate_ratio = latest / previous * scale if previous else None
    return CountChange(
        previous=previous,
        latest=latest,
        previous_exposure=previous_exposure,
        latest_exposure=latest_exposure,
        change=latest - previous,
        pct_change=pct,
        rate_ratio=rate_ratio,
        ci_low=ratio(low),
        ci_high=ratio(high),
        p_value=float(result.pvalue),
        confidence=confidence,
    )


def clopper_pearson(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """The exact binomial interval, from beta quantiles (as ``binomtest(...).proportion_ci("exact")``,
    which solves for the same bounds by root finding and is ten times slower)."""
    tail = (1 - confidence) / 2
    low = stats.beta.ppf(tail, successes, trials - successes + 1) if successes > 0 else 0.0
    high = stats.beta.ppf(1 - tail, successes + 1, trials - successes) if successes < trials else 1.0
    return float(low), float(high)


@dataclass(frozen=True)
class Trend:
    """A fitted trend over a monthly series: the average change per year, net of seasonality."""

    months: int
    incidents: int
    annual_pct: float
    ci_low: float
    ci_high: float
    p_value: float
    dispersion: float
    seasonal_terms: bool
    method: str
    confidence: float = 0.95


def trend_test(counts: Sequence[int], months: Sequence[date], confidence: float = 0.95) -> Trend:
    """Quasi-Poisson regression of monthly counts on time (years) and month of year.

    The dispersion is the Pearson chi-square over residual degrees of freedom, floored at 1 so
    that an under-dispersed series is never given narrower intervals than a Poisson one; the
    interval and p-value use the t distribution on the residual degrees of freedom.
    """
    y = np.asarray(counts, dtype=float)
    if len(y) != len(months):
        raise AnalysisError("a trend test needs one count per month")
    if len(y) < MIN_TREND_MONTHS:
        raise AnalysisError(f"not enough months for a trend test: {len(y)} months given, at least {MIN_TREND_MONTHS} needed")
    steps = [(b.year - a.year) * 12 + b.month - a.month for a, b in pairwise(months)]
    if any(step != 1 for step in steps):
        raise AnalysisError("a trend test needs consecutive months with no gaps")
    if y.sum() < MIN_TREND_INCIDENTS:
        raise AnalysisError(
            f"too few incidents for a trend test: {int(y.sum())} in {len(y)} months (at least {MIN_TREND_INCIDENTS} needed)"
        )
    years = np.arange(len(y)) / 12.0
    month_of_year = np.array([m.month for m in months])
    totals_by_month = np.bincount(month_of_year, weights=y, minlength=13)[1:]
    seasonal = bool((totals_by_month > 0).all())
    columns = [np.ones_like(years), years]
    if seasonal:
        first = month_of_year[0]
        columns += [(month_of_year == m).astype(float) for m in range(1, 13) if m != first]
    design = np.column_stack(columns)
    model = sm.GLM(y, design, family=sm.families.Poisson())
    with warnings.catch_warnings():
        # A series the model fits exactly (e.g. a constant one) is reported with its interval; the
        # warning would only alarm a reader of the CLI output.
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        fit = model.fit(scale=1.0, use_t=True)
        dispersion = float(fit.pearson_chi2 / fit.df_resid)
        if dispersion > 1:
            fit = model.fit(scale=dispersion, use_t=True)
    low, high = fit.conf_int(alpha=1 - confidence)[1]
    slope = fit.params[1]
    return Trend(
        months=len(y),
        incidents=int(y.sum()),
        annual_pct=float(math.expm1(slope) * 100),
        ci_low=float(math.expm1(low) * 100),
        ci_high=float(math.expm1(high) * 100),
        p_value=float(fit.pvalues[1]),
        dispersion=max(dispersion, 1.0),
        seasonal_terms=seasonal,
        method="quasi-Poisson regression on time and month of year" if seasonal else "quasi-Poisson regression on time",
        confidence=confidence,
    )


@dataclass(frozen=True)
class ProportionChange:
    """Two periods' proportions (e.g. the share of victims who are repeat victims) compared."""

    previous_count: int
    previous_base: int
    latest_count: int
    latest_base: int
    previous_share: float | None
    latest_share: float | None
    difference: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    test: str
    confidence: float = 0.95


def compare_proportions(
    previous_count: int, previous_base: int, latest_count: int, latest_base: int, confidence: float = 0.95
) -> ProportionChange:
    """Two-proportion z-test, or Fisher's exact test when any expected cell is under 5.

    The interval for the difference (latest minus previous) is Newcombe's hybrid score interval,
    which behaves at small counts and at shares near 0 or 1.
    """
    for count, base in ((previous_count, previous_base), (latest_count, latest_base)):
        if base < 0 or count < 0 or count > base:
            raise AnalysisError(f"a proportion needs 0 <= count <= base, got {count} of {base}")
    if previous_base == 0 or latest_base == 0:
        return ProportionChange(
            previous_count,
            previous_base,
            latest_count,
            latest_base,
            previous_count / previous_base if previous_base else None,
            latest_count / latest_base if latest_base else None,
            None,
            None,
            None,
            None,
            "no test: a period has no cases",
            confidence,
        )
    p1, p2 = previous_count / previous_base, latest_count / latest_base
    table = np.array([[latest_count, latest_base - latest_count], [previous_count, previous_base - previous_count]])
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / table.sum()
    if (expected < 5).any():
        p_value = float(stats.fisher_exact(table).pvalue)
        test = "Fisher's exact test"
    else:
        p_value = float(proportions_ztest([latest_count, previous_count], [latest_base, previous_base])[1])
        test = "two-proportion z-test"
    low, high = confint_proportions_2indep(
        latest_count, latest_base, previous_count, previous_base, method="newcomb", alpha=1 - confidence
    )
    return ProportionChange(
        previous_count,
        previous_base,
        latest_count,
        latest_base,
        p1,
        p2,
        p2 - p1,
        float(low),
        float(high),
        p_value,
        test,
        confidence,
    )
