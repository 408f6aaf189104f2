"""Plain files of one kind and header are read by one Polars call: the same rows as read one by one."""

from __future__ import annotations

import shutil

import pytest
from tests.data.helpers import STREET_HEADER, csv_bytes, street_row, write_file

from cspkit.data import warehouse
from cspkit.data.police import _plain_rows, ingest_police
from cspkit.errors import InputError

OLD_HEADER = ["crime_id", "Month", "Reported by", "Falls within", "Long", "Lat", "Location", "LSOA code",
              "LSOA name", "Crime type", "Last outcome category", "Context"]


def _name(month: int, force: str = "bedfordshire") -> str:
    return f"2021-{month:02d}-{force}-street.csv"


def _rows(month: int, n: int, prefix: str) -> list[list[str]]:
    return [street_row(f"{prefix}{i % 4}", month=f"2021-{month:02d}") for i in range(n)]  # repeats: duplicates


def _archive(folder):
    write_file(folder, _name(1), csv_bytes(STREET_HEADER, _rows(1, 5, "a")))
    write_file(folder, _name(2), csv_bytes(STREET_HEADER, [*_rows(2, 3, "b"), street_row("bad", month="2020-01")]))
    write_file(folder, _name(3), csv_bytes(OLD_HEADER, _rows(3, 4, "c")))  # another header: another group
    write_file(folder, _name(4), csv_bytes(OLD_HEADER, _rows(4, 2, "d")))
    write_file(folder, _name(5), csv_bytes(STREET_HEADER, _rows(5, 3, "e")).replace(b"\n", b"\r\n"))
    write_file(folder, _name(6), csv_bytes(STREET_HEADER, [street_row("f", month="2021-06", location="Caf\u00e9")] * 2,
                                           encoding="cp1252"))
    write_file(folder, _name(7), csv_bytes(STREET_HEADER, [street_row("g", month="2021-07", location="A, B")]))  # quoted
    write_file(folder, _name(8), csv_bytes(STREET_HEADER, _rows(8, 2, "h")) + b"\n")  # a blank last line
    write_file(folder, _name(9), csv_bytes(STREET_HEADER, _rows(9, 2, "i")).rstrip(b"\n"))  # no final newline
    write_file(folder, _name(10), csv_bytes(STREET_HEADER, []))  # header only
    write_file(folder, _name(11), csv_bytes(STREET_HEADER, _rows(11, 2, "k")) + b"\n"
               + csv_bytes(STREET_HEADER, _rows(11, 2, "l")).split(b"\n", 1)[1])  # a blank line inside
    write_file(folder, _name(1, "cambridgeshire"), csv_bytes(STREET_HEADER, _rows(1, 3, "j")))


def _contents(path):
    return {table: warehouse.query(path, f"SELECT * EXCLUDE (ingested_at) FROM {table} ORDER BY ALL")[1]
            if table == "ingest_log" else warehouse.query(path, f"SELECT * FROM {table} ORDER BY ALL")[1]
            for table in ("street", "quarantine", "ingest_log")}


def test_files_read_together_give_what_files_read_alone_give(warehouse_file, tmp_path):
    _archive(tmp_path / "in")
    alone = tmp_path / "alone" / "warehouse.duckdb"
    alone.parent.mkdir()
    shutil.copyfile(warehouse_file, alone)
    together_report = ingest_police(warehouse_file, [tmp_path / "in"])
    alone_report = ingest_police(alone, [tmp_path / "in"], batch_rows=1)  # one file a batch: each read alone
    assert together_report.to_dict() == alone_report.to_dict()
    assert together_report.total()["duplicates"] > 0 and together_report.total()["quarantined"] >= 1
    assert all(f.balanced for f in together_report.files)
    assert _contents(warehouse_file) == _contents(alone)


def test_plain_rows():
    assert _plain_rows(b"a,b\n1,2\n3,4\n") == 2
    assert _plain_rows(b"a,b\r\n1,2\r\n") == 1
    assert _plain_rows(b"a,b\n") is None  # header only
    assert _plain_rows(b'a,b\n"1",2\n') is None  # quotes: a field may span lines
    assert _plain_rows(b"a,b\n1,2\n\n3,4\n") == 3  # a blank line is a row of nulls, read alone or together
    assert _plain_rows(b"a,b\n1,2") is None  # no final newline: maybe truncated
    assert _plain_rows(b"a,b\r\n1,2\n") is None  # mixed line ends


def test_a_bad_file_among_files_read_together_is_named(warehouse_file, tmp_path):
    folder = tmp_path / "in"
    write_file(folder, _name(1), csv_bytes(STREET_HEADER, _rows(1, 3, "a")))
    write_file(folder, _name(2), csv_bytes(STREET_HEADER, [[*street_row(month="2021-02"), "x", "y"]]))  # too many fields
    write_file(folder, _name(3), csv_bytes(STREET_HEADER, _rows(3, 3, "c")))
    with pytest.raises(InputError, match="not a readable CSV") as caught:
        ingest_police(warehouse_file, [folder])
    assert _name(2) in str(caught.value.file)
