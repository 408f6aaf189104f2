"""Seasonality: which months run high or low, and a 12-month rolling series that smooths them out."""

from __future__ import annotations

import polars as pl

from cspkit.errors import AnalysisError

#: A month-of-year index from fewer than three of each month mostly measures one unusual year.
MIN_SEASONAL_YEARS = 3


def seasonal_index(monthly: pl.DataFrame) -> pl.DataFrame:
    """Index by ``crime_type`` and ``month_of_year``: the month's mean count over the category's
    mean monthly count, times 100 (100 = an average month). Needs each month of the year at least
    three times."""
    with_moy = monthly.with_columns(pl.col("month").dt.month().alias("month_of_year"))
    fewest = with_moy.group_by("crime_type", "month_of_year").len()["len"].min() if len(with_moy) else 0
    if (with_moy["month_of_year"].n_unique() if len(with_moy) else 0) < 12 or fewest < MIN_SEASONAL_YEARS:
        raise AnalysisError(
            f"a seasonality index needs every month of the year at least {MIN_SEASONAL_YEARS} times (36 months or more)"
        )
    means = with_moy.group_by("crime_type", "month_of_year").agg(
        pl.col("count").mean().alias("mean_count"), pl.len().alias("years")
    )
    return (
        means.with_columns((pl.col("mean_count") / pl.col("mean_count").mean().over("crime_type") * 100).alias("index"))
        .with_columns(pl.col("index").fill_nan(None))
        .sort("crime_type", "month_of_year")
    )


def rolling_12(monthly: pl.DataFrame) -> pl.DataFrame:
    """Monthly counts with the sum and mean of the 12 months to date (null until 12 months exist)."""
    return monthly.sort("crime_type", "month").with_columns(
        pl.col("count").rolling_sum(12).over("crime_type").alias("rolling_12_sum"),
        pl.col("count").rolling_mean(12).over("crime_type").alias("rolling_12_mean"),
    )
