"""``cspkit init``: start an assessment for any partnership in England and Wales.

The area is checked against the bundled districts before anything is written, so a typo gets
"did you mean ...?" rather than an assessment of nowhere. The config written carries the area's own
names, nation and period, so nothing from the demo's Central Bedfordshire leaks into a new assessment.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cspkit.config import CONFIG_FILENAME
from cspkit.data.districts import District, area_name, find_districts
from cspkit.errors import ConfigError
from cspkit.nation import REGULATIONS

TEMPLATE = Path(__file__).parent / "templates" / "assessment.toml"
#: Three years: enough months for the trend and seasonality tests and a three-year comparison.
PERIOD_MONTHS = 36
#: data.police.uk publishes a month about two months after it ends.
PUBLICATION_LAG_MONTHS = 2


@dataclass(frozen=True)
class NewAssessment:
    """What ``cspkit init`` wrote."""

    path: Path
    districts: tuple[District, ...]
    period: tuple[str, str]
    period_from_warehouse: bool


def _month(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _index(day: date) -> int:
    return day.year * 12 + day.month - 1


def warehouse_period(warehouse: Path) -> tuple[str, str] | None:
    """The latest 36 months of police.uk street data the warehouse holds (fewer if it holds fewer), if any."""
    if not warehouse.exists():
        return None
    import duckdb  # only when a warehouse is there: keeps 'cspkit init' fast on a new folder

    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            first, last = con.execute("SELECT min(month), max(month) FROM street").fetchone()
    except duckdb.Error:
        return None
    if last is None:
        return None
    return _month(max(_index(first), _index(last) - PERIOD_MONTHS + 1)), _month(_index(last))


def placeholder_period(today: date) -> tuple[str, str]:
    """The 36 months ending at the latest month police.uk has probably published by ``today``."""
    end = _index(today) - PUBLICATION_LAG_MONTHS
    return _month(end - PERIOD_MONTHS + 1), _month(end)


def _toml(value: str | list[str]) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string or list of strings is valid TOML


def render_config(found: tuple[District, ...], period: tuple[str, str], from_warehouse: bool, warehouse: str) -> str:
    """The commented assessment.toml for these districts, period and warehouse."""
    name = area_name([d.name for d in found])
    country = found[0].country
    note = (
        "# The latest 36 months the warehouse held when 'cspkit init' ran."
        if from_warehouse
        else "# PLACEHOLDER: no warehouse yet, so these are the 36 months police.uk has probably published by now.\n"
        "# Set them to the months you load ('cspkit sql \"SELECT min(month), max(month) FROM street\"')."
    )
    council = f"{found[0].name} Council"
    values = {
        "AREA_NAME": name,
        "AREA_LIST": ", ".join(d.code for d in found),
        "NAME": _toml(f"{name} Community Safety Strategic Assessment"),
        "CSP_NAME": _toml(f"{name} Community Safety Partnership"),
        "AREA_CODES": _toml([d.code for d in found]),
        "COUNTRY": _toml(country),
        "PERIOD_NOTE": note,
        "PERIOD_START": _toml(period[0]),
        "PERIOD_END": _toml(period[1]),
        "COUNCIL": _toml(council) + "  # the council the report goes to: check its formal name",
        "REGULATIONS": _toml(REGULATIONS[country]),
        "WAREHOUSE": _toml(warehouse),
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def start_assessment(
    directory: str | Path, areas: str | Iterable[str], warehouse: Path | None = None, today: date | None = None
) -> NewAssessment:
    """Check the area, then write ``DIRECTORY/assessment.toml`` (never over an existing one).

    The period is the latest 36 months ``warehouse`` (default: DIRECTORY/warehouse.duckdb) holds, or a
    marked placeholder when it holds none yet.
    """
    found = find_districts(areas)
    directory = Path(directory)
    target = directory / CONFIG_FILENAME
    if target.exists():
        raise ConfigError("a config already exists here; edit it or choose another folder", file=target)
    warehouse = Path(warehouse) if warehouse is not None else directory / "warehouse.duckdb"
    held = warehouse_period(warehouse)
    period = held or placeholder_period(today or date.today())
    try:
        named = warehouse.resolve().relative_to(directory.resolve()).as_posix()
    except ValueError:
        named = str(warehouse.resolve())
    directory.mkdir(parents=True, exist_ok=True)
    target.write_text(render_config(found, period, held is not None, named), encoding="utf-8")
    return NewAssessment(path=target, districts=found, period=period, period_from_warehouse=held is not None)
