"""Achievements against the previous priorities: what was done, and what the data say changed.

The previous plan is an input file (``previous_priorities.toml``): each priority with its actions, key
achievements and measures. A measure names the data that shows it (police.uk crime types or a partner
source); its change over the period is computed by the analysis module and passed in here, so this
module only lines words up with tested figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from cspkit.errors import InputError
from cspkit.priorities.board import TestedChange
from cspkit.priorities.files import flag, items, read_toml, text, texts


@dataclass(frozen=True)
class Measure:
    label: str
    source: str  # "police" or "partner:<source>"
    categories: tuple[str, ...] = ()  # police.uk crime types (or partner categories); empty means all


@dataclass(frozen=True)
class PreviousPriority:
    title: str
    actions: tuple[str, ...]
    achievements: tuple[str, ...]
    measures: tuple[Measure, ...]


@dataclass(frozen=True)
class PreviousPlan:
    period: str
    priorities: tuple[PreviousPriority, ...]
    synthetic: bool
    source: Path


def load_previous(path: str | Path) -> PreviousPlan:
    """Read the previous plan's priorities, actions, achievements and measures."""
    path = Path(path)
    raw = read_toml(path)
    priorities = []
    for n, item in enumerate(items(raw, "priority", path, required=True), start=1):
        measures = []
        for m in items(item, "measure", path):
            source = text(m, "source", path, n)
            if source != "police" and not source.startswith("partner:"):
                raise InputError(
                    'a measure\'s \'source\' must be "police" or "partner:<source>"', file=path, row=n, column="source"
                )
            measures.append(Measure(text(m, "label", path, n), source, texts(m, "categories", path, n)))
        priorities.append(
            PreviousPriority(
                text(item, "title", path, n),
                texts(item, "actions", path, n),
                texts(item, "achievements", path, n),
                tuple(measures),
            )
        )
    return PreviousPlan(text(raw, "period", path, 0), tuple(priorities), flag(raw, "synthetic", path), path)


ACHIEVEMENT_SCHEMA = {
    "priority": pl.String,
    "measure": pl.String,
    "before": pl.Float64,
    "after": pl.Float64,
    "change": pl.Float64,
    "change_pct": pl.Float64,
    "p_value": pl.Float64,
    "significant": pl.Boolean,
    "verdict": pl.String,
    "provenance": pl.String,
}


def measure_changes(plan: PreviousPlan, change_of: Callable[[Measure], TestedChange | None]) -> pl.DataFrame:
    """One row per measure: its tested change in the analysis module's words, or why there is none."""
    rows = []
    for priority in plan.priorities:
        for measure in priority.measures:
            change = change_of(measure)
            row = {"priority": priority.title, "measure": measure.label}
            if change is None:
                row["verdict"] = "no data in the warehouse for this measure"
            else:
                row |= {
                    "before": change.before,
                    "after": change.after,
                    "change": change.absolute,
                    "change_pct": change.percent,
                    "p_value": change.p_value,
                    "significant": change.significant,
                    "verdict": change.verdict,
                    "provenance": change.provenance,
                }
            rows.append(row)
    return pl.DataFrame(rows, schema=ACHIEVEMENT_SCHEMA)
