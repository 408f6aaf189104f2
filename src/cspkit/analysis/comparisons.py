"""Tables of tested change: this year against last year, against three years ago, and the trend."""

from __future__ import annotations

import polars as pl

from cspkit.analysis.area import Period
from cspkit.analysis.change import Trend, benjamini_hochberg, compare_monthly_counts, trend_test
from cspkit.analysis.wording import DEFAULT_ALPHA, describe_count_change, describe_trend, is_significant
from cspkit.errors import AnalysisError

CHANGE_METHOD = (
    "quasi-Poisson regression of the monthly counts on period and month of year (exact Poisson test where a period "
    "is too small), Benjamini-Hochberg q-values across the categories compared"
)
TREND_METHOD = (
    "quasi-Poisson regression of monthly counts on time and month of year, the larger of model and Newey-West "
    "standard errors, Benjamini-Hochberg q-values across categories"
)


def comparison_periods(period: Period) -> list[tuple[Period, Period]]:
    """(previous, latest) pairs: the latest 12 months against the 12 before, and against the first
    of three years when the period spans at least 36 months."""
    pairs = [(period.previous_12(), period.latest_12())] if period.months >= 24 else []
    if period.months >= 36:
        years = period.years()
        pairs.append((years[-3], years[-1]))
    return pairs


def change_table(monthly: pl.DataFrame, period: Period, alpha: float = DEFAULT_ALPHA, threshold: int = 0) -> pl.DataFrame:
    """Each category's change between the comparison periods, tested on its monthly counts.

    The headline test allows for overdispersion (:func:`~cspkit.analysis.change.compare_monthly_counts`);
    the exact Poisson test of the two totals is kept beside it. The categories of one comparison are
    one family: their Benjamini-Hochberg q-values, not the p-values, decide which changes are real.
    Exposure is equal: one Census 2021 population serves both periods. ``threshold``: counts below it
    are not written in the statements (for published documents; see :func:`describe_count_change`).
    """
    pairs = comparison_periods(period)
    if not pairs:
        raise AnalysisError(
            f"a comparison of two 12-month periods needs at least 24 months; {period.label()} has {period.months}"
        )
    rows = []
    for previous, latest in pairs:
        before, after = monthly_series(monthly, previous), monthly_series(monthly, latest)
        tested = {
            crime_type: compare_monthly_counts(
                before.get(crime_type, [0] * previous.months), after.get(crime_type, [0] * latest.months),
                previous.month_list(), latest.month_list(),
            )
            for crime_type in sorted(before.keys() | after.keys())
        }
        q_values = dict(zip(tested, benjamini_hochberg([r.p_value for r in tested.values()]), strict=True))
        for crime_type, result in tested.items():
            q = q_values[crime_type]
            rows.append(
                {
                    "crime_type": crime_type,
                    "comparison": f"{latest.label()} against {previous.label()}",
                    "previous_period": previous.label(),
                    "latest_period": latest.label(),
                    "previous_count": result.previous,
                    "latest_count": result.latest,
                    "change": result.change,
                    "pct_change": result.pct_change,
                    "rate_ratio": result.rate_ratio,
                    "ci_low": result.ci_low,
                    "ci_high": result.ci_high,
                    "p_value": result.p_value,
                    "p_value_exact_poisson": result.p_value_exact_poisson,
                    "q_value": q,
                    "dispersion": result.dispersion,
                    "significant": is_significant(q, alpha),
                    "test": result.test,
                    "statement": describe_count_change(
                        result, crime_type, alpha, previous.in_words(), latest.in_words(), q, len(tested), threshold
                    ),
                }
            )
    return pl.DataFrame(rows, schema=CHANGE_SCHEMA)


def monthly_series(monthly: pl.DataFrame, period: Period) -> dict[str, list[int]]:
    """Each category's counts for every month of ``period`` in order (a month with no row counts 0)."""
    months = pl.DataFrame({"month": period.month_list()}, schema={"month": pl.Date})
    inside = monthly.filter(pl.col("month").is_between(period.start, period.end))
    out = {}
    for (crime_type,), rows in inside.group_by(["crime_type"]):
        counts = months.join(rows.select(pl.col("month").cast(pl.Date), "count"), on="month", how="left")
        out[crime_type] = counts["count"].fill_null(0).cast(pl.Int64).to_list()
    return out


CHANGE_SCHEMA = {
    "crime_type": pl.String,
    "comparison": pl.String,
    "previous_period": pl.String,
    "latest_period": pl.String,
    "previous_count": pl.Int64,
    "latest_count": pl.Int64,
    "change": pl.Int64,
    "pct_change": pl.Float64,
    "rate_ratio": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "p_value": pl.Float64,
    "p_value_exact_poisson": pl.Float64,
    "q_value": pl.Float64,
    "dispersion": pl.Float64,
    "significant": pl.Boolean,
    "test": pl.String,
    "statement": pl.String,
}

TREND_SCHEMA = {
    "crime_type": pl.String,
    "months": pl.Int64,
    "incidents": pl.Int64,
    "annual_pct": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "p_value": pl.Float64,
    "q_value": pl.Float64,
    "dispersion": pl.Float64,
    "significant": pl.Boolean,
    "method": pl.String,
    "statement": pl.String,
}


def trend_table(monthly: pl.DataFrame, alpha: float = DEFAULT_ALPHA) -> pl.DataFrame:
    """Each category's trend over the monthly series; where no test is possible, the reason why.

    The categories tested are one family: Benjamini-Hochberg q-values decide what is significant.
    """
    trends: dict[str, Trend | str] = {}
    sizes: dict[str, tuple[int, int]] = {}
    for (crime_type,), series in monthly.sort("month").group_by(["crime_type"], maintain_order=True):
        sizes[crime_type] = (series.height, int(series["count"].sum()))
        try:
            trends[crime_type] = trend_test(series["count"].to_list(), series["month"].to_list())
        except AnalysisError as exc:
            trends[crime_type] = exc.message
    tested = [name for name, t in trends.items() if isinstance(t, Trend)]
    q_values = dict(zip(tested, benjamini_hochberg([trends[name].p_value for name in tested]), strict=True))
    rows = []
    for crime_type, trend in trends.items():
        if not isinstance(trend, Trend):
            months, incidents = sizes[crime_type]
            rows.append(
                {
                    "crime_type": crime_type,
                    "months": months,
                    "incidents": incidents,
                    "significant": False,
                    "method": "no test",
                    "statement": f"{crime_type}: {trend}.",
                }
            )
            continue
        q = q_values[crime_type]
        rows.append(
            {
                "crime_type": crime_type,
                "months": trend.months,
                "incidents": trend.incidents,
                "annual_pct": trend.annual_pct,
                "ci_low": trend.ci_low,
                "ci_high": trend.ci_high,
                "p_value": trend.p_value,
                "q_value": q,
                "dispersion": trend.dispersion,
                "significant": is_significant(q, alpha),
                "method": trend.method,
                "statement": describe_trend(trend, crime_type, alpha, q_value=q, compared=len(tested)),
            }
        )
    return pl.DataFrame(rows, schema=TREND_SCHEMA).sort("crime_type")
