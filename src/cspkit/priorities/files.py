"""Reading the partnership's own TOML files (votes, decision, previous priorities) with errors that say where.

Every list item is addressed as ``[[key]] number n`` (the row) and its setting (the column), so a
partner who edited the file can find the line that is wrong.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from cspkit.errors import InputError


def read_toml(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", file=path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", file=path) from exc
    except UnicodeDecodeError as exc:
        raise InputError("must be UTF-8 text", file=path) from exc


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
