"""Andresen's spatial point pattern test: a constructed example worked by hand, the published method
as the ``sppt`` package implements it for aggregated counts, and the warehouse version."""

import numpy as np
import pandas as pd
import pytest

from cspkit.analysis.analyse import open_scope
from cspkit.analysis.area import Period
from cspkit.analysis.sppt import SpptSettings, share_intervals, sppt_table, where_crime_moved

from .conftest import ALPHA, ALPHA_LSOAS

sppt = pytest.importorskip("sppt")


def _constructed():
    """12 LSOAs: 8 with 100 incidents in both periods, one doubling, one emptied, two with none ever."""
    base = np.array([100] * 10 + [0, 0])
    test = np.array([200] + [100] * 8 + [0, 0, 0])
    return [f"L{i:02d}" for i in range(12)], base, test


def test_constructed_example_by_hand() -> None:
    codes, base, test = _constructed()
    table, indices = sppt_table(codes, base, test, SpptSettings(samples=500, seed=1))
    # Base shares are 10% each, +-1.9 points (binomial, 1,000 incidents); the test's first LSOA holds
    # 20% +-2.5 and the tenth 0%: those two alone do not overlap.
    assert table["change"].to_list() == ["larger share"] + ["similar"] * 8 + ["smaller share", "similar", "similar"]
    assert indices["s_index"] == pytest.approx(10 / 12)
    assert indices["robust_s_index"] == pytest.approx(8 / 10)
    assert (indices["units_with_incidents"], indices["larger"], indices["smaller"]) == (10, 1, 1)
    # The intervals are the bootstrap's: about the binomial 95% interval of a 10% share of 1,000.
    low, high = table["base_low_pct"][1], table["base_high_pct"][1]
    assert low == pytest.approx(10 - 1.96 * np.sqrt(0.1 * 0.9 / 1000) * 100, abs=0.4)
    assert high == pytest.approx(10 + 1.96 * np.sqrt(0.1 * 0.9 / 1000) * 100, abs=0.4)


def _package(base: np.ndarray, test: np.ndarray, samples: int, seed: int):
    frame = pd.DataFrame({"group": [f"L{i:02d}" for i in range(len(base))], "base": base, "test": test})
    return sppt.sppt(frame, count_col=["base", "test"], B=samples, seed=seed, check_overlap=True, create_maps=False)


def test_constructed_example_agrees_with_the_sppt_package(capsys) -> None:
    codes, base, test = _constructed()
    theirs = _package(base, test, 500, 4)
    ours, indices = sppt_table(codes, base, test, SpptSettings(samples=500, seed=4))
    assert indices["s_index"] == pytest.approx(theirs.s_index)
    assert indices["robust_s_index"] == pytest.approx(theirs.robust_s_index)
    direction = {"similar": 0, "larger share": 1, "smaller share": -1}
    assert [direction[c] for c in ours["change"]] == theirs.data["SIndex_Bivariate"].tolist()


def test_intervals_have_the_sppt_packages_distribution(capsys) -> None:
    """Same counts, many resamples: the package resamples every incident, we draw one multinomial over
    the LSOAs; the interval bounds agree within Monte Carlo error."""
    rng = np.random.default_rng(6)
    base = rng.negative_binomial(2, 0.08, 60)
    test = rng.negative_binomial(2, 0.08, 60)
    theirs = _package(base, test, 4000, 9).data
    low, high = share_intervals(base, 4000, np.random.default_rng(9), 0.95)
    np.testing.assert_allclose(low, theirs["base_L"], atol=0.12)
    np.testing.assert_allclose(high, theirs["base_U"], atol=0.12)
    ours, _ = sppt_table(theirs["group"], base, test, SpptSettings(samples=4000, seed=9))
    agree = (ours["similar"].to_numpy() == theirs["intervals_overlap"].astype(bool).to_numpy()).mean()
    assert agree >= 0.95


def test_between_the_two_12_month_periods_of_the_warehouse(steady_warehouse) -> None:
    with open_scope(steady_warehouse, ALPHA, Period.parse("2021-01", "2023-12")) as scope:
        table, summary = where_crime_moved(scope, ["Burglary"], SpptSettings(samples=300, seed=2), what="burglary")
        robbery, _ = where_crime_moved(scope, ["Robbery"], SpptSettings(samples=300, seed=2))
    # Burglary rises from 3 to 4 a month in every LSOA: the same spread, every LSOA similar.
    assert table["lsoa21_code"].to_list() == sorted(ALPHA_LSOAS)
    assert table["base_count"].to_list() == [36] * 6 and table["test_count"].to_list() == [48] * 6
    row = summary.row(0, named=True)
    assert (row["base_period"], row["test_period"]) == ("2022-01 to 2022-12", "2023-01 to 2023-12")
    assert row["s_index"] == 1.0 and row["robust_s_index"] == 1.0
    assert row["statement"].startswith(
        "Where burglary happened, the 12 months to December 2023 against the 12 months before: 6 of the 6 neighbourhoods"
    )
    # Robbery only ever happens in A1: five LSOAs with none in either period, left out of the robust index.
    assert robbery["base_count"].to_list() == [120, 0, 0, 0, 0, 0]
