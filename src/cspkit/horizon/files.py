"""Reading and writing the horizon register as TOML, CSV or XLSX (chosen by the file's suffix).

Every format carries the same columns (:data:`~cspkit.horizon.register.FIELDS`); linked issues are
a list in TOML and ``;``-separated text in CSV and XLSX. All reading goes through
:func:`~cspkit.horizon.register.parse_entries`, so the checks and the error places are the same.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

import tomli_w
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils.exceptions import InvalidFileException

from cspkit.errors import InputError
from cspkit.horizon.register import FIELDS, HorizonEntry, HorizonRegister, parse_entries
from cspkit.tomlfile import read_toml

SHEET = "Horizon scan"
FORMATS = (".toml", ".csv", ".xlsx")


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"unknown register format '{suffix}' (use .toml, .csv or .xlsx)", file=path)
    return suffix


def _flat(entry: HorizonEntry) -> dict[str, Any]:
    return {
        "id": entry.id, "category": entry.category, "title": entry.title, "description": entry.description,
        "source": entry.source, "horizon_months": entry.horizon_months, "likelihood": entry.likelihood,
        "impact": entry.impact, "scope": entry.scope, "linked_issues": "; ".join(entry.linked_issues),
        "raises_issue": "yes" if entry.raises_issue else "no",
    }


def _read_toml(path: Path) -> HorizonRegister:
    data = read_toml(path, "register file", InputError)
    head = data.get("register", {})
    rows = data.get("entries", [])
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise InputError("the register's entries must be [[entries]] tables", file=path)
    synthetic = head.get("synthetic", False)
    if not isinstance(synthetic, bool):
        raise InputError("[register] synthetic must be true or false", file=path)
    return HorizonRegister(
        title=str(head.get("title", "Horizon scan")),
        entries=parse_entries(rows, str(path), first_row=1),
        synthetic=synthetic,
        source=str(path),
    )


def _check_header(header: list[Any], path: Path) -> list[str]:
    names = ["" if h is None else str(h).strip() for h in header]
    missing = [f for f in FIELDS if f not in names and f not in ("linked_issues", "raises_issue", "description", "source")]
    if missing:
        raise InputError(f"missing column '{missing[0]}' (columns: {', '.join(FIELDS)})", file=path, row=1)
    return names


def _read_csv(path: Path) -> HorizonRegister:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError("CSV must be UTF-8 text", file=path) from exc
    reader = csv.reader(io.StringIO(text))
    rows = list(reader)
    if not rows:
        raise InputError("the file is empty", file=path)
    header = _check_header(rows[0], path)
    records = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) > len(header):
            raise InputError(f"row has {len(row)} values but the header has {len(header)}", file=path, row=number)
        records.append(dict(zip(header, row + [""] * (len(header) - len(row)), strict=True)))
    return HorizonRegister(title=path.stem, entries=parse_entries(records, str(path), first_row=2), source=str(path))


def _read_xlsx(path: Path) -> HorizonRegister:
    try:
        wb = load_workbook(path, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise InputError(f"not an .xlsx workbook that can be read: {exc}", file=path) from exc
    if SHEET not in wb.sheetnames:
        raise InputError(f"sheet '{SHEET}' is missing (sheets found: {', '.join(wb.sheetnames)})", file=path)
    ws = wb[SHEET]
    if ws.merged_cells.ranges:
        first = sorted(str(r) for r in ws.merged_cells.ranges)[0]
        raise InputError(f"sheet '{SHEET}' has merged cells ({first}); unmerge them", file=path)
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    if not rows:
        raise InputError(f"sheet '{SHEET}' is empty", file=path)
    header = _check_header(rows[0], path)
    records = []
    for number, row in enumerate(rows[1:], start=2):
        if all(v in (None, "") for v in row):
            continue
        for col, value in enumerate(row):
            if isinstance(value, str) and value.startswith("="):
                raise InputError(f"a formula in sheet '{SHEET}'; type the value instead", file=path, row=number,
                                 column=header[col] or None)
        records.append(dict(zip(header, row, strict=False)))
    synthetic = "synthetic" in (wb.properties.keywords or "")
    return HorizonRegister(title=wb.properties.title or path.stem, entries=parse_entries(records, str(path), first_row=2),
                           synthetic=synthetic, source=str(path))


def load_register(path: str | Path) -> HorizonRegister:
    """Read a register from .toml, .csv or .xlsx, checked entry by entry."""
    path = Path(path)
    suffix = _suffix(path)
    if not path.exists():
        raise InputError("horizon register not found", file=path)
    return {".toml": _read_toml, ".csv": _read_csv, ".xlsx": _read_xlsx}[suffix](path)


def save_register(register: HorizonRegister, path: str | Path) -> Path:
    """Write a register as .toml, .csv or .xlsx."""
    path = Path(path)
    suffix = _suffix(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".toml":
        entries = []
        for entry in register.entries:
            flat = _flat(entry)
            flat["linked_issues"] = list(entry.linked_issues)
            flat["raises_issue"] = entry.raises_issue
            entries.append(flat)
        head = {"title": register.title, "synthetic": register.synthetic}
        path.write_text(tomli_w.dumps({"register": head, "entries": entries}), encoding="utf-8")
    elif suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=FIELDS)
            writer.writeheader()
            writer.writerows(_flat(e) for e in register.entries)
    else:
        wb = Workbook()
        ws = wb.active
        ws.title = SHEET
        ws.append(list(FIELDS))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for entry in register.entries:
            ws.append([_flat(entry)[f] for f in FIELDS])
        for letter, width in zip("ABCDEFGHIJK", (24, 16, 40, 70, 40, 10, 10, 10, 10, 30, 12), strict=True):
            ws.column_dimensions[letter].width = width
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        wb.properties.title = register.title
        wb.properties.keywords = "synthetic" if register.synthetic else ""
        wb.save(path)
    return path
