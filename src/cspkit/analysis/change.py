"""Tests of change for counts and proportions: is a rise or fall more than chance variation?

Plain values in, plain results out. The words used to report a result live in
:mod:`cspkit.analysis.wording`, so the words of a verdict have exactly one source.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from itertools import pairwise

import numpy as np
from scipy import stats

from cspkit.analysis.multiplicity import bh_q_values
from cspkit.errors import AnalysisError

# statsmodels is imported inside the functions that fit models: importing it costs about a second,
# which every CLI command would otherwise pay.

#: A trend test needs every month of the year at least twice so that seasonality is not read as
#: trend; with 11 month-of-year terms, an intercept and a slope, 24 months leaves 11 residual degrees
#: of freedom to estimate overdispersion.
MIN_TREND_MONTHS = 24
#: Fewer incidents than this over the whole series carry no usable information about a trend.
MIN_TREND_INCIDENTS = 10
#: A model of the monthly counts needs at least this many months in each period and this many
#: incidents in each; below either, the exact test of the two totals is the headline test.
MIN_CHANGE_MONTHS = 6
MIN_CHANGE_INCIDENTS = 5
#: Month-of-year terms are only fitted when they leave this many residual degrees of freedom to
#: estimate the overdispersion from (12 + 12 months leave 11).
MIN_RESIDUAL_DF = 6

EXACT_TEST = "exact conditional binomial test of two Poisson counts"
QUASI_POISSON_SEASONAL = "quasi-Poisson regression of monthly counts on period and month of year"
QUASI_POISSON = "quasi-Poisson regression of monthly counts on period"


@dataclass(frozen=True)
class CountChange:
    """Two periods' counts compared: ``p_value`` by the test named in ``test``, and always the exact conditional
    (Poisson means) test of the two totals."""

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
    test: str = EXACT_TEST
    confidence: float = 0.95
    #: The exact test of the two totals, always computed: it assumes Poisson variation, which
    #: monthly police counts exceed, so it is shown beside the headline test, not instead of it.
    p_value_exact_poisson: float | None = None
    #: Pearson chi-square over residual degrees of freedom (floored at 1); None for the exact test.
    dispersion: float | None = None


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
        p_value_exact_poisson=float(result.pvalue),
    )


def compare_monthly_counts(
    previous: Sequence[int],
    latest: Sequence[int],
    previous_months: Sequence[date],
    latest_months: Sequence[date],
    confidence: float = 0.95,
) -> CountChange:
    """Compare two periods from their monthly counts, allowing for more variation than Poisson.

    Monthly police counts vary up to several times more than a Poisson count would, so the exact
    test of the two totals calls chance variation real too often. The headline test is a
    quasi-Poisson regression of the monthly counts on a period indicator (and month-of-year terms
    where every month of the year has incidents and enough months remain to estimate the
    dispersion); its dispersion is floored at 1 (see :func:`quasi_poisson` for t or normal inference).
    With fewer than :data:`MIN_CHANGE_MONTHS` months or :data:`MIN_CHANGE_INCIDENTS` incidents in a
    period, the exact test is the headline test and ``test`` says why.
    """
    if len(previous) != len(previous_months) or len(latest) != len(latest_months):
        raise AnalysisError("a change test needs one count per month")
    before, after = int(sum(previous)), int(sum(latest))
    exact = compare_counts(before, after, len(previous) or 1, len(latest) or 1, confidence)
    too_short = min(len(previous), len(latest)) < MIN_CHANGE_MONTHS
    too_few = min(before, after) < MIN_CHANGE_INCIDENTS
    if exact.p_value is None or too_short or too_few:
        reason = (
            f"fewer than {MIN_CHANGE_MONTHS} months in a period" if too_short
            else f"fewer than {MIN_CHANGE_INCIDENTS} incidents in a period"
        )
        test = exact.test if exact.p_value is None else f"{EXACT_TEST} ({reason}, too little to model the monthly counts)"
        return replace(exact, test=test)
    y = np.asarray([*previous, *latest], dtype=float)
    period = np.r_[np.zeros(len(previous)), np.ones(len(latest))]
    month_of_year = np.array([m.month for m in [*previous_months, *latest_months]])
    columns = [np.ones_like(y), period]
    seasonal = _month_of_year_columns(y, month_of_year, len(columns))
    fit, dispersion = quasi_poisson(y, np.column_stack(columns + seasonal))
    low, high = np.exp(fit.conf_int(alpha=1 - confidence)[1])
    return replace(
        exact,
        rate_ratio=float(np.exp(fit.params[1])),
        ci_low=float(low),
        ci_high=float(high),
        p_value=float(fit.pvalues[1]),
        test=QUASI_POISSON_SEASONAL if seasonal else QUASI_POISSON,
        dispersion=dispersion,
    )


def _month_of_year_columns(y: np.ndarray, month_of_year: np.ndarray, other_terms: int) -> list[np.ndarray]:
    """Indicator columns for month of year (the first month is the reference), or none when a month
    of the year has no incidents at all (its term would run to minus infinity) or when they would
    leave fewer than :data:`MIN_RESIDUAL_DF` residual degrees of freedom."""
    present = sorted(set(month_of_year.tolist()))
    totals = {m: y[month_of_year == m].sum() for m in present}
    if len(present) < 2 or min(totals.values()) <= 0 or len(y) - other_terms - (len(present) - 1) < MIN_RESIDUAL_DF:
        return []
    first = month_of_year[0]
    return [(month_of_year == m).astype(float) for m in present if m != first]


def quasi_poisson(y: np.ndarray, design: np.ndarray):
    """A Poisson GLM whose standard errors are scaled by the Pearson dispersion (floored at 1).

    Returns the fit and the dispersion used. The floor keeps an under-dispersed series from
    getting narrower intervals than a Poisson one. Inference uses the t distribution on the
    residual degrees of freedom when the dispersion was estimated (above 1), and the normal when
    the Poisson scale of 1 stands (no scale was estimated, so t would only widen the test).
    """
    import statsmodels.api as sm

    model = sm.GLM(y, design, family=sm.families.Poisson())
    with _exact_fits_allowed():
        fit = model.fit(scale=1.0)
        dispersion = float(fit.pearson_chi2 / fit.df_resid)
        if dispersion > 1:
            fit = model.fit(scale=dispersion, use_t=True)
    return fit, max(dispersion, 1.0)


def benjamini_hochberg(p_values: Sequence[float | None]) -> list[float | None]:
    """Benjamini-Hochberg q-values over the tests compared together; None stays None (no test)."""
    return [None if np.isnan(q) else float(q) for q in bh_q_values(p_values)]


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
    interval and p-value use the t distribution on the residual degrees of freedom, with the
    larger of the quasi-Poisson and the Newey-West (autocorrelation-robust) standard errors.
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
    seasonal = _month_of_year_columns(y, month_of_year, 2)
    design = np.column_stack([np.ones_like(years), years, *seasonal])
    fit, dispersion = quasi_poisson(y, design)
    hac = _newey_west(y, design)
    if hac.bse[1] > fit.bse[1]:
        fit = hac
    low, high = fit.conf_int(alpha=1 - confidence)[1]
    slope = fit.params[1]
    method = "quasi-Poisson regression on time and month of year" if seasonal else "quasi-Poisson regression on time"
    return Trend(
        months=len(y),
        incidents=int(y.sum()),
        annual_pct=float(math.expm1(slope) * 100),
        ci_low=float(math.expm1(low) * 100),
        ci_high=float(math.expm1(high) * 100),
        p_value=float(fit.pvalues[1]),
        dispersion=dispersion,
        seasonal_terms=bool(seasonal),
        method=method + (", Newey-West (HAC) standard errors" if fit is hac else ""),
        confidence=confidence,
    )


def newey_west_lags(months: int) -> int:
    """The usual Newey-West bandwidth, floor(4 (n / 100) ^ (2/9)): 2 lags for 24 months, 3 for 36 to 72."""
    return int(4 * (months / 100) ** (2 / 9))


def _newey_west(y: np.ndarray, design: np.ndarray):
    """The same Poisson fit with standard errors robust to autocorrelated residuals (Newey-West).

    Months next to each other share causes (a run of warm weather, an operation), so the residuals
    of a monthly series are correlated and the model's standard errors too small. With 24 to 60
    months the HAC estimate is itself noisy and can come out smaller than the quasi-Poisson one, so
    :func:`trend_test` uses whichever of the two is larger.
    """
    import statsmodels.api as sm

    model = sm.GLM(y, design, family=sm.families.Poisson())
    with _exact_fits_allowed():
        return model.fit(cov_type="HAC", cov_kwds={"maxlags": newey_west_lags(len(y))}, use_t=True)


@contextmanager
def _exact_fits_allowed() -> Iterator[None]:
    """A series the model fits exactly (e.g. a constant one) is reported with its interval; the
    warning statsmodels gives would only alarm a reader of the CLI output."""
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        yield


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
        from statsmodels.stats.proportion import proportions_ztest

        p_value = float(proportions_ztest([latest_count, previous_count], [latest_base, previous_base])[1])
        test = "two-proportion z-test"
    from statsmodels.stats.proportion import confint_proportions_2indep

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
