"""Reading the TOML data files (configs, methods, questionnaires, mappings) with one set of errors.

Every file a partnership edits by hand fails the same way, with the same words: not found, not
UTF-8, or not valid TOML, each naming the file.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from cspkit.errors import ConfigError, CspkitError


def read_toml(path: str | Path, what: str = "file", error: type[CspkitError] = ConfigError) -> dict[str, Any]:
    """The parsed file; ``what`` names it in messages (e.g. "method file")."""
    path = Path(path)
    if not path.exists():
        raise error(f"{what} not found", file=path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise error(f"{what} must be UTF-8 text", file=path) from exc
    except tomllib.TOMLDecodeError as exc:
        raise error(f"not valid TOML: {exc}", file=path) from exc
