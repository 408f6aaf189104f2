"""The one place that prints tables for the CLI: ``--format table|csv|json`` for every command."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and value != value:  # NaN has no JSON form
        return None
    return value


def render_rows(
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    fmt: OutputFormat,
    title: str | None = None,
    stream=None,
) -> None:
    """Write rows as a Rich table, CSV or a JSON list of objects."""
    stream = stream or sys.stdout
    rows = [[_plain(v) for v in row] for row in rows]
    if fmt == OutputFormat.json:
        json.dump([dict(zip(columns, row, strict=True)) for row in rows], stream, indent=2)
        stream.write("\n")
    elif fmt == OutputFormat.csv:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
        stream.write(buffer.getvalue())
    else:
        from rich.console import Console  # only for tables on a terminal: kept out of every import
        from rich.table import Table

        table = Table(title=title, show_lines=False)
        for column in columns:
            table.add_column(column)
        for row in rows:
            table.add_row(*["" if v is None else str(v) for v in row])
        Console(file=stream).print(table)


def render_frame(frame, fmt: OutputFormat, title: str | None = None, stream=None) -> None:
    """Render a Polars or pandas frame, or a list of dicts, in the chosen format."""
    if isinstance(frame, list):
        columns = list(frame[0].keys()) if frame else []
        render_rows(columns, [[r.get(c) for c in columns] for r in frame], fmt, title, stream)
        return
    if hasattr(frame, "iter_rows"):  # polars
        render_rows(frame.columns, frame.iter_rows(), fmt, title, stream)
        return
    render_rows(list(frame.columns), frame.itertuples(index=False, name=None), fmt, title, stream)


def render_json(payload: Mapping[str, Any] | list, stream=None) -> None:
    """Write any JSON-able result (nested dicts) for ``--format json``."""
    stream = stream or sys.stdout
    json.dump(payload, stream, indent=2, default=_plain)
    stream.write("\n")
