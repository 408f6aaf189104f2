"""One assessment, one config file: ``assessment.toml``.

The core fields every step needs are typed here. Each step reads its own table
(``[survey]``, ``[risk]``...) through :meth:`AssessmentConfig.section` and validates it itself,
so a step's options live beside the code that uses them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cspkit.config_keys import check_keys
from cspkit.errors import ConfigError
from cspkit.nation import country_of
from cspkit.tomlfile import read_toml

CONFIG_FILENAME = "assessment.toml"
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class AssessmentConfig:
    """The parsed config of one assessment. Paths are absolute, resolved from the file's folder."""

    path: Path
    name: str
    csp_name: str
    area_codes: tuple[str, ...]
    country: str
    period_start: str
    period_end: str
    warehouse: Path
    output_dir: Path
    suppression_threshold: int = 5
    pseudonym_key_env: str = "CSPKIT_PSEUDONYM_KEY"
    pseudonym_key_file: Path | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def root(self) -> Path:
        return self.path.parent

    def section(self, name: str) -> dict[str, Any]:
        """The raw table ``[name]`` (empty when absent)."""
        value = self.raw.get(name, {})
        if not isinstance(value, dict):
            raise ConfigError(f"[{name}] must be a table", file=self.path)
        return value

    def with_setting(self, section: str, key: str, value: Any) -> AssessmentConfig:
        """A copy with ``[section] key = value`` (the file is not touched): inputs given another way."""
        return replace(self, raw={**self.raw, section: {**self.section(section), key: value}})

    def resolve(self, value: str | Path) -> Path:
        """A path from the config, made absolute against the config's folder."""
        path = Path(value).expanduser()
        return path if path.is_absolute() else (self.root / path).resolve()


def _require(table: dict[str, Any], key: str, where: str, path: Path) -> Any:
    if key not in table:
        raise ConfigError(f"missing required setting '{key}' in [{where}]", file=path)
    return table[key]


def _month(value: Any, key: str, path: Path) -> str:
    if not isinstance(value, str) or not _MONTH.match(value):
        raise ConfigError(f"'{key}' must be a month written YYYY-MM, not {value!r}", file=path)
    return value


def _country(value: Any, codes: list[str], path: Path) -> str:
    """England or Wales, from the area codes; a ``country`` written in the file must agree with them."""
    try:
        derived = country_of(codes)
    except ConfigError as exc:
        raise ConfigError(exc.message, file=path) from None
    if value is not None and value != derived:
        raise ConfigError(f"country = {value!r} but the area codes {', '.join(codes)} are in {derived}", file=path)
    return derived


def load_config(path: str | Path) -> AssessmentConfig:
    """Read and check ``assessment.toml`` (or the folder holding it)."""
    path = Path(path).expanduser().resolve()
    if path.is_dir():
        path = path / CONFIG_FILENAME
    raw = read_toml(path, "config file (create one with 'cspkit init DIR --area DISTRICT')")
    check_keys(raw, path)

    assessment = _require(raw, "assessment", "top level", path)
    codes = _require(assessment, "area_codes", "assessment", path)
    if isinstance(codes, str):
        codes = [codes]
    if not codes or not all(isinstance(c, str) and c for c in codes):
        raise ConfigError("'area_codes' must list at least one area code", file=path)
    start = _month(_require(assessment, "period_start", "assessment", path), "period_start", path)
    end = _month(_require(assessment, "period_end", "assessment", path), "period_end", path)
    if start > end:
        raise ConfigError(f"period_start {start} is after period_end {end}", file=path)
    country = _country(assessment.get("country"), codes, path)

    privacy = raw.get("privacy", {})
    threshold = privacy.get("suppression_threshold", 5)
    if not isinstance(threshold, int) or threshold < 0:
        raise ConfigError("'suppression_threshold' must be a whole number >= 0", file=path)
    root = path.parent
    key_file = privacy.get("key_file")
    return AssessmentConfig(
        path=path,
        name=str(assessment.get("name", "Strategic assessment")),
        csp_name=str(assessment.get("csp_name", "Community Safety Partnership")),
        area_codes=tuple(codes),
        country=country,
        period_start=start,
        period_end=end,
        warehouse=(root / assessment.get("warehouse", "warehouse.duckdb")).resolve(),
        output_dir=(root / assessment.get("output_dir", "output")).resolve(),
        suppression_threshold=threshold,
        pseudonym_key_env=str(privacy.get("key_env", "CSPKIT_PSEUDONYM_KEY")),
        pseudonym_key_file=(root / key_file).resolve() if key_file else None,
        raw=raw,
    )
