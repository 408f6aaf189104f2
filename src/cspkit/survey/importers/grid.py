"""Read a survey export (CSV or XLSX) into header rows and data rows of text.

Exports from survey platforms arrive as UTF-8 with or without a byte-order mark, UTF-16 ("Unicode
text" from Excel) or Windows-1252 (Excel's "CSV" on a UK Windows PC). The encoding is detected,
never guessed silently: the one used is reported with the import.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from cspkit.errors import InputError

EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm"})


@dataclass(frozen=True)
class Grid:
    """The cells of an export as text; ``rows`` excludes the header rows."""

    file: Path
    headers: list[list[str]]
    rows: list[list[str]]
    encoding: str


def read_grid(path: str | Path, header_rows: int = 1, encoding: str = "auto", sheet: str | None = None) -> Grid:
    """The export's header rows and data rows, every cell as stripped text."""
    path = Path(path)
    if not path.exists():
        raise InputError("survey export not found", file=path.name)
    if path.suffix.lower() in EXCEL_SUFFIXES:
        table, used = _read_excel(path, sheet), "xlsx"
    else:
        table, used = _read_csv(path, encoding)
    table = [row for row in table if any(cell for cell in row)]
    if not table:
        raise InputError("the file is empty: no header row and no responses", file=path.name)
    if len(table) <= header_rows:
        raise InputError(f"the file has a header but no responses (expected {header_rows} header row(s))", file=path.name)
    width = max(len(row) for row in table)
    table = [row + [""] * (width - len(row)) for row in table]
    return Grid(file=path, headers=table[:header_rows], rows=table[header_rows:], encoding=used)


def _decode(path: Path, encoding: str) -> tuple[str, str]:
    data = path.read_bytes()
    if encoding != "auto":
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            row = data[: getattr(exc, "start", 0)].count(b"\n") + 1
            raise InputError(f"cannot be read as {encoding}: {exc}", file=path.name, row=row) from exc
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        # Windows-1252 decodes almost any byte; the five bytes it leaves undefined mean not text at all.
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError as exc:
            row = data[: exc.start].count(b"\n") + 1
            raise InputError("not a text file (neither UTF-8 nor Windows-1252)", file=path.name, row=row) from exc


def _read_csv(path: Path, encoding: str) -> tuple[list[list[str]], str]:
    text, used = _decode(path, encoding)
    if "\x00" in text:
        raise InputError("not a CSV file (it contains NUL bytes); is it a spreadsheet saved with the wrong name?", file=path.name)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text, newline=""), dialect)]
    except csv.Error as exc:
        raise InputError(f"not readable as CSV: {exc}", file=path.name) from exc
    return rows, used


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_excel(path: Path, sheet: str | None) -> list[list[str]]:
    from openpyxl import load_workbook  # openpyxl is slow to import; only Excel exports need it

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged or mislabelled file
        raise InputError(f"not a readable Excel workbook: {exc}", file=path.name) from exc
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise InputError(f"no sheet '{sheet}'; the sheets are {', '.join(book.sheetnames)}", file=path.name)
        worksheet = book[sheet] if sheet else book.worksheets[0]
        return [[_cell_text(v) for v in row] for row in worksheet.iter_rows(values_only=True)]
    finally:
        book.close()
