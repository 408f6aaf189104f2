"""Harm: weigh each category by how serious it is, so a few robberies can outrank many shoplifts.

The weights are data (``harm_weights.toml``, versioned and replaceable), never code. Ranking by
volume and by harm side by side shows where the two disagree.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from cspkit.errors import ConfigError
from cspkit.tomlfile import read_toml

DEFAULT_WEIGHTS = Path(__file__).with_name("harm_weights.toml")


@dataclass(frozen=True)
class HarmWeights:
    """A weight per police.uk category, with where the table came from."""

    name: str
    version: str
    file: str
    weights: dict[str, float]
    notes: dict[str, str] = field(default_factory=dict)


def _category_weight(category: str, entry: dict, path: Path) -> float:
    where = f"categories.{category!r}"
    if "weight" in entry:
        weight = entry["weight"]
        if not isinstance(weight, int | float) or weight < 0:
            raise ConfigError(f"{where}: weight must be a number >= 0", file=path)
        return float(weight)
    components = entry.get("components")
    if not isinstance(components, list) or not components:
        raise ConfigError(f"{where}: give either 'weight' or a list of 'components'", file=path)
    total_share = 0.0
    blended = 0.0
    for i, part in enumerate(components, start=1):
        try:
            weight, share = float(part["weight"]), float(part["share"])
        except (KeyError, TypeError, ValueError):
            raise ConfigError(f"{where}: component {i} needs numeric 'weight' and 'share'", file=path) from None
        if weight < 0 or not 0 <= share <= 1:
            raise ConfigError(f"{where}: component {i} has weight < 0 or share outside 0..1", file=path)
        total_share += share
        blended += weight * share
    if not math.isclose(total_share, 1.0, abs_tol=1e-6):
        raise ConfigError(f"{where}: component shares add up to {total_share:g}, not 1", file=path)
    return blended


def load_harm_weights(path: str | Path | None = None) -> HarmWeights:
    """The default table, or the user's: TOML in the default's layout, or CSV with ``category,weight``."""
    path = Path(path) if path else DEFAULT_WEIGHTS
    if not path.exists():
        raise ConfigError("harm weights file not found", file=path)
    if path.suffix.lower() == ".csv":
        return _load_csv(path)
    raw = read_toml(path, "harm weights file")
    categories = raw.get("categories")
    if not isinstance(categories, dict) or not categories:
        raise ConfigError('no [categories."..."] tables', file=path)
    return HarmWeights(
        name=str(raw.get("name", path.stem)),
        version=str(raw.get("version", "unversioned")),
        file=str(path),
        weights={c: _category_weight(c, e, path) for c, e in categories.items()},
        notes={c: str(e["note"]) for c, e in categories.items() if "note" in e},
    )


def _load_csv(path: Path) -> HarmWeights:
    weights: dict[str, float] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or {"category", "weight"} - set(reader.fieldnames):
            raise ConfigError("a harm weights CSV needs the columns 'category' and 'weight'", file=path)
        for row_number, row in enumerate(reader, start=1):
            try:
                weight = float(row["weight"])
            except (TypeError, ValueError):
                raise ConfigError(
                    f"weight {row['weight']!r} is not a number", file=path, row=row_number, column="weight"
                ) from None
            if weight < 0:
                raise ConfigError("weight must be >= 0", file=path, row=row_number, column="weight")
            if row["category"] in weights:
                raise ConfigError(f"category {row['category']!r} appears twice", file=path, row=row_number, column="category")
            weights[row["category"]] = weight
    if not weights:
        raise ConfigError("the harm weights CSV has no rows", file=path)
    return HarmWeights(name=path.stem, version="user table", file=str(path), weights=weights)


def harm_ranking(counts: pl.DataFrame, weights: HarmWeights, residents: int | None = None) -> pl.DataFrame:
    """Rank categories by volume and by harm, side by side.

    ``counts`` has ``crime_type`` and ``count``. Returns crime_type, count, volume_rank, weight, harm,
    harm_share, harm_rank, harm_per_1000_residents, note. A category with no weight in the table
    gets no harm figure (and a note), never a guessed one; weight 0 (ASB) is left out of the harm rank.
    """
    table = counts.select("crime_type", "count").with_columns(
        pl.col("crime_type").replace_strict(weights.weights, default=None, return_dtype=pl.Float64).alias("weight")
    )
    notes = {c: weights.notes.get(c, "") for c in table["crime_type"]}
    notes.update({c: f"no weight in {Path(weights.file).name}" for c in table["crime_type"] if c not in weights.weights})
    ranked = table.with_columns(
        pl.col("count").rank("min", descending=True).cast(pl.Int64).alias("volume_rank"),
        (pl.col("count") * pl.col("weight")).alias("harm"),
    ).with_columns(
        (pl.col("harm") / pl.col("harm").sum()).alias("harm_share"),
        pl.when(pl.col("harm") > 0)
        .then(pl.col("harm"))
        .otherwise(None)
        .rank("min", descending=True)
        .cast(pl.Int64)
        .alias("harm_rank"),
        (pl.col("harm") / residents * 1000 if residents else pl.lit(None, dtype=pl.Float64)).alias("harm_per_1000_residents"),
        pl.col("crime_type").replace_strict(notes, default="").alias("note"),
    )
    return ranked.select(
        "crime_type", "count", "volume_rank", "weight", "harm", "harm_share", "harm_rank", "harm_per_1000_residents", "note"
    ).sort("harm_rank", "volume_rank", nulls_last=True)
