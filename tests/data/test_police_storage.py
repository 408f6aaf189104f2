"""Parquet storage of the police rows: files holding several months, and replacing one month of them."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest
from tests.data.helpers import STREET_HEADER, csv_bytes, street_row, write_file

from cspkit.data import warehouse
from cspkit.data.police import ingest_police
from cspkit.errors import InputError, WarehouseError

NAME = "2021-{:02d}-bedfordshire-street.csv"


def _month(folder: Path, month: int, ids: list[str]) -> None:
    rows = [street_row(i, month=f"2021-{month:02d}") for i in ids]
    write_file(folder, NAME.format(month), csv_bytes(STREET_HEADER, rows))


def _files(warehouse_file: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(warehouse.partitions_dir(warehouse_file).rglob("*")) if p.is_file()}


def _street(warehouse_file: Path) -> list[tuple]:
    return warehouse.query(warehouse_file, "SELECT strftime(month, '%Y-%m'), crime_id, source_row FROM street ORDER BY ALL")[1]


def test_one_file_holds_several_months_and_one_month_is_replaced_alone(warehouse_file, tmp_path):
    for month in (4, 5, 6):
        _month(tmp_path / "first", month, [f"a{month}", f"b{month}"])
    ingest_police(warehouse_file, [tmp_path / "first"])
    folder = warehouse.partition_folder(warehouse_file, "street", "bedfordshire")
    assert len(list(folder.glob("*.parquet"))) == 1  # three months, one file
    _month(tmp_path / "newer", 5, ["c5"])
    report = ingest_police(warehouse_file, [tmp_path / "newer"])
    assert report.total()["loaded"] == 1
    assert _street(warehouse_file) == [("2021-04", "a4", 1), ("2021-04", "b4", 2), ("2021-05", "c5", 1),
                                       ("2021-06", "a6", 1), ("2021-06", "b6", 2)]
    assert len(list(folder.glob("*.parquet"))) == 2  # the old file rewritten without May, May's new file
    assert not list(folder.glob("*.tmp"))
    log = warehouse.query(warehouse_file, "SELECT strftime(month, '%Y-%m'), source_file FROM ingest_log ORDER BY 1")[1]
    assert log == [("2021-04", f"first/2021-04/{NAME.format(4)}"), ("2021-05", f"newer/2021-05/{NAME.format(5)}"),
                   ("2021-06", f"first/2021-06/{NAME.format(6)}")]


def test_a_month_whose_new_download_loads_nothing_leaves_the_file_holding_it(warehouse_file, tmp_path):
    for month in (4, 5):
        _month(tmp_path / "first", month, [f"a{month}"])
    ingest_police(warehouse_file, [tmp_path / "first"])
    write_file(tmp_path / "newer", NAME.format(5), csv_bytes(STREET_HEADER, [street_row("x", month="2020-01")]))
    report = ingest_police(warehouse_file, [tmp_path / "newer"])
    assert (report.total()["loaded"], report.total()["quarantined"]) == (0, 1)
    assert _street(warehouse_file) == [("2021-04", "a4", 1)]
    assert warehouse.query(warehouse_file, "SELECT count(*) FROM quarantine")[1] == [(1,)]


def test_reingesting_everything_replaces_every_file(warehouse_file, tmp_path):
    for month in (4, 5, 6):
        _month(tmp_path / "first", month, [f"a{month}"])
    ingest_police(warehouse_file, [tmp_path / "first"])
    before = set(_files(warehouse_file))
    ingest_police(warehouse_file, [tmp_path / "first"])
    after = set(_files(warehouse_file))
    assert len(after) == 1 and not before & after  # the old file deleted, the new one in its place
    assert [r[1] for r in _street(warehouse_file)] == ["a4", "a5", "a6"]


def test_a_run_failing_after_several_batches_leaves_every_file_as_it_was(warehouse_file, tmp_path):
    for month in (4, 5, 6):
        _month(tmp_path / "first", month, [f"a{month}", f"b{month}"])
    ingest_police(warehouse_file, [tmp_path / "first"])
    files, database = _files(warehouse_file), warehouse_file.read_bytes()
    folder = tmp_path / "in"
    _month(folder, 5, ["c5"])  # replaces a month of the existing file
    _month(folder, 7, ["c7"])
    _month(folder, 8, ["c8"])
    write_file(folder, "2021-09-bedfordshire-street.csv", b"not,a,police,file\n1,2,3,4\n")
    with pytest.raises(InputError, match="missing required column"):
        ingest_police(warehouse_file, [folder], batch_rows=1)  # one batch written per file before the failure
    assert _files(warehouse_file) == files
    assert warehouse_file.read_bytes() == database
    assert [r[1] for r in _street(warehouse_file)] == ["a4", "b4", "a5", "b5", "a6", "b6"]


def test_files_are_read_in_force_order_but_reported_in_the_order_given(warehouse_file, tmp_path):
    write_file(tmp_path / "in", "2021-05-cambridgeshire-street.csv", csv_bytes(STREET_HEADER, [street_row("k")]))
    write_file(tmp_path / "in", "2021-05-bedfordshire-street.csv", csv_bytes(STREET_HEADER, [street_row("m")] * 2))
    write_file(tmp_path / "in", "2021-04-cambridgeshire-street.csv",
               csv_bytes(STREET_HEADER, [street_row("n", month="2021-04")]))
    report = ingest_police(warehouse_file, [tmp_path / "in"])
    assert [f.source_file.rsplit("/", 1)[1] for f in report.files] == [
        "2021-04-cambridgeshire-street.csv", "2021-05-bedfordshire-street.csv", "2021-05-cambridgeshire-street.csv"]
    assert [(f.loaded, f.duplicates) for f in report.files] == [(1, 0), (1, 1), (1, 0)]
    assert warehouse.query(warehouse_file, "SELECT force, count(*) FROM street GROUP BY 1 ORDER BY 1")[1] == [
        ("bedfordshire", 1), ("cambridgeshire", 2)]


def test_a_failure_while_the_workers_wait_for_the_reference_tables_stops_them(warehouse_file, tmp_path, monkeypatch):
    for month in (4, 5, 6):
        _month(tmp_path / "in", month, [f"a{month}"])
    files, database = _files(warehouse_file), warehouse_file.read_bytes()

    def broken(con):
        raise RuntimeError("lookup broken")

    monkeypatch.setattr("cspkit.data.police.LsoaLookup.from_warehouse", broken)
    with pytest.raises(RuntimeError, match="lookup broken"):
        ingest_police(warehouse_file, [tmp_path / "in"], batch_rows=1)
    assert _files(warehouse_file) == files
    assert warehouse_file.read_bytes() == database


def test_a_warehouse_with_one_file_per_month_from_earlier_versions_is_updated(warehouse_file, tmp_path):
    _month(tmp_path / "first", 4, ["a4"])
    _month(tmp_path / "second", 5, ["a5"])
    ingest_police(warehouse_file, [tmp_path / "first"])
    ingest_police(warehouse_file, [tmp_path / "second"])
    folder = warehouse.partition_folder(warehouse_file, "street", "bedfordshire")
    for path in list(folder.glob("*.parquet")):
        month = pl.read_parquet(path)["month"].unique().item()
        path.rename(folder / f"month={month:%Y-%m}.parquet")  # the layout of earlier versions
    _month(tmp_path / "newer", 5, ["b5"])
    ingest_police(warehouse_file, [tmp_path / "newer"])
    assert [r[1] for r in _street(warehouse_file)] == ["a4", "b5"]
    assert not (folder / "month=2021-05.parquet").exists() and (folder / "month=2021-04.parquet").exists()


def test_a_deleted_warehouse_file_does_not_bring_its_old_rows_back(warehouse_file, tmp_path):
    """Deleting warehouse.duckdb to start afresh: the next write refuses, naming the .parquet folder, rather
    than show the earlier warehouse's police.uk rows as its own; it creates nothing."""
    _month(tmp_path / "first", 4, ["a4"])
    ingest_police(warehouse_file, [tmp_path / "first"])
    warehouse_file.unlink()
    with pytest.raises(WarehouseError, match=r"warehouse.*\.parquet/ holds police\.uk rows of an earlier warehouse"):
        ingest_police(warehouse_file, [tmp_path / "first"])
    assert not warehouse_file.exists()
    shutil.rmtree(warehouse.partitions_dir(warehouse_file))
    assert ingest_police(warehouse_file, [tmp_path / "first"]).total()["loaded"] == 1
