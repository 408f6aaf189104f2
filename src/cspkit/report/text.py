"""The fixed wording of the documents, read from a TOML file a partnership can replace."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cspkit.errors import ConfigError
from cspkit.nation import REGULATIONS, country_of

DEFAULT_TEXT = Path(__file__).parent / "data" / "text.toml"


class DocumentText:
    """Look-ups like ``text["assessment.introduction"]`` with {csp}, {area}, {period}, {regulations} filled in."""

    def __init__(self, raw: dict[str, Any], values: dict[str, Any], source: Path) -> None:
        self.raw, self.values, self.source = raw, values, source

    def __getitem__(self, dotted: str) -> Any:
        node: Any = self.raw
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                raise ConfigError(f"the document text has no '{dotted}'", file=self.source, column=dotted)
            node = node[part]
        if isinstance(node, list):
            return [self._fill(item) for item in node]
        return self._fill(node)

    def _fill(self, value: Any) -> str:
        try:
            return str(value).format(**self.values)
        except (KeyError, IndexError) as exc:
            raise ConfigError(f"unknown placeholder {exc} in the document text", file=self.source) from exc


def nation_values(area_codes: Sequence[str]) -> dict[str, str]:
    """{nation} and {regulations}: England's SI 2007/1830 or the Welsh SI 2007/3076, by the area's codes."""
    country = country_of(area_codes)
    return {"nation": country, "regulations": REGULATIONS[country]}


def load_text(values: dict[str, Any], path: str | Path | None = None) -> DocumentText:
    source = Path(path) if path else DEFAULT_TEXT
    try:
        raw = tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read the document text: {exc}", file=source) from exc
    return DocumentText(raw, values, source)
