from datetime import date

import pytest

from cspkit.analysis.area import Area, Period, resolve_area
from cspkit.data import warehouse
from cspkit.errors import AnalysisError

from .conftest import ALPHA, ALPHA_LSOAS, BETA, BETA_LSOAS


def test_period_helpers() -> None:
    period = Period.parse("2021-01", "2023-12")
    assert period.months == 36
    assert period.latest_12() == Period(date(2023, 1, 1), date(2023, 12, 1))
    assert period.previous_12() == Period(date(2022, 1, 1), date(2022, 12, 1))
    assert [y.label() for y in period.years()] == ["2021-01 to 2021-12", "2022-01 to 2022-12", "2023-01 to 2023-12"]
    assert Period.parse("2024-01", "2024-01").label() == "2024-01"  # never "2024-01 to 2024-01"
    assert Period.parse("2023-11", "2024-02").month_list() == [
        date(2023, 11, 1),
        date(2023, 12, 1),
        date(2024, 1, 1),
        date(2024, 2, 1),
    ]


@pytest.mark.parametrize(
    "start,end,message",
    [
        ("2021-13", "2022-01", "YYYY-MM"),
        ("2023-01", "2022-01", "after it ends"),
        ("x", "2022-01", "YYYY-MM"),
    ],
)
def test_bad_periods(start: str, end: str, message: str) -> None:
    with pytest.raises(AnalysisError, match=message):
        Period.parse(start, end)


def test_too_short_for_a_comparison() -> None:
    with pytest.raises(AnalysisError, match=r"at least 24 months.*has 18"):
        Period.parse("2022-07", "2023-12").previous_12()


def test_latest_year_and_its_words() -> None:
    """A period shorter than a year is its own 'latest' figure, named by its real months."""
    three_years = Period.parse("2021-05", "2024-04")
    assert three_years.latest_year() == Period.parse("2023-05", "2024-04")
    assert three_years.latest_words() == "latest 12 months"
    march = Period.parse("2024-03", "2024-03")
    assert march.latest_year() == march and march.latest_words() == "March 2024"
    assert Period.parse("2023-11", "2024-04").latest_words() == "November 2023 to April 2024"


def test_resolve_district_ward_lsoa_and_list(steady_warehouse) -> None:
    with warehouse.read(steady_warehouse) as con:
        assert resolve_area(con, Area.parse(ALPHA)).lsoas == tuple(ALPHA_LSOAS)
        assert resolve_area(con, Area.parse("Alpha")).lsoas == tuple(ALPHA_LSOAS)
        ward = resolve_area(con, Area.parse("E05000002"))
        assert ward.lsoas == tuple(ALPHA_LSOAS[3:]) and ward.lad_codes == (ALPHA,)
        mixed = resolve_area(con, Area.parse(f"E05000001, {BETA_LSOAS[0]}"))
        assert mixed.lsoas == (*ALPHA_LSOAS[:3], BETA_LSOAS[0])
        assert mixed.lad_codes == (ALPHA, BETA)
        both = resolve_area(con, Area.parse([ALPHA, BETA]))
        assert len(both.lsoas) == 8
        assert both.name == "Alpha and Beta"  # a joint partnership, as a reader says it


def test_unknown_area_is_an_error(steady_warehouse) -> None:
    with warehouse.read(steady_warehouse) as con, pytest.raises(AnalysisError, match="unknown area 'E06999999'"):
        resolve_area(con, Area.parse(f"{ALPHA},E06999999"))


def test_a_scope_never_reads_past_its_copied_months(steady_warehouse) -> None:
    from dataclasses import replace

    from cspkit.analysis.analyse import open_scope
    from cspkit.analysis.volumes import monthly_counts

    with open_scope(steady_warehouse, ALPHA, Period.parse("2022-01", "2023-12")) as scope:
        assert scope.street != "street"
        assert monthly_counts(scope, scope.period.latest_12())["count"].sum() > 0
        with pytest.raises(AnalysisError, match="holds 2022-01 to 2023-12 only"):
            monthly_counts(replace(scope, period=Period.parse("2021-01", "2023-12")))
