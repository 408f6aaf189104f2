"""Seasonality: which months run high or low, and a 12-month rolling series that smooths them out."""

from __future__ import annotations

import numpy as np
import polars as pl

from cspkit.errors import AnalysisError

#: A month-of-year index from fewer than three of each month mostly measures one unusual year.
MIN_SEASONAL_YEARS = 3


#: How the index is computed, for provenance and the CLI.
SEASONAL_METHOD = "month-of-year factors from a Poisson regression on time and month of year, averaging 100"


def seasonal_index(monthly: pl.DataFrame) -> pl.DataFrame:
    """Index by ``crime_type`` and ``month_of_year``: how far the month runs above or below an average
    month (100), net of the trend. Needs each month of the year at least three times.

    Raw month-of-year means mix trend into season: in a rising series the months that come last
    in the period look high. So each category's monthly counts are fitted by a Poisson regression on
    time (years) and month of year, and the index is the exponentiated month effect scaled so the
    twelve average 100. A month of the year with no incidents in any year indexes 0. ``mean_count``
    is the raw month mean, kept beside it.
    """
    with_moy = monthly.with_columns(pl.col("month").dt.month().alias("month_of_year"))
    fewest = with_moy.group_by("crime_type", "month_of_year").len()["len"].min() if len(with_moy) else 0
    if (with_moy["month_of_year"].n_unique() if len(with_moy) else 0) < 12 or fewest < MIN_SEASONAL_YEARS:
        raise AnalysisError(
            f"a seasonality index needs every month of the year at least {MIN_SEASONAL_YEARS} times (36 months or more)"
        )
    means = with_moy.group_by("crime_type", "month_of_year").agg(
        pl.col("count").mean().alias("mean_count"), pl.len().alias("years")
    )
    indexes = [
        pl.DataFrame(
            {"crime_type": crime_type, "month_of_year": list(range(1, 13)), "index": month_factors(series)},
            schema={"crime_type": pl.String, "month_of_year": pl.Int8, "index": pl.Float64},
        )
        for (crime_type,), series in with_moy.sort("month").group_by(["crime_type"], maintain_order=True)
    ]
    return (
        means.join(pl.concat(indexes), on=["crime_type", "month_of_year"], how="left")
        .with_columns(pl.col("index").fill_nan(None))
        .sort("crime_type", "month_of_year")
    )


def month_factors(series: pl.DataFrame) -> list[float]:
    """The twelve month-of-year factors (mean 100) of one category's series, net of a log-linear trend."""
    from cspkit.analysis.change import quasi_poisson

    months = series["month"].to_list()
    y = series["count"].to_numpy().astype(float)
    month_of_year = series["month_of_year"].to_numpy()
    if y.sum() == 0:
        return [float("nan")] * 12
    occurring = [m for m in range(1, 13) if y[month_of_year == m].sum() > 0]
    # A month of the year with no incidents has a fitted count of 0 and leaves the other estimates as
    # if its rows were absent: fit without them and give it a factor of 0.
    keep = np.isin(month_of_year, occurring)
    years = np.array([(m.year - months[0].year) + (m.month - months[0].month) / 12 for m in months])[keep]
    design = np.column_stack(
        [np.ones(keep.sum()), years, *[(month_of_year[keep] == m).astype(float) for m in occurring[1:]]]
    )
    fit, _ = quasi_poisson(y[keep], design)
    effects = dict(zip(occurring, [0.0, *fit.params[2:]], strict=True))
    factors = np.array([np.exp(effects[m]) if m in effects else 0.0 for m in range(1, 13)])
    return (factors / factors.mean() * 100).tolist()


def rolling_12(monthly: pl.DataFrame) -> pl.DataFrame:
    """Monthly counts with the sum and mean of the 12 months to date (null until 12 months exist)."""
    return monthly.sort("crime_type", "month").with_columns(
        pl.col("count").rolling_sum(12).over("crime_type").alias("rolling_12_sum"),
        pl.col("count").rolling_mean(12).over("crime_type").alias("rolling_12_mean"),
    )
