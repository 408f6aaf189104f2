"""Tables of tested change: this year against last year, against three years ago, and the trend."""

from __future__ import annotations

import polars as pl

from cspkit.analysis.area import Period
from cspkit.analysis.change import compare_counts, trend_test
from cspkit.analysis.volumes import period_totals
from cspkit.analysis.wording import DEFAULT_ALPHA, describe_count_change, describe_trend, is_significant
from cspkit.errors import AnalysisError


def comparison_periods(period: Period) -> list[tuple[Period, Period]]:
    """(previous, latest) pairs: the latest 12 months against the 12 before, and against the first
    of three years when the period spans at least 36 months."""
    pairs = [(period.previous_12(), period.latest_12())] if period.months >= 24 else []
    if period.months >= 36:
        years = period.years()
        pairs.append((years[-3], years[-1]))
    return pairs


def change_table(monthly: pl.DataFrame, period: Period, alpha: float = DEFAULT_ALPHA) -> pl.DataFrame:
    """Each category's change between the comparison periods, with the exact Poisson test.

    Exposure is equal: one Census 2021 population serves both periods, so the rate ratio equals
    the count ratio.
    """
    pairs = comparison_periods(period)
    if not pairs:
        raise AnalysisError(
            f"a comparison of two 12-month periods needs at least 24 months; {period.label()} has {period.months}"
        )
    rows = []
    for previous, latest in pairs:
        before = dict(period_totals(monthly, previous).iter_rows())
        after = dict(period_totals(monthly, latest).iter_rows())
        for crime_type in sorted(before.keys() | after.keys()):
            result = compare_counts(before.get(crime_type, 0), after.get(crime_type, 0))
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
                    "significant": is_significant(result.p_value, alpha),
                    "test": result.test,
                    "statement": describe_count_change(result, crime_type, alpha, previous.label(), latest.label()),
                }
            )
    return pl.DataFrame(rows, schema=CHANGE_SCHEMA)


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
    "dispersion": pl.Float64,
    "significant": pl.Boolean,
    "method": pl.String,
    "statement": pl.String,
}


def trend_table(monthly: pl.DataFrame, alpha: float = DEFAULT_ALPHA) -> pl.DataFrame:
    """Each category's trend over the monthly series; where no test is possible, the reason why."""
    rows = []
    for (crime_type,), series in monthly.sort("month").group_by(["crime_type"], maintain_order=True):
        months = series["month"].to_list()
        try:
            trend = trend_test(series["count"].to_list(), months)
        except AnalysisError as exc:
            rows.append(
                {
                    "crime_type": crime_type,
                    "months": len(months),
                    "incidents": int(series["count"].sum()),
                    "significant": False,
                    "method": "no test",
                    "statement": f"{crime_type}: {exc.message}.",
                }
            )
            continue
        rows.append(
            {
                "crime_type": crime_type,
                "months": trend.months,
                "incidents": trend.incidents,
                "annual_pct": trend.annual_pct,
                "ci_low": trend.ci_low,
                "ci_high": trend.ci_high,
                "p_value": trend.p_value,
                "dispersion": trend.dispersion,
                "significant": is_significant(trend.p_value, alpha),
                "method": trend.method,
                "statement": describe_trend(trend, crime_type, alpha),
            }
        )
    return pl.DataFrame(rows, schema=TREND_SCHEMA).sort("crime_type")
