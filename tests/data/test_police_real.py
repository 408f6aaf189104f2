"""The real Bedfordshire download (bundled demo) and the 40-force month from ../shared/data."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from tests.data.helpers import STREET_HEADER, csv_bytes, street_row, write_file
from typer.testing import CliRunner

from cspkit.cli import app
from cspkit.data import warehouse
from cspkit.data.police import ingest_police
from cspkit.errors import InputError

BEDFORDSHIRE = ("E06000032", "E06000055", "E06000056")


@pytest.fixture(scope="module")
def demo_police_zip_module():
    return Path(__file__).resolve().parents[2] / "demo" / "police" / "bedfordshire-2021-05-to-2024-04.zip"


@pytest.fixture(scope="module")
def demo(tmp_path_factory, demo_police_zip_module):
    path = tmp_path_factory.mktemp("demo") / "warehouse.duckdb"
    report = ingest_police(path, [demo_police_zip_module])
    return path, report


def _independent_counts(zip_path):
    """Rows and in-file duplicate Crime IDs per member, counted with the csv module."""
    rows, duplicates = {}, {}
    with zipfile.ZipFile(zip_path) as zf:
        for member in zf.namelist():
            if not member.endswith(".csv"):
                continue
            reader = csv.DictReader(io.TextIOWrapper(zf.open(member), encoding="utf-8-sig"))
            records = list(reader)
            rows[member] = len(records)
            if member.endswith("-street.csv"):
                ids = Counter(r["Crime ID"] for r in records if r["Crime ID"])
                duplicates[member] = sum(n - 1 for n in ids.values())
    return rows, duplicates


def test_every_row_of_the_demo_archive_is_accounted_for(demo, demo_police_zip_module):
    path, report = demo
    rows, duplicates = _independent_counts(demo_police_zip_module)
    assert len(report.files) == 108
    for f in report.files:
        member = f.source_file.split(":", 1)[1]
        assert f.rows_read == rows[member]
        assert f.balanced
        if f.kind == "street":
            assert f.duplicates == duplicates[member]
    total = report.total()
    assert total["rows_read"] == sum(rows.values())
    _, counts = warehouse.query(path, "SELECT (SELECT count(*) FROM street) + (SELECT count(*) FROM outcomes)"
                                      " + (SELECT count(*) FROM stop_search), (SELECT count(*) FROM quarantine)")
    assert counts[0] == (total["loaded"], total["quarantined"] + total["duplicates"])


def test_real_quirks_are_loaded(demo):
    path, _ = demo
    _, asb = warehouse.query(path, "SELECT count(*), count(crime_id) FROM street WHERE crime_type = 'Anti-social behaviour'")
    assert asb[0][0] > 30_000 and asb[0][1] == 0
    _, no_location = warehouse.query(path, "SELECT count(*) FROM street WHERE lsoa_code IS NULL AND lsoa21_code IS NULL")
    assert no_location[0][0] > 5_000
    _, outside = warehouse.query(path, f"SELECT count(*) FROM street WHERE lad_code NOT IN {BEDFORDSHIRE}")
    assert outside[0][0] > 100
    _, previous = warehouse.query(
        path, "SELECT count(*) FROM stop_search WHERE strftime(date, '%Y-%m') < strftime(month, '%Y-%m')")
    assert previous[0][0] > 0
    # Stop and search has coordinates only: placed in the bundled national LSOA polygons, so searches
    # just outside the force area get their real district too.
    _, searches = warehouse.query(path, """SELECT count(*) FILTER (WHERE latitude IS NOT NULL),
        count(*) FILTER (WHERE lad_code IN ('E06000032', 'E06000055', 'E06000056')),
        count(*) FILTER (WHERE latitude IS NOT NULL AND lad_code IS NULL) FROM stop_search""")
    located, in_force, unplaced = searches[0]
    assert in_force > 0.9 * located and unplaced == 0
    _, cb = warehouse.query(path, "SELECT count(*) FROM street WHERE lad_code = 'E06000056'")
    assert 1_400 * 36 < cb[0][0] < 1_800 * 36


def test_ingest_log_has_each_file_with_its_sha256(demo, demo_police_zip_module):
    import hashlib

    path, _ = demo
    _, log = warehouse.query(path, "SELECT source_file, sha256 FROM ingest_log ORDER BY source_file")
    assert len(log) == 108
    name, digest = log[0]
    with zipfile.ZipFile(demo_police_zip_module) as zf:
        assert hashlib.sha256(zf.read(name.split(":", 1)[1])).hexdigest() == digest


def test_reingesting_the_same_months_stores_them_once(warehouse_file, tmp_path, demo_police_zip_module):
    folder = tmp_path / "in"
    with zipfile.ZipFile(demo_police_zip_module) as zf:
        for member in [m for m in zf.namelist() if m.startswith(("2021-05/", "2021-06/")) and m.endswith(".csv")]:
            target = folder / member
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(zf.read(member))
    first = ingest_police(warehouse_file, [folder])
    counts = warehouse.query(warehouse_file, "SELECT (SELECT count(*) FROM street), (SELECT count(*) FROM outcomes),"
                                             " (SELECT count(*) FROM quarantine), (SELECT count(*) FROM ingest_log)")[1]
    second = ingest_police(warehouse_file, [folder])
    assert second.total() == first.total()
    assert warehouse.query(warehouse_file, "SELECT (SELECT count(*) FROM street), (SELECT count(*) FROM outcomes),"
                                           " (SELECT count(*) FROM quarantine), (SELECT count(*) FROM ingest_log)")[1] == counts
    assert counts[0][3] == 6


def test_a_newer_download_of_a_month_replaces_the_older(warehouse_file, tmp_path):
    name = "2021-05-bedfordshire-street.csv"
    write_file(tmp_path / "old", name, csv_bytes(STREET_HEADER, [street_row("a"), street_row("b"), street_row("b")]))
    write_file(tmp_path / "new", name, csv_bytes(STREET_HEADER, [street_row("c")]))
    ingest_police(warehouse_file, [tmp_path / "old"])
    ingest_police(warehouse_file, [tmp_path / "new"])
    assert warehouse.query(warehouse_file, "SELECT crime_id FROM street")[1] == [("c",)]
    assert warehouse.query(warehouse_file, "SELECT count(*) FROM quarantine")[1] == [(0,)]
    assert warehouse.query(warehouse_file, "SELECT source_file FROM ingest_log")[1] == [(f"new/2021-05/{name}",)]


def test_in_one_run_the_later_download_of_a_month_wins(warehouse_file, tmp_path):
    name = "2021-05-bedfordshire-street.csv"
    write_file(tmp_path / "old", name, csv_bytes(STREET_HEADER, [street_row("a"), street_row("b", month="x")]))
    write_file(tmp_path / "new", name, csv_bytes(STREET_HEADER, [street_row("c")]))
    report = ingest_police(warehouse_file, [tmp_path / "old", tmp_path / "new"])
    assert [f.loaded for f in report.files] == [1, 1]
    assert warehouse.query(warehouse_file, "SELECT count(*) FROM quarantine")[1] == [(0,)]
    assert warehouse.query(warehouse_file, "SELECT crime_id FROM street")[1] == [("c",)]
    assert warehouse.query(warehouse_file, "SELECT count(*) FROM ingest_log")[1] == [(1,)]


def test_a_failure_midway_leaves_the_warehouse_exactly_as_it_was(warehouse_file, tmp_path):
    write_file(tmp_path / "first", "2021-04-bedfordshire-street.csv", csv_bytes(STREET_HEADER, [street_row(month="2021-04")]))
    ingest_police(warehouse_file, [tmp_path / "first"])
    before = warehouse_file.read_bytes()
    folder = tmp_path / "in"
    write_file(folder, "2021-04-bedfordshire-street.csv", csv_bytes(STREET_HEADER, [street_row("z", month="2021-04")]))
    write_file(folder, "2021-05-bedfordshire-street.csv", csv_bytes(STREET_HEADER, [street_row()] * 3))
    write_file(folder, "2021-06-bedfordshire-street.csv", b"not,a,police,file\n1,2,3,4\n")
    with pytest.raises(InputError, match="missing required column"):
        ingest_police(warehouse_file, [folder])
    assert warehouse_file.read_bytes() == before
    assert not list(tmp_path.glob("*.ingesting*"))
    assert warehouse.query(warehouse_file, "SELECT crime_id FROM street")[1] == [("abc1",)]


def test_cli_prints_json_report_and_fails_clearly(warehouse_file, tmp_path):
    write_file(tmp_path / "in", "2021-05-bedfordshire-street.csv", csv_bytes(STREET_HEADER, [street_row(), street_row()]))
    runner = CliRunner()
    result = runner.invoke(app, ["ingest", "police", str(tmp_path / "in"), "--warehouse", str(warehouse_file),
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert (payload["total"]["rows_read"], payload["total"]["loaded"], payload["total"]["duplicates"]) == (2, 1, 1)
    table = runner.invoke(app, ["ingest", "police", str(tmp_path / "in"), "-w", str(warehouse_file)])
    assert "TOTAL" in table.stdout
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "2021-05-bedfordshire-street.csv").write_bytes(b"")
    failed = runner.invoke(app, ["ingest", "police", str(tmp_path / "bad"), "-w", str(warehouse_file)])
    assert failed.exit_code == 2
    assert "2021-05-bedfordshire-street.csv" in failed.output and "empty file" in failed.output


def test_forty_forces_one_month(shared_data, warehouse_file):
    archive = shared_data / "police_uk" / "england-wales-2024-01-street.zip"
    report = ingest_police(warehouse_file, [archive])
    total = report.total()
    assert len(report.files) == 40
    assert total["rows_read"] == 316_440
    assert all(f.balanced for f in report.files)
    _, forces = warehouse.query(warehouse_file, "SELECT count(DISTINCT force), count(DISTINCT lad_code) FROM street")
    assert forces[0][0] == 40 and forces[0][1] > 250
