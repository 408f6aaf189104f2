"""The DuckDB warehouse: one file per assessment.

Writes happen inside one transaction (:func:`write`), so a run that fails midway leaves the
warehouse exactly as it was. Reads open the file read-only (:func:`read`), which is what
``cspkit sql`` and every analysis use.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from cspkit.data.schema import TABLES
from cspkit.errors import WarehouseError


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every standard table that does not exist yet."""
    for ddl in TABLES.values():
        con.execute(ddl)


@contextmanager
def write(path: str | Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection inside one transaction: committed on success, rolled back on any error."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path))
    except duckdb.IOException as exc:
        raise WarehouseError(f"cannot open the warehouse for writing: {exc}", file=path) from exc
    try:
        con.execute("BEGIN TRANSACTION")
        create_schema(con)
        yield con
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.close()


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


@contextmanager
def write_swapped(path: str | Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection on a copy of the warehouse that replaces it only if the block succeeds.

    For bulk loads (a national police.uk archive): each statement commits as it runs, so DuckDB
    does not hold a whole archive of uncommitted rows in memory, yet a failure midway still leaves
    the warehouse exactly as it was, because the copy is thrown away.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    work = path.with_name(path.name + ".ingesting")
    for leftover in (work, _wal(work)):
        leftover.unlink(missing_ok=True)
    if path.exists():
        shutil.copyfile(path, work)
        if _wal(path).exists():
            shutil.copyfile(_wal(path), _wal(work))
    try:
        con = duckdb.connect(str(work))
    except duckdb.Error as exc:
        work.unlink(missing_ok=True)
        raise WarehouseError(f"cannot open a working copy of the warehouse: {exc}", file=path) from exc
    try:
        create_schema(con)
        yield con
        con.execute("CHECKPOINT")
    except BaseException:
        con.close()
        for leftover in (work, _wal(work)):
            leftover.unlink(missing_ok=True)
        raise
    con.close()
    os.replace(work, path)
    _wal(path).unlink(missing_ok=True)


@contextmanager
def read(path: str | Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to an existing warehouse."""
    path = Path(path)
    if not path.exists():
        raise WarehouseError(
            "warehouse not found; build it with 'cspkit ingest police ...' first", file=path
        )
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise WarehouseError(f"cannot open the warehouse: {exc}", file=path) from exc
    try:
        yield con
    finally:
        con.close()


def query(path: str | Path, sql: str, params: list | None = None) -> tuple[list[str], list[tuple]]:
    """Run one read-only query; return column names and rows."""
    with read(path) as con:
        try:
            cursor = con.execute(sql, params or [])
        except duckdb.Error as exc:
            raise WarehouseError(f"query failed: {exc}") from exc
        columns = [d[0] for d in cursor.description] if cursor.description else []
        return columns, cursor.fetchall()


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether a table or view exists. Reads the whole result: on DuckDB 2 a half-read result
    keeps the connection busy for the next statement."""
    rows = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchall()
    return bool(rows[0][0])
