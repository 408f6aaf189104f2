"""The DuckDB warehouse: one file per assessment.

Writes happen inside one transaction (:func:`write`), so a run that fails midway leaves the
warehouse exactly as it was. The police.uk rows live in Parquet files beside the DuckDB file, in
one folder per kind and force (each file holds one or more whole months of that force); every
connection shows them under the table's own name (:func:`attach_partitions`), so SQL elsewhere
reads ``street`` as before. Reads open the file
read-only (:func:`read`), which is what ``cspkit sql`` and every analysis use. A copy of a
warehouse is the file and its ``.parquet`` folder together.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from cspkit.data.schema import TABLES
from cspkit.errors import WarehouseError

#: police.uk tables whose ingested rows live in Parquet partitions beside the DuckDB file.
PARTITIONED = ("street", "outcomes", "stop_search")


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every standard table that does not exist yet."""
    for ddl in TABLES.values():
        con.execute(ddl)


@contextmanager
def write(path: str | Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection inside one transaction: committed on success, rolled back on any error."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _refuse_orphaned_partitions(path)
    try:
        con = duckdb.connect(str(path))
    except duckdb.IOException as exc:
        raise WarehouseError(f"cannot open the warehouse for writing: {exc}", file=path) from exc
    try:
        con.execute("BEGIN TRANSACTION")
        create_schema(con)
        attach_partitions(con, path)
        yield con
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.close()


def _refuse_orphaned_partitions(path: Path) -> None:
    """A new warehouse file beside an old one's Parquet folder would show the old police.uk rows as its own
    (deleting the file is how users start afresh): refuse, and say which folder to delete or file to restore."""
    folder = partitions_dir(path)
    if not path.exists() and folder.is_dir() and any(folder.rglob("*.parquet")):
        raise WarehouseError(
            f"{folder.name}/ holds police.uk rows of an earlier warehouse, but {path.name} is gone: delete {folder} "
            f"too to start afresh, or restore {path.name} (a warehouse is the file and its .parquet folder together)",
            file=path,
        )


def partitions_dir(path: str | Path) -> Path:
    """The folder of police.uk Parquet partitions beside the DuckDB file (warehouse.duckdb -> warehouse.parquet)."""
    path = Path(path)
    return path.with_name(path.stem + ".parquet")


def partition_folder(path: str | Path, table: str, force: str) -> Path:
    """The folder of one kind and force's Parquet files (``<kind>/force=<force>``)."""
    return partitions_dir(path) / table / f"force={force}"


def partition_file(path: str | Path, table: str, force: str, name: str) -> Path:
    """One Parquet file of a kind and force; it may hold several months (its ``month`` column says which)."""
    return partition_folder(path, table, force) / f"{name}.parquet"


def base_table(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """The DuckDB table itself, even where a view of the same name shows it with its partitions."""
    catalog = con.execute("SELECT current_database()").fetchone()[0].replace('"', '""')
    return f'"{catalog}".main.{table}'


def attach_partitions(con: duckdb.DuckDBPyConnection, path: str | Path) -> None:
    """Show each police table as its DuckDB rows plus its Parquet partitions, in the table's types.

    The views are temporary, made on every connection from the folder beside the file as it is now,
    so a read-only warehouse and a moved folder both work; with no partitions the table is left alone.
    """
    for table in PARTITIONED:
        folder = partitions_dir(path) / table
        if not any(folder.glob("*/*.parquet")):
            continue
        base = base_table(con, table)
        columns = con.execute(f"DESCRIBE {base}").fetchall()
        typed = ", ".join(f'CAST("{c[0]}" AS {c[1]}) AS "{c[0]}"' for c in columns)
        files = str(folder / "*" / "*.parquet").replace("'", "''")
        con.execute(f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT * FROM {base} "
                    f"UNION ALL SELECT {typed} FROM read_parquet('{files}')")


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
        attach_partitions(con, path)
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
