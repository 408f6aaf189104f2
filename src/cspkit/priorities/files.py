"""Reading the partnership's own TOML files (votes, decision, previous priorities) with errors that say where.

Every list item is addressed as ``[[key]] number n`` (the row) and its setting (the column), so a
partner who edited the file can find the line that is wrong.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cspkit.errors import InputError
from cspkit.tomlfile import read_toml as toml_file


def read_toml(path: str | Path) -> dict[str, Any]:
    """Votes, decisions and plans are the partnership's inputs, so their faults are InputErrors."""
    return toml_file(path, "file", InputError)


#: Key under which :func:`read_workbook` keeps each item's row number in its sheet.
SHEET_ROW = "_sheet_row"


def read_workbook(path: Path, sheets: dict[str, str], settings_sheet: str | None = None) -> dict[str, Any]:
    """An XLSX workbook as the same shape as a TOML file: each named sheet a list of row tables keyed by
    its header (lower case, spaces as underscores); the settings sheet's (setting, value) rows at top level.

    Blank rows are skipped; a merged cell or formula is an error, as its value is not what the partner sees.
    """
    from openpyxl import load_workbook

    if not path.exists():
        raise InputError("file not found", file=path)
    try:
        book = load_workbook(path, data_only=False)
    except Exception as exc:  # openpyxl raises several types for a file that is not a workbook
        raise InputError(f"not a readable .xlsx workbook: {exc}", file=path) from exc
    raw: dict[str, Any] = {}
    for key, name in sheets.items():
        if name not in book.sheetnames:
            raw[key] = []
            continue
        sheet = book[name]
        if sheet.merged_cells.ranges:
            raise InputError(f"merged cells ({sheet.merged_cells.ranges[0]}); unmerge them", file=f"{path}, sheet '{name}'")
        rows = list(sheet.iter_rows(values_only=True))
        if not rows:
            raw[key] = []
            continue
        header = [str(h).strip().lower().replace(" ", "_") if h is not None else "" for h in rows[0]]
        raw[key] = []
        for number, row in enumerate(rows[1:], start=2):
            if all(v is None or str(v).strip() == "" for v in row):
                continue
            for column, value in zip(header, row, strict=False):
                if isinstance(value, str) and value.startswith("="):
                    raise InputError(
                        "a formula where text is expected", file=f"{path}, sheet '{name}'", row=number, column=column
                    )
            cells = {c: (str(v) if v is not None else None) for c, v in zip(header, row, strict=False) if c}
            raw[key].append(cells | {SHEET_ROW: number})
    if settings_sheet and settings_sheet in book.sheetnames:
        for setting, value, *_ in book[settings_sheet].iter_rows(values_only=True):
            if setting:
                key = str(setting).strip().lower()
                raw[key] = value if isinstance(value, bool) else str(value) if value is not None else None
    return raw


def items(raw: dict[str, Any], key: str, path: Path, required: bool = False) -> list[dict[str, Any]]:
    """The ``[[key]]`` array of tables."""
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise InputError(f"'{key}' must be written as [[{key}]] tables", file=path, column=key)
    if required and not value:
        raise InputError(f"at least one [[{key}]] is needed", file=path, column=key)
    return value


def text(item: dict[str, Any], key: str, path: Path, row: int, default: str | None = None) -> str:
    value = item.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"'{key}' must be non-empty text", file=path, row=row, column=key)
    return value.strip()


def texts(item: dict[str, Any], key: str, path: Path, row: int) -> tuple[str, ...]:
    value = item.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise InputError(f"'{key}' must be a list of non-empty texts", file=path, row=row, column=key)
    return tuple(v.strip() for v in value)


def flag(raw: dict[str, Any], key: str, path: Path) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        raise InputError(f"'{key}' must be true or false", file=path, column=key)
    return value
