"""Force and national context: which districts count, and the rates, worked out by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from cspkit.analysis.area import Area, Period, resolve_area
from cspkit.analysis.context import home_force, rate_context
from cspkit.analysis.coverage import district_forces
from cspkit.analysis.scope import ALL_CRIME, ASB
from cspkit.data import warehouse

from .conftest import ALPHA, ALPHA_LSOAS, BETA, BETA_LSOAS, months, street_row

PERIOD = Period(date(2023, 1, 1), date(2023, 3, 1))
GAMMA = "E06000003"


def _gamma(con) -> None:
    """A third district, Gamma (two LSOAs), policed by its own force, which missed February."""
    for i, code in enumerate(["E01000009", "E01000010"]):
        con.execute("INSERT INTO lsoa VALUES (?, ?, 'E05000004', 'W4', ?, 'Gamma', 0, 0)", [code, f"Gamma {i}", GAMMA])
        con.execute("INSERT INTO population VALUES (?, '16 to 64', 600), (?, 'other', 400)", [code, code])


def _rows() -> list[dict]:
    rows = []
    for month in months(PERIOD.start, 3):
        for code in ALPHA_LSOAS:  # Alpha: 2 crimes and 1 ASB per LSOA a month, by the alpha force
            rows.append({**street_row(month, code, ALPHA, "Burglary", 2), "force": "alpha-force"})
            rows.append({**street_row(month, code, ALPHA, "Anti-social behaviour", 1), "force": "alpha-force"})
        for code in BETA_LSOAS:  # Beta is policed by the alpha force too: 3 crimes per LSOA a month
            rows.append({**street_row(month, code, BETA, "Robbery", 3), "force": "alpha-force"})
        # A stray row of the alpha force in one of Gamma's two LSOAs does not make Gamma the alpha force's.
        rows.append({**street_row(month, "E01000009", GAMMA, "Burglary", 1), "force": "alpha-force"})
        # British Transport Police published January only: over the quarter it is left out everywhere.
        if month.month == 1:
            rows.append({**street_row(month, ALPHA_LSOAS[0], ALPHA, "Theft", 50), "force": "btp"})
        if month.month != 2:
            for code in ("E01000009", "E01000010"):
                rows.append({**street_row(month, code, GAMMA, "Burglary", 4), "force": "gamma-force"})
    return rows


@pytest.fixture
def three_districts(build_warehouse) -> Path:
    return build_warehouse(_rows(), extra=_gamma)


def test_only_districts_whose_own_force_published_every_month_count(three_districts: Path) -> None:
    with warehouse.read(three_districts) as con:
        forces = district_forces(con, PERIOD)
        assert forces.filter("covered")["lad_code"].to_list() == [ALPHA, BETA]  # Gamma's own force missed February
        march = district_forces(con, Period(date(2023, 3, 1), date(2023, 3, 1)))
        assert march.filter("covered")["lad_code"].to_list() == [ALPHA, BETA, GAMMA]
        area = resolve_area(con, Area.parse(ALPHA))
        assert home_force(forces, area) == ("alpha-force", [ALPHA, BETA])


def test_rates_by_hand(three_districts: Path) -> None:
    march = Period(date(2023, 3, 1), date(2023, 3, 1))
    with warehouse.read(three_districts) as con:
        area = resolve_area(con, Area.parse(ALPHA))
        frame = rate_context(con, area, march)
    rows = {(r["level"], r["measure"]): r for r in frame.iter_rows(named=True)}
    # Alpha in March: 12 crimes and 6 ASB for 6,000 residents.
    assert rows[("area", ALL_CRIME)]["count"] == 12
    assert rows[("area", ALL_CRIME)]["rate_per_1000"] == pytest.approx(2.0)
    assert rows[("area", ASB)]["rate_per_1000"] == pytest.approx(1.0)
    # The alpha force area (Alpha and Beta): 12 + 6 crimes for 8,000 residents.
    force = rows[("force area", ALL_CRIME)]
    assert (force["districts"], force["residents"], force["count"]) == (2, 8000, 18)
    assert force["name"] == "Alpha Force (2 districts)"
    # England and Wales: the three covered districts: 18 + 1 stray + 8 crimes for 10,000 residents.
    nation = rows[("England and Wales", ALL_CRIME)]
    assert (nation["districts"], nation["count"]) == (3, 27)
    assert nation["rate_per_1000"] == pytest.approx(2.7)


def test_a_level_that_adds_nothing_is_left_out(three_districts: Path) -> None:
    """Over the three months only Alpha and Beta are covered: the nation would repeat the force area."""
    with warehouse.read(three_districts) as con:
        frame = rate_context(con, resolve_area(con, Area.parse(ALPHA)), PERIOD)
    assert set(frame["level"]) == {"area", "force area"}


def test_stray_rows_over_a_border_do_not_widen_the_force_area(build_warehouse) -> None:
    """Gamma's own force published nothing: the alpha force's one stray row there makes it Gamma's top force, at
    a rate per resident far below its own districts', so Gamma is neither in its force area nor covered."""
    rows = [r for r in _rows() if r["force"] != "gamma-force" and not (r["lad"] == GAMMA and r["month"].month > 1)]
    rows.append({**street_row(PERIOD.start, ALPHA_LSOAS[1], ALPHA, "Shoplifting", 150), "force": "alpha-force"})
    path = build_warehouse(rows, name="stray.duckdb", extra=_gamma)
    with warehouse.read(path) as con:
        forces = district_forces(con, PERIOD)
        area = resolve_area(con, Area.parse(ALPHA))
    gamma = forces.filter(pl.col("lad_code") == GAMMA).row(0, named=True)
    assert gamma["force"] == "alpha-force" and not gamma["covered"]
    assert home_force(forces, area) == ("alpha-force", [ALPHA, BETA])


def test_only_forces_that_published_every_month_are_counted_at_every_level(three_districts: Path) -> None:
    """Over the quarter British Transport Police (January only) is left out of the area, force and nation alike;
    in January alone it published every month, so it counts everywhere, as the headline counts it."""
    with warehouse.read(three_districts) as con:
        area = resolve_area(con, Area.parse(ALPHA))
        quarter = rate_context(con, area, PERIOD)
        january = rate_context(con, area, Period(date(2023, 1, 1), date(2023, 1, 1)))
    crime = pl.col("measure") == ALL_CRIME
    assert quarter.filter(crime & (pl.col("level") == "area"))["count"].item() == 36  # 12 a month, BTP's 50 out
    assert january.filter(crime & (pl.col("level") == "area"))["count"].item() == 12 + 50
