"""The declared mapping of one partner source: which columns, of what type, with which geography and keys.

A mapping is a TOML data file (examples in ``cspkit/data/mappings/``). Reading it checks every
setting, so a typo is a ConfigError naming the mapping file rather than a surprise mid-ingest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cspkit.errors import ConfigError
from cspkit.tomlfile import read_toml

TYPES = ("string", "integer", "float", "boolean", "date", "pseudonym")
GEOGRAPHIES = ("lsoa", "postcode", "ward", "coordinates")
SOURCE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
STANDARD = ("source_file", "source_row", "date", "month", "lsoa21_code", "lad_code", "person_key", "location_key",
            "ward_code")


@dataclass(frozen=True)
class ColumnSpec:
    """One mapped column: warehouse name, the file's header, type and (for dates) formats."""

    name: str
    source: str
    type: str = "string"
    formats: tuple[str, ...] = ()


@dataclass(frozen=True)
class PartnerMapping:
    source: str
    path: Path | None
    date_column: str
    date_formats: tuple[str, ...]
    geography: str
    geography_column: str | None = None
    latitude: str | None = None
    longitude: str | None = None
    postcode_directory: Path | None = None
    area: str | None = None
    sheet: str | None = None
    header_row: int = 1
    person_key: tuple[str, ...] = ()
    location_key: tuple[str, ...] = ()
    columns: tuple[ColumnSpec, ...] = field(default_factory=tuple)
    title: str = ""

    @property
    def identifier_columns(self) -> set[str]:
        """Source headers holding personal identifiers: never stored, never shown."""
        return ({*self.person_key, *self.location_key}
                | {c.source for c in self.columns if c.type == "pseudonym"})

    @property
    def needs_key(self) -> bool:
        return bool(self.identifier_columns)


def _formats(value: Any, where: str, path: Path | None) -> tuple[str, ...]:
    formats = (value,) if isinstance(value, str) else tuple(value or ())
    if not formats or not all(isinstance(f, str) and "%" in f for f in formats):
        raise ConfigError(f"{where}: 'format' must be a strftime pattern like \"%d/%m/%Y\" or a list of them", file=path)
    return formats


def _names(value: Any, where: str, path: Path | None) -> tuple[str, ...]:
    names = (value,) if isinstance(value, str) else tuple(value or ())
    if not all(isinstance(n, str) and n for n in names):
        raise ConfigError(f"{where}: 'columns' must be a list of column headers", file=path)
    return names


def parse_mapping(raw: dict[str, Any], path: Path | None = None, source: str | None = None) -> PartnerMapping:
    """Check a mapping table; ``source`` (from the command line) overrides [source] name."""
    meta = raw.get("source", {})
    name = source or meta.get("name")
    if not name or not SOURCE_NAME.match(name):
        raise ConfigError(f"source name {name!r} must be lower case letters, digits and '_' (e.g. domestic_abuse)",
                          file=path)
    date = raw.get("date")
    if not isinstance(date, dict) or "column" not in date:
        raise ConfigError("missing the date table, with 'column' and 'format'", file=path)
    geo = raw.get("geography")
    if not isinstance(geo, dict) or geo.get("type") not in GEOGRAPHIES:
        raise ConfigError(f"geography: 'type' must be one of {', '.join(GEOGRAPHIES)}", file=path)
    if geo["type"] == "coordinates":
        if not geo.get("latitude") or not geo.get("longitude"):
            raise ConfigError("geography of type coordinates needs 'latitude' and 'longitude' columns", file=path)
    elif not geo.get("column"):
        raise ConfigError(f"geography of type {geo['type']} needs 'column'", file=path)
    columns = []
    for column_name, spec in (raw.get("columns") or {}).items():
        where = f"columns.{column_name}"
        if not isinstance(spec, dict) or "source" not in spec:
            raise ConfigError(f"{where} needs 'source' (the column header in the file)", file=path)
        if column_name in STANDARD or not re.match(r"^[a-z][a-z0-9_]*$", column_name):
            raise ConfigError(f"{where}: use a snake_case name that is not a standard column ({', '.join(STANDARD)})",
                              file=path)
        kind = spec.get("type", "string")
        if kind not in TYPES:
            raise ConfigError(f"{where}: type must be one of {', '.join(TYPES)}", file=path)
        formats = _formats(spec.get("format"), where, path) if kind == "date" else ()
        columns.append(ColumnSpec(column_name, spec["source"], kind, formats))
    directory = geo.get("postcode_directory")
    if directory and path is not None and not Path(directory).is_absolute():
        directory = path.parent / directory
    return PartnerMapping(
        source=name, path=path, title=meta.get("title", ""), sheet=meta.get("sheet"),
        header_row=int(meta.get("header_row", 1)),
        date_column=date["column"], date_formats=_formats(date.get("format"), "date", path),
        geography=geo["type"], geography_column=geo.get("column"), latitude=geo.get("latitude"),
        longitude=geo.get("longitude"), postcode_directory=Path(directory) if directory else None,
        area=geo.get("area"),
        person_key=_names(raw.get("person_key", {}).get("columns"), "person_key", path),
        location_key=_names(raw.get("location_key", {}).get("columns"), "location_key", path),
        columns=tuple(columns),
    )


def load_mapping(path: str | Path, source: str | None = None) -> PartnerMapping:
    path = Path(path)
    return parse_mapping(read_toml(path, "mapping file"), path, source)
