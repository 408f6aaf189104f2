"""The area profile: age, households, deprivation deciles and crime by decile, worked out by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cspkit.analysis.analyse import open_scope
from cspkit.analysis.area import Period
from cspkit.analysis.profile import area_profile
from cspkit.data import warehouse

from .conftest import ALPHA, ALPHA_LSOAS


@pytest.fixture
def deciles_warehouse(steady_warehouse: Path) -> Path:
    """Alpha's ward W1 (A1-A3, with the robbery hot spot) in decile 1, W2 (A4-A6) in decile 6."""
    with warehouse.write(steady_warehouse) as con:
        con.execute("UPDATE imd SET imd_decile = CASE WHEN lsoa21_code IN (SELECT unnest(?)) THEN 1 ELSE 6 END",
                    [ALPHA_LSOAS[:3]])
    return steady_warehouse


def test_profile_by_hand(deciles_warehouse: Path) -> None:
    with open_scope(deciles_warehouse, ALPHA, Period(date(2021, 1, 1), date(2023, 12, 1))) as scope:
        profile = area_profile(scope)
    assert (profile.residents, profile.households, profile.lsoas, profile.uncovered_lsoas) == (6000, 2400, 6, 0)
    ages = {r["age_band"]: r for r in profile.ages.iter_rows(named=True)}
    assert ages["16 to 64"]["residents"] == 3600
    assert ages["16 to 64"]["share_pct"] == pytest.approx(60.0)
    assert ages["other"]["england_wales_pct"] == pytest.approx(40.0)  # all eight LSOAs: 3,200 of 8,000
    # 2023: each Alpha LSOA 48 burglaries + 12 shoplifting; A1 120 robberies; ASB left out.
    assert profile.crime_period == Period(date(2023, 1, 1), date(2023, 12, 1))
    rows = {r["decile"]: r for r in profile.deprivation.iter_rows(named=True)}
    assert set(rows) == {1, 6}
    assert (rows[1]["crimes"], rows[6]["crimes"]) == (300, 180)
    assert rows[1]["rate_per_1000"] == pytest.approx(100.0)
    assert rows[6]["rate_per_1000"] == pytest.approx(60.0)
    assert rows[1]["crimes_pct"] == pytest.approx(62.5)
    assert rows[1]["residents_pct"] == pytest.approx(50.0)
    assert profile.most_deprived_share() == pytest.approx((50.0, 62.5))


def test_neighbourhoods_without_an_index_are_counted_not_dropped(steady_warehouse: Path) -> None:
    """No decile loaded (a nation the bundle lacks): the table is empty and the LSOAs are counted as uncovered."""
    with open_scope(steady_warehouse, ALPHA, Period(date(2023, 1, 1), date(2023, 12, 1))) as scope:
        profile = area_profile(scope)
    assert profile.deprivation.height == 0
    assert profile.uncovered_lsoas == 6
    assert profile.most_deprived_share() is None


def test_each_nation_keeps_its_own_index(steady_warehouse: Path) -> None:
    """A joint area across the border: England's IMD and Wales's WIMD deciles are shown side by side, shares
    within each nation, never ranked together."""
    with warehouse.write(steady_warehouse) as con:
        con.execute("UPDATE imd SET imd_decile = 1 WHERE lsoa21_code IN (SELECT unnest(?))", [ALPHA_LSOAS[:3]])
        con.execute("DELETE FROM imd WHERE lsoa21_code IN (SELECT unnest(?))", [ALPHA_LSOAS[3:]])
        for code in ALPHA_LSOAS[3:]:
            con.execute("INSERT INTO wimd (lsoa21_code, imd_decile) VALUES (?, 3)", [code])
    with open_scope(steady_warehouse, ALPHA, Period(date(2023, 1, 1), date(2023, 12, 1))) as scope:
        profile = area_profile(scope)
    rows = {(r["nation"], r["decile"]): r for r in profile.deprivation.iter_rows(named=True)}
    assert set(rows) == {("England", 1), ("Wales", 3)}
    assert rows[("England", 1)]["residents_pct"] == pytest.approx(100.0)
    assert rows[("Wales", 3)]["residents_pct"] == pytest.approx(100.0)
    assert len(profile.indices) == 2 and "Wales" in profile.indices[1]
    assert profile.most_deprived_share() is None
