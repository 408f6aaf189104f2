"""The full analysis set on a warehouse whose counts are known by construction (see conftest)."""

from datetime import date

import polars as pl
import pytest
from scipy import stats

from cspkit.analysis.analyse import AnalysisOptions, analyse_area
from cspkit.analysis.area import Period
from cspkit.analysis.scope import ALL_CRIME
from cspkit.errors import AnalysisError

from .conftest import ALPHA, ALPHA_LSOAS, BETA, months, street_row

PERIOD = Period.parse("2021-01", "2023-12")


@pytest.fixture(scope="module")
def analysis(tmp_path_factory):
    from cspkit.data import warehouse

    from .conftest import grid_geography, write_geography, write_street

    rows = []
    for month in months(date(2021, 1, 1), 36):
        burglary = {2021: 2, 2022: 3, 2023: 4}[month.year]
        for code in ALPHA_LSOAS:
            rows.append(street_row(month, code, ALPHA, "Burglary", burglary, outcome="Under investigation"))
            rows.append(street_row(month, code, ALPHA, "Anti-social behaviour", 5))
        rows.append(street_row(month, ALPHA_LSOAS[0], ALPHA, "Robbery", 10, location="On or near High Street"))
    path = tmp_path_factory.mktemp("a") / "w.duckdb"
    with warehouse.write(path) as con:
        write_geography(con, grid_geography())
        write_street(con, rows)
    return analyse_area(path, ALPHA, PERIOD, AnalysisOptions())


def test_volumes_and_rates_by_hand(analysis) -> None:
    assert analysis.denominators.residents == 6000 and analysis.denominators.households == 2400
    rates = {r["crime_type"]: r for r in analysis.rates.iter_rows(named=True)}
    # Burglary: 6 LSOAs x 12 months x (2 + 3 + 4) = 648 over 36 months.
    assert rates["Burglary"]["count"] == 648
    assert rates["Burglary"]["rate_per_1000_residents"] == pytest.approx(648 / 6000 * 1000)
    assert rates["Burglary"]["rate_per_1000_households"] == pytest.approx(648 / 2400 * 1000)
    assert rates["Robbery"]["rate_per_1000_households"] is None
    assert rates[ALL_CRIME]["count"] == 648 + 360  # ASB (1,080) is not crime
    assert rates["Anti-social behaviour"]["count"] == 1080


def test_three_year_view_and_change(analysis) -> None:
    burglary = analysis.yearly.filter(pl.col("crime_type") == "Burglary")
    assert burglary["count"].to_list() == [144, 216, 288]
    change = analysis.change.filter(pl.col("crime_type") == "Burglary").sort("previous_period")
    assert change["previous_count"].to_list() == [144, 216]
    assert change["latest_count"].to_list() == [288, 288]
    assert change["p_value_exact_poisson"][1] == pytest.approx(stats.binomtest(288, 504, 0.5).pvalue)
    assert change["significant"].all()
    robbery = analysis.change.filter(pl.col("crime_type") == "Robbery")
    assert (robbery["change"] == 0).all() and not robbery["significant"].any()
    assert not any("statistically significant" in s for s in robbery["statement"])


def test_trend_seasonality_and_rolling(analysis) -> None:
    trends = {r["crime_type"]: r for r in analysis.trends.iter_rows(named=True)}
    assert trends["Burglary"]["annual_pct"] > 0 and trends["Burglary"]["significant"]
    assert abs(trends["Robbery"]["annual_pct"]) < 1e-6 and not trends["Robbery"]["significant"]
    robbery_index = analysis.seasonality.filter(pl.col("crime_type") == "Robbery")["index"]
    assert robbery_index.to_list() == pytest.approx([100.0] * 12)
    rolling = analysis.rolling.filter(pl.col("crime_type") == "Burglary")
    assert rolling["rolling_12_sum"].null_count() == 11
    assert rolling["rolling_12_sum"].to_list()[11] == 144 and rolling["rolling_12_sum"].to_list()[-1] == 288


def test_concentration_hotspots_and_locations(analysis) -> None:
    conc = analysis.concentration.filter((pl.col("crime_type") == "Robbery") & (pl.col("unit") == "LSOA"))
    assert conc["top_5pct_share"][0] == 1.0
    assert conc["gini"][0] == pytest.approx(5 / 6)  # one of six units holds everything: (n - 1) / n
    assert set(analysis.hotspots["lsoa21_code"]) == set(ALPHA_LSOAS)
    top = analysis.top_locations
    assert top["location"][0] == "On or near High Street" and top["count"][0] == 360


def test_outcomes_harm_provenance_and_notes(analysis) -> None:
    burglary = analysis.outcomes.filter(pl.col("crime_type") == "Burglary")
    assert burglary["outcome"].to_list() == ["Under investigation"] and burglary["share"][0] == 1.0
    harm = {r["crime_type"]: r for r in analysis.harm.iter_rows(named=True)}
    assert harm["Robbery"]["harm"] == pytest.approx(120 * 746)
    assert harm["Anti-social behaviour"]["harm_rank"] is None
    assert harm["Burglary"]["volume_rank"] == 2  # ASB has the most incidents
    for name in analysis.tables():
        if name in analysis.provenance:
            prov = analysis.provenance[name]
            assert prov.area_codes == (ALPHA,) and prov.software.startswith("cspkit")
    assert analysis.provenance["rates"].sources[0] == "2021-01-test-street.csv"
    assert "peer_group" in analysis.notes and "repeat_victims" in analysis.notes
    assert analysis.latest_outcomes is None and "no police.uk outcomes rows" in analysis.notes["latest_outcomes"]
    assert analysis.peer_group is None


def test_missing_month_is_an_error_not_a_zero(build_warehouse) -> None:
    rows = [street_row(m, ALPHA_LSOAS[0], ALPHA, "Burglary", 1) for m in months(date(2021, 1, 1), 24) if m.month != 6]
    path = build_warehouse(rows)
    with pytest.raises(AnalysisError, match=r"no police.uk data for 2 month\(s\).*2021-06, 2022-06"):
        analyse_area(path, ALPHA, Period.parse("2021-01", "2022-12"))


def test_period_beyond_the_data_says_what_the_warehouse_holds(build_warehouse) -> None:
    """init's placeholder period runs past the download: the error used to list missing months only."""
    path = build_warehouse([street_row(m, ALPHA_LSOAS[0], ALPHA, "Burglary", 1) for m in months(date(2021, 5, 1), 36)])
    held = r"; it holds 2021-05 to 2024-04 there: set period_start and period_end within those months"
    with pytest.raises(AnalysisError, match=r"no police.uk data for 3 month\(s\) of 2022-05 to 2024-07.*" + held):
        analyse_area(path, ALPHA, Period.parse("2022-05", "2024-07"))
    with pytest.raises(AnalysisError, match=r"no police\.uk data in the warehouse for Alpha in .*" + held):
        analyse_area(path, ALPHA, Period.parse("2025-01", "2025-03"))


def test_no_data_for_the_area(build_warehouse) -> None:
    path = build_warehouse([street_row(date(2021, 1, 1), "E01000007", BETA, "Burglary", 1)])
    with pytest.raises(AnalysisError, match=r"no police\.uk data in the warehouse for Alpha"):
        analyse_area(path, ALPHA, Period.parse("2021-01", "2021-01"))


def test_missing_population_is_named(build_warehouse) -> None:
    def drop_population(con) -> None:
        con.execute("DELETE FROM population WHERE lsoa21_code = ?", [ALPHA_LSOAS[2]])

    path = build_warehouse([street_row(date(2021, 1, 1), ALPHA_LSOAS[0], ALPHA, "Burglary", 1)], extra=drop_population)
    with pytest.raises(AnalysisError, match=f"no population .* 1 of the 6 LSOAs of Alpha \\({ALPHA_LSOAS[2]}\\)"):
        analyse_area(path, ALPHA, Period.parse("2021-01", "2021-01"))


def test_short_period_gives_reasons_not_numbers(build_warehouse) -> None:
    path = build_warehouse([street_row(m, c, ALPHA, "Burglary", 2) for m in months(date(2021, 1, 1), 6) for c in ALPHA_LSOAS])
    result = analyse_area(path, ALPHA, Period.parse("2021-01", "2021-06"))
    assert result.change is None and "at least 24 months" in result.notes["change"]
    assert result.yearly is None and result.seasonality is None
    assert result.trends["annual_pct"].null_count() == len(result.trends)
    assert result.trends["statement"].str.contains("not enough months for a trend test").all()


def test_short_period_headline_says_why_change_is_not_tested(build_warehouse) -> None:
    """The executive summary's "What changed" cell was blank over one month; it now says why."""
    from cspkit.report.gather import headlines

    path = build_warehouse([street_row(date(2024, 1, 1), c, ALPHA, "Burglary", 2) for c in ALPHA_LSOAS])
    (crime,) = headlines(analyse_area(path, ALPHA, Period.parse("2024-01", "2024-01"), AnalysisOptions(peer_count=0)))
    assert crime.count == 2 * len(ALPHA_LSOAS)
    assert crime.sentence == "Not tested: January 2024 is shorter than the two years a test of change compares."


def test_peer_count_zero_switches_peers_off(build_warehouse) -> None:
    path = build_warehouse([street_row(date(2021, 1, 1), ALPHA_LSOAS[0], ALPHA, "Burglary", 3)])
    result = analyse_area(path, ALPHA, Period.parse("2021-01", "2021-01"), AnalysisOptions(peer_count=0))
    assert result.peer_group is None and result.notes["peer_group"] == "no peer comparison: [analysis] peer_count = 0"


def test_households_missing_gives_no_household_rate(build_warehouse) -> None:
    path = build_warehouse([street_row(date(2021, 1, 1), ALPHA_LSOAS[0], ALPHA, "Burglary", 3)], households=None)
    result = analyse_area(path, ALPHA, Period.parse("2021-01", "2021-01"))
    assert result.denominators.households is None
    assert result.rates["rate_per_1000_households"].null_count() == len(result.rates)
