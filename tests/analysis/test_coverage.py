"""Coverage on real police.uk rows: Bedfordshire's street files for two years, and British Transport Police and
Hertfordshire for January 2024 only (as when a CSP adds one national month for its peers)."""

from __future__ import annotations

import csv
import io
import statistics
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from cspkit.analysis.analyse import analyse_area, open_scope
from cspkit.analysis.area import Period
from cspkit.analysis.coverage import THIN_SHARE, area_coverage, thin_months
from cspkit.analysis.scope import ALL_CRIME, ASB
from cspkit.analysis.volumes import monthly_counts
from cspkit.data import warehouse
from cspkit.data.police import ingest_police
from cspkit.errors import AnalysisError

DEMO_POLICE = Path(__file__).resolve().parents[2] / "demo" / "police"
BEDFORDSHIRE_ZIP = DEMO_POLICE / "bedfordshire-2021-05-to-2024-04.zip"
NATIONAL_ZIP = DEMO_POLICE / "england-wales-2024-01-street-except-bedfordshire.zip"
CENTRAL_BEDFORDSHIRE = "E06000056"
PERIOD = Period.parse("2022-05", "2024-04")
THIN = "2023-03"
THIN_ROWS = 1500


def _bedfordshire_street(month: date) -> str:
    return f"{month:%Y-%m}/{month:%Y-%m}-bedfordshire-street.csv"


def _first_rows(data: bytes, rows: int) -> bytes:
    """The header and the first ``rows`` rows, as published (real rows, none changed)."""
    lines = data.splitlines(keepends=True)
    return b"".join(lines[: rows + 1])


def build_archive(target: Path, drop: str | None = None, thin: str | None = None) -> Path:
    """Two years of Bedfordshire street files (one month dropped or cut short when asked), BTP's and
    Hertfordshire's January 2024."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out, zipfile.ZipFile(BEDFORDSHIRE_ZIP) as beds, \
            zipfile.ZipFile(NATIONAL_ZIP) as national:
        for month in PERIOD.month_list():
            name = _bedfordshire_street(month)
            if f"{month:%Y-%m}" == drop:
                continue
            data = beds.read(name)
            out.writestr(name, _first_rows(data, THIN_ROWS) if f"{month:%Y-%m}" == thin else data)
        for force in ("btp", "hertfordshire"):
            name = f"2024-01/2024-01-{force}-street.csv"
            out.writestr(name, national.read(name))
    return target


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> Callable[..., Path]:
    built: dict[tuple, Path] = {}

    def load(drop: str | None = None, thin: str | None = None) -> Path:
        if (drop, thin) not in built:
            folder = tmp_path_factory.mktemp("coverage")
            ingest_police(folder / "w.duckdb", [build_archive(folder / "police.zip", drop, thin)])
            built[(drop, thin)] = folder / "w.duckdb"
        return built[(drop, thin)]

    return load


def test_forces_loaded_for_one_month_are_left_out_of_counts_and_listed(loaded) -> None:
    path = loaded()
    with open_scope(path, CENTRAL_BEDFORDSHIRE, PERIOD) as scope:
        coverage = area_coverage(scope)
        monthly = monthly_counts(scope)
    assert coverage.counted == ("bedfordshire",)
    assert coverage.left_out.rows() == [("btp", 1, 17), ("hertfordshire", 1, 4)]
    assert ("left out: British Transport Police (1 of 24 months, 17 rows in the area), Hertfordshire (1 of 24 months, 4 rows"
            in coverage.note())
    with warehouse.read(path) as con:
        direct = dict(con.execute(
            "SELECT month, count(*) FROM street WHERE lad_code = ? AND force = 'bedfordshire' GROUP BY 1",
            [CENTRAL_BEDFORDSHIRE]).fetchall())
    totals = dict(monthly.group_by("month").agg(pl.col("count").sum()).iter_rows())
    assert totals == direct
    assert totals[date(2024, 1, 1)] == 1472  # Bedfordshire's own January rows in the area; not BTP's 17 or Hertfordshire's 4


def test_the_comparison_and_its_footnote_leave_the_partial_forces_out(loaded) -> None:
    path = loaded()
    result = analyse_area(path, CENTRAL_BEDFORDSHIRE, PERIOD)
    with warehouse.read(path) as con:
        latest, previous = (
            con.execute("SELECT count(*) FROM street WHERE lad_code = ? AND force = 'bedfordshire' AND crime_type <> ? "
                        "AND month BETWEEN ? AND ?", [CENTRAL_BEDFORDSHIRE, ASB, p.start, p.end]).fetchall()[0][0]
            for p in (PERIOD.latest_12(), PERIOD.previous_12())
        )
    row = result.change.filter(result.change["crime_type"] == ALL_CRIME).row(0, named=True)
    assert (row["latest_count"], row["previous_count"]) == (latest, previous)
    assert "British Transport Police (1 of 24 months" in result.notes["coverage"]
    for key in ("monthly", "change", "trends"):
        assert "Hertfordshire (1 of 24 months" in result.provenance[key].footnote()


def test_a_thin_month_is_flagged_against_the_force_median(loaded) -> None:
    path = loaded(thin=THIN)
    with zipfile.ZipFile(BEDFORDSHIRE_ZIP) as beds:
        published = {}
        for month in PERIOD.month_list():
            rows = sum(1 for _ in csv.DictReader(io.TextIOWrapper(beds.open(_bedfordshire_street(month)), "utf-8-sig")))
            published[f"{month:%Y-%m}"] = THIN_ROWS if f"{month:%Y-%m}" == THIN else rows
    median = statistics.median(published.values())
    assert THIN_ROWS < THIN_SHARE * median < min(n for m, n in published.items() if m != THIN)  # only the cut month
    with open_scope(path, CENTRAL_BEDFORDSHIRE, PERIOD) as scope:
        coverage = area_coverage(scope)
    assert coverage.thin.rows() == [("bedfordshire", date(2023, 3, 1), THIN_ROWS, median, THIN_ROWS / median)]
    assert f"Bedfordshire 2023-03 (1,500 rows, {THIN_ROWS / median:.0%} of its median month)" in coverage.note()
    result = analyse_area(path, CENTRAL_BEDFORDSHIRE, PERIOD)
    assert "Bedfordshire 2023-03" in result.provenance["monthly"].footnote()


def test_a_thin_month_needs_a_yardstick_of_three_months() -> None:
    two = pl.DataFrame({"force": ["a", "a"], "month": [date(2024, 1, 1), date(2024, 2, 1)], "rows": [100, 10]})
    assert thin_months(two, Period.parse("2024-01", "2024-02")).is_empty()
    three = pl.concat([two, pl.DataFrame({"force": ["a"], "month": [date(2024, 3, 1)], "rows": [100]})])
    assert thin_months(three, Period.parse("2024-01", "2024-03"))["month"].to_list() == [date(2024, 2, 1)]


def test_a_month_the_area_force_did_not_publish_stops_the_analysis(loaded) -> None:
    """BTP's and Hertfordshire's rows in the area in January would hide the month Bedfordshire is missing."""
    path = loaded(drop="2024-01")
    with pytest.raises(AnalysisError, match=r"Bedfordshire, the force reporting most of the area's crimes, has no "
                                            r"police.uk data for 1 month\(s\) of 2022-05 to 2024-04: 2024-01"):
        analyse_area(path, CENTRAL_BEDFORDSHIRE, PERIOD)


def test_the_analysis_commands_print_the_coverage_note(loaded) -> None:
    from typer.testing import CliRunner

    from cspkit.cli import app

    result = CliRunner().invoke(app, ["analyse", "change", "--area", CENTRAL_BEDFORDSHIRE, "--from", "2022-05",
                                      "--to", "2024-04", "--warehouse", str(loaded()), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "Coverage: Counts and comparisons include only the forces that published every month of 2022-05 to " \
           "2024-04 (Bedfordshire); left out: British Transport Police (1 of 24 months, 17 rows in the area)" in result.stderr


def test_one_month_held_says_thin_months_cannot_be_judged(tmp_path) -> None:
    """The national month alone: a thin force file could not be told from a quiet month, and the note says so."""
    path = tmp_path / "w.duckdb"
    ingest_police(path, [NATIONAL_ZIP])
    january = Period.parse("2024-01", "2024-01")
    # Bedford: no Bedfordshire file in this download, only BTP's and neighbours' rows
    with open_scope(path, "E06000055", january) as scope, pytest.raises(
            AnalysisError, match=r"from the force that polices Bedford \(E06000055\): the rows there come only "
                                 r"from forces policing elsewhere \(British Transport Police \d+, Cambridgeshire"):
        area_coverage(scope)
    with open_scope(path, "E07000178", january) as scope:  # Oxford, Thames Valley
        coverage = area_coverage(scope)
    assert coverage.counted == ("btp", "thames-valley")
    assert coverage.unjudged == (("thames-valley", 1),)
    assert "cannot be judged with fewer than 3 months of a force held: Thames Valley (1 month held)" in coverage.note()


def test_a_district_without_residents_is_not_judged_as_missing_its_force(build_warehouse) -> None:
    """Rows per resident need residents: without them the own-force check stands aside (rates fail by name)."""
    from .conftest import ALPHA, ALPHA_LSOAS, BETA, BETA_LSOAS, months, street_row

    rows = [street_row(m, c, lad, "Burglary", n) for m in months(date(2023, 1, 1), 3)
            for c, lad, n in ((ALPHA_LSOAS[0], ALPHA, 500), (BETA_LSOAS[0], BETA, 1))]
    path = build_warehouse(rows, extra=lambda con: con.execute("DELETE FROM population WHERE lsoa21_code IN (SELECT unnest(?))",
                                                                [BETA_LSOAS]))
    with open_scope(path, BETA, Period.parse("2023-01", "2023-03")) as scope:
        assert area_coverage(scope).counted == ("test",)
    with warehouse.write(path) as con:  # with residents, Beta's one crime a month is a sliver of the force's rate
        con.execute("INSERT INTO population VALUES (?, '16 to 64', 600), (?, 'other', 400)", BETA_LSOAS)
    with open_scope(path, BETA, Period.parse("2023-01", "2023-03")) as scope, pytest.raises(
            AnalysisError, match="from the force that polices E06000002"):
        area_coverage(scope)
