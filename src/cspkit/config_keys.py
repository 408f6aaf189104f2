"""The settings an ``assessment.toml`` may hold, so a misspelt key is an error naming it, not silently ignored.

A typo such as ``path = [...]`` for ``paths`` or ``[sources.polic]`` used to be read as "not set": the
step then skipped or used the wrong data without a word. The tables config.py owns ([assessment],
[privacy], the kinds under [sources], [sources.police]) are checked key by key. Every other table
belongs to the step that reads it, so a top-level table is refused only when its name is a near miss
of a known one ("[survy]"), and a table no step knows is left alone.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from cspkit.errors import ConfigError

TABLES = ("assessment", "privacy", "sources", "analysis", "risk", "horizon", "survey", "priorities", "committee")
KEYS = {
    "assessment": (
        "name", "csp_name", "area_codes", "country", "period_start", "period_end", "warehouse", "output_dir",
    ),
    "privacy": ("suppression_threshold", "key_env", "key_file", "create_key_file"),
    "sources": ("police", "partner"),
    "sources.police": ("paths", "archive_url", "cache"),
}


def _close(name: str, known: tuple[str, ...]) -> list[str]:
    return difflib.get_close_matches(name, known, n=1, cutoff=0.75)


def check_keys(raw: dict[str, Any], path: Path) -> None:
    """Raise ConfigError for the first unknown key of a checked table, or a near-miss table name."""
    for name in raw:
        if name not in TABLES and (near := _close(name, TABLES)):
            raise ConfigError(f"unknown table [{name}]: did you mean [{near[0]}]?", file=path)
    for where, known in KEYS.items():
        table: Any = raw
        for part in where.split("."):
            table = table.get(part, {}) if isinstance(table, dict) else {}
        if not isinstance(table, dict):
            continue
        for key in table:
            if key not in known:
                near = _close(key, known)
                hint = f"did you mean '{near[0]}'?" if near else f"the settings here are {', '.join(known)}"
                raise ConfigError(f"unknown setting '{key}' in [{where}]: {hint}", file=path)
