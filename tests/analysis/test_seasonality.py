"""The seasonal index: month-of-year factors net of trend, checked against statsmodels' formula API."""

from datetime import date

import numpy as np
import pandas as pd
import polars as pl
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

from cspkit.analysis.seasonality import seasonal_index
from cspkit.errors import AnalysisError

from .conftest import months


def _frame(series: dict[str, list[int]], start: date = date(2021, 5, 1)) -> pl.DataFrame:
    n = len(next(iter(series.values())))
    when = months(start, n)
    return pl.DataFrame(
        [
            {"crime_type": name, "month": m, "count": c}
            for name, counts in series.items()
            for m, c in zip(when, counts, strict=True)
        ]
    )


def test_index_is_the_month_effect_of_a_model_with_a_trend() -> None:
    rng = np.random.default_rng(5)
    when = months(date(2021, 5, 1), 36)
    season = np.array([1 + 0.3 * np.cos(2 * np.pi * (m.month - 7) / 12) for m in when])
    counts = rng.poisson(30 * season * 1.2 ** (np.arange(36) / 12)).tolist()
    index = seasonal_index(_frame({"Burglary": counts}))
    frame = pd.DataFrame({"y": counts, "t": np.arange(36) / 12, "moy": [m.month for m in when]})
    fit = smf.glm("y ~ t + C(moy, Treatment(reference=1))", frame, family=sm.families.Poisson()).fit()
    effects = np.exp([0.0, *[fit.params[f"C(moy, Treatment(reference=1))[T.{m}]"] for m in range(2, 13)]])
    assert index["index"].to_list() == pytest.approx(list(effects / effects.mean() * 100), rel=1e-6)
    assert index["index"].mean() == pytest.approx(100)
    raw = [np.mean([c for c, m in zip(counts, when, strict=True) if m.month == k]) for k in range(1, 13)]
    assert index["mean_count"].to_list() == pytest.approx(raw)


def test_a_trend_without_seasonality_is_not_read_as_a_season() -> None:
    # Doubling every year, the same in every month of the year: the last months of the period
    # (February to April) look high in raw month means, but the index stays flat at 100.
    counts = [round(20 * 2 ** (i / 12)) for i in range(36)]
    index = seasonal_index(_frame({"Weapons": counts}))
    assert index["index"].to_list() == pytest.approx([100.0] * 12, abs=1.0)
    raw = index["mean_count"].to_numpy()
    assert raw.max() / raw.min() > 1.5  # what a raw month mean would have called seasonality


def test_a_month_of_the_year_with_no_incidents_indexes_zero() -> None:
    counts = [0 if i % 12 == 3 else 4 + i % 5 for i in range(36)]  # the fourth month (August) is always 0
    index = seasonal_index(_frame({"Arson": counts}))
    assert index.filter(pl.col("month_of_year") == 8)["index"][0] == 0.0
    assert index["index"].mean() == pytest.approx(100)


def test_needs_three_of_every_month() -> None:
    with pytest.raises(AnalysisError, match="at least 3 times"):
        seasonal_index(_frame({"Burglary": [5] * 30}))
