"""CLI commands for the data step: ``cspkit ingest ...`` and ``cspkit sql``."""

from __future__ import annotations

import re
from typing import Annotated

import typer

from cspkit.cli_common import (
    ConfigOption,
    FormatOption,
    WarehouseOption,
    handles_errors,
    resolve_warehouse,
)
from cspkit.data import warehouse
from cspkit.errors import WarehouseError
from cspkit.output import OutputFormat, render_rows

app = typer.Typer(help="Load police.uk, partner and reference data into the warehouse.",
                  no_args_is_help=True)

_WRITE_STATEMENT = re.compile(
    r"^\s*(INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|ATTACH|DETACH|COPY|EXPORT|IMPORT|INSTALL|LOAD|SET|PRAGMA|CALL|CHECKPOINT|VACUUM)\b",
    re.IGNORECASE,
)


@handles_errors
def sql(
    statement: Annotated[str, typer.Argument(help="A read-only SQL query, e.g. \"SELECT ...\".")],
    warehouse_path: WarehouseOption = None,
    config: ConfigOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Query the warehouse (read-only) and print the result as a table, CSV or JSON."""
    if _WRITE_STATEMENT.match(statement):
        raise WarehouseError("'cspkit sql' is read-only: only queries are allowed")
    path = resolve_warehouse(warehouse_path, config)
    columns, rows = warehouse.query(path, statement)
    render_rows(columns, rows, fmt)
