"""The risk matrix method, read from a versioned TOML file: criteria, levels, groups and rules.

No number of the method lives in code: a partnership swaps the file (``[risk] method = ...`` in
assessment.toml) and every step downstream follows it. :func:`load_method` checks the file as a
whole and names the table and key of anything contradictory, so a broken method never reaches
a scoring round.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from cspkit.errors import ConfigError
from cspkit.tomlfile import read_toml

#: How a group's criteria (or several scorers' values) may be combined.
GROUP_COMBINES = ("sum", "max", "mean", "min")
AGGREGATIONS = ("median", "mean", "max")
SPREAD_MEASURES = ("range", "iqr")
RULE_COMBINES = ("product", "sum")
BUNDLED_METHODS = ("default", "simple_4x4")
#: Column names of the results table that a group id may not take.
RESERVED_IDS = frozenset(
    {"rank", "issue_id", "issue", "risk_score", "n_scorers", "max_range", "max_iqr", "discuss", "discuss_on",
     "class", "heat_row", "heat_column"}
)


@dataclass(frozen=True)
class Level:
    """One level of a criterion: the number scored and what it means in words."""

    value: float
    label: str
    description: str


@dataclass(frozen=True)
class Criterion:
    id: str
    name: str
    group: str
    question: str
    levels: tuple[Level, ...]

    @property
    def values(self) -> tuple[float, ...]:
        return tuple(level.value for level in self.levels)

    def level(self, value: float) -> Level | None:
        return next((lv for lv in self.levels if lv.value == value), None)


@dataclass(frozen=True)
class Group:
    id: str
    name: str
    combine: str
    criteria: tuple[str, ...]


@dataclass(frozen=True)
class Band:
    """A band starts at ``min`` (inclusive) and runs up to the next band's ``min``."""

    min: float
    label: str = ""
    value: float | None = None


@dataclass(frozen=True)
class KnowledgeGapRule:
    harm_group: str
    harm_at_least: float
    confidence_group: str
    confidence_at_most: float


@dataclass(frozen=True)
class Heatmap:
    row_group: str
    column_group: str
    row_bands: tuple[Band, ...]
    column_bands: tuple[Band, ...]


@dataclass(frozen=True)
class VolumeSuggestion:
    criterion: str
    rate_bands: tuple[Band, ...]
    count_bands: tuple[Band, ...]


@dataclass(frozen=True)
class LikelihoodSuggestion:
    criterion: str
    significant_fall: float
    no_significant_change: float
    significant_rise: float
    sharp_rise: float
    sharp_rise_ratio: float


@dataclass(frozen=True)
class HarmHint:
    group: str
    bands: tuple[Band, ...]
    criterion: str | None = None


@dataclass(frozen=True)
class ConfidenceSuggestion:
    criterion: str
    no_data: float


@dataclass(frozen=True)
class Method:
    """A complete, checked risk matrix method."""

    id: str
    version: str
    name: str
    description: str
    source: str
    aggregation: str
    discuss_threshold: float
    discuss_measure: str
    rule_combine: str
    risk_groups: tuple[str, ...]
    beside_groups: tuple[str, ...]
    groups: tuple[Group, ...]
    criteria: tuple[Criterion, ...]
    priority_candidate_risk_at_least: float | None
    heatmap: Heatmap
    knowledge_gap: KnowledgeGapRule | None = None
    suggest_volume: VolumeSuggestion | None = None
    suggest_likelihood: LikelihoodSuggestion | None = None
    suggest_harm: HarmHint | None = None
    suggest_confidence: ConfidenceSuggestion | None = None

    @property
    def label(self) -> str:
        """``id@version``: what a workbook and a stored score are tied to."""
        return f"{self.id}@{self.version}"

    def criterion(self, criterion_id: str) -> Criterion:
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        raise KeyError(criterion_id)

    def group(self, group_id: str) -> Group:
        for group in self.groups:
            if group.id == group_id:
                return group
        raise KeyError(group_id)

    @property
    def criterion_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.criteria)


class _Reader:
    """Reads typed values from the parsed TOML and raises errors that name the key."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, message: str) -> ConfigError:
        return ConfigError(f"{where}: {message}", file=self.source)

    def table(self, data: Any, key: str, where: str, required: bool = True) -> dict[str, Any] | None:
        value = data.get(key)
        if value is None:
            if required:
                raise self.fail(where, f"missing table [{key}]")
            return None
        if not isinstance(value, dict):
            raise self.fail(where, f"'{key}' must be a table")
        return value

    def text(self, data: dict, key: str, where: str, default: str | None = None) -> str:
        value = data.get(key, default)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"'{key}' must be non-empty text, not {value!r}")
        return value.strip()

    def number(self, data: dict, key: str, where: str, default: float | None = None) -> float:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(where, f"'{key}' must be a number, not {value!r}")
        return float(value)

    def choice(self, data: dict, key: str, where: str, options: tuple[str, ...], default: str) -> str:
        value = data.get(key, default)
        if value not in options:
            raise self.fail(where, f"'{key}' must be one of {', '.join(options)}, not {value!r}")
        return value

    def names(self, data: dict, key: str, where: str) -> tuple[str, ...]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(where, f"'{key}' must be a list of names")
        return tuple(value)

    def bands(self, data: dict, key: str, where: str, required: bool = True) -> tuple[Band, ...]:
        value = data.get(key)
        if value is None and not required:
            return ()
        if not isinstance(value, list) or not value or not all(isinstance(b, dict) for b in value):
            raise self.fail(where, f"'{key}' must be a list of {{ min = ..., ... }} bands")
        bands = []
        for i, raw in enumerate(value, start=1):
            here = f"{where} {key}[{i}]"
            bands.append(
                Band(
                    min=self.number(raw, "min", here),
                    label=str(raw.get("label", "")),
                    value=self.number(raw, "value", here) if "value" in raw else None,
                )
            )
        mins = [b.min for b in bands]
        if mins != sorted(set(mins)):
            raise self.fail(where, f"'{key}' must be in increasing order of 'min' with no repeats, not {mins}")
        return tuple(bands)


def _levels(reader: _Reader, raw: Any, where: str) -> tuple[Level, ...]:
    if not isinstance(raw, list) or len(raw) < 2 or not all(isinstance(v, dict) for v in raw):
        raise reader.fail(where, "'levels' must list at least two { value, label, description } levels")
    levels = []
    for i, item in enumerate(raw, start=1):
        here = f"{where} level {i}"
        levels.append(
            Level(
                value=reader.number(item, "value", here),
                label=reader.text(item, "label", here),
                description=reader.text(item, "description", here),
            )
        )
    values = [lv.value for lv in levels]
    duplicates = sorted({v for v in values if values.count(v) > 1})
    if duplicates:
        raise reader.fail(where, f"duplicate level value {', '.join(f'{v:g}' for v in duplicates)}")
    if values != sorted(values):
        raise reader.fail(where, "levels must be listed from the lowest value to the highest")
    labels = [lv.label for lv in levels]
    if len(set(labels)) != len(labels):
        raise reader.fail(where, "two levels share a label")
    return tuple(levels)


def _entries(reader: _Reader, data: dict, key: str) -> list[dict[str, Any]]:
    value = data.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
        raise reader.fail("top level", f"the method needs at least one [[{key}]] entry")
    return value


def _unique_ids(reader: _Reader, entries: list[dict], key: str) -> list[str]:
    ids = []
    for i, entry in enumerate(entries, start=1):
        ident = reader.text(entry, "id", f"[[{key}]] number {i}")
        if ident in ids:
            raise reader.fail(f"[[{key}]] '{ident}'", f"duplicate id '{ident}'")
        ids.append(ident)
    return ids


def _check_in(reader: _Reader, name: str | None, known: list[str] | tuple[str, ...], what: str, where: str) -> None:
    if name is not None and name not in known:
        raise reader.fail(where, f"unknown {what} '{name}' (known: {', '.join(known)})")


def _check_band_values(reader: _Reader, bands: tuple[Band, ...], criterion: Criterion, where: str) -> None:
    for band in bands:
        if band.value is None:
            raise reader.fail(where, f"every band needs a 'value' (a level of '{criterion.id}')")
        if band.value not in criterion.values:
            raise reader.fail(where, f"{band.value:g} is not a level of criterion '{criterion.id}'")


def parse_method(data: dict[str, Any], source: str = "<method>") -> Method:
    """Build and check a :class:`Method` from parsed TOML."""
    r = _Reader(source)
    head = r.table(data, "method", "top level")
    method_id = r.text(head, "id", "[method]")
    raw_version = head.get("version")
    if isinstance(raw_version, int | float) and not isinstance(raw_version, bool):
        raw_version = str(raw_version)  # version = 1.0 written as a number is still the version "1.0"
    version = r.text({"version": raw_version}, "version", "[method]")

    scales_raw = r.table(data, "scales", "top level", required=False) or {}
    scales = {name: _levels(r, (s or {}).get("levels") if isinstance(s, dict) else None, f"[scales.{name}]")
              for name, s in scales_raw.items()}

    group_entries = _entries(r, data, "groups")
    group_ids = _unique_ids(r, group_entries, "groups")
    for gid in group_ids:
        if gid in RESERVED_IDS:
            raise r.fail(f"[[groups]] '{gid}'", f"'{gid}' is reserved for a results column; choose another id")
    criterion_entries = _entries(r, data, "criteria")
    criterion_ids = _unique_ids(r, criterion_entries, "criteria")

    criteria = []
    for entry, cid in zip(criterion_entries, criterion_ids, strict=True):
        where = f"[[criteria]] '{cid}'"
        group = r.text(entry, "group", where)
        _check_in(r, group, group_ids, "group", where)
        if "levels" in entry and "scale" in entry:
            raise r.fail(where, "give either 'scale' or 'levels', not both")
        if "levels" in entry:
            levels = _levels(r, entry["levels"], where)
        else:
            scale = r.text(entry, "scale", where)
            _check_in(r, scale, list(scales), "scale", where)
            levels = scales[scale]
        criteria.append(
            Criterion(
                id=cid,
                name=r.text(entry, "name", where),
                group=group,
                question=str(entry.get("question", "")).strip(),
                levels=levels,
            )
        )

    groups = []
    for entry, gid in zip(group_entries, group_ids, strict=True):
        where = f"[[groups]] '{gid}'"
        members = tuple(c.id for c in criteria if c.group == gid)
        if not members:
            raise r.fail(where, "no criterion belongs to this group")
        groups.append(
            Group(
                id=gid,
                name=r.text(entry, "name", where),
                combine=r.choice(entry, "combine", where, GROUP_COMBINES, "sum"),
                criteria=members,
            )
        )

    rule = r.table(data, "rule", "top level")
    risk_groups = r.names(rule, "risk", "[rule]")
    beside = r.names(rule, "beside", "[rule]")
    if not risk_groups:
        raise r.fail("[rule]", "'risk' must name at least one group")
    for name in (*risk_groups, *beside):
        _check_in(r, name, group_ids, "group", "[rule]")
    both = set(risk_groups) & set(beside)
    if both:
        raise r.fail("[rule]", f"group '{sorted(both)[0]}' is both inside the risk score and beside it")
    if len(set(risk_groups)) != len(risk_groups):
        raise r.fail("[rule]", "a group is named twice in 'risk'")

    gap = None
    gap_raw = r.table(data, "knowledge_gap", "top level", required=False)
    if gap_raw is not None:
        gap = KnowledgeGapRule(
            harm_group=r.text(gap_raw, "harm_group", "[knowledge_gap]"),
            harm_at_least=r.number(gap_raw, "harm_at_least", "[knowledge_gap]"),
            confidence_group=r.text(gap_raw, "confidence_group", "[knowledge_gap]"),
            confidence_at_most=r.number(gap_raw, "confidence_at_most", "[knowledge_gap]"),
        )
        _check_in(r, gap.harm_group, group_ids, "group", "[knowledge_gap] harm_group")
        _check_in(r, gap.confidence_group, group_ids, "group", "[knowledge_gap] confidence_group")

    classes = r.table(data, "classes", "top level", required=False) or {}
    priority = (
        r.number(classes, "priority_candidate_risk_at_least", "[classes]")
        if "priority_candidate_risk_at_least" in classes
        else None
    )

    heat_raw = r.table(data, "heatmap", "top level")
    heatmap = Heatmap(
        row_group=r.text(heat_raw, "row_group", "[heatmap]"),
        column_group=r.text(heat_raw, "column_group", "[heatmap]"),
        row_bands=r.bands(heat_raw, "row_bands", "[heatmap]"),
        column_bands=r.bands(heat_raw, "column_bands", "[heatmap]"),
    )
    for axis, bands in (("row_bands", heatmap.row_bands), ("column_bands", heatmap.column_bands)):
        labels = [b.label for b in bands]
        if not all(labels) or len(set(labels)) != len(labels):
            raise r.fail("[heatmap]", f"every band in '{axis}' needs its own non-empty label")
    _check_in(r, heatmap.row_group, group_ids, "group", "[heatmap] row_group")
    _check_in(r, heatmap.column_group, group_ids, "group", "[heatmap] column_group")

    by_id = {c.id: c for c in criteria}
    suggest = r.table(data, "suggest", "top level", required=False) or {}
    unknown = set(suggest) - {"volume", "likelihood", "harm", "confidence"}
    if unknown:
        raise r.fail("[suggest]", f"unknown suggestion '{sorted(unknown)[0]}' (known: volume, likelihood, harm, confidence)")

    volume = None
    if "volume" in suggest:
        raw, where = suggest["volume"], "[suggest.volume]"
        volume = VolumeSuggestion(
            criterion=r.text(raw, "criterion", where),
            rate_bands=r.bands(raw, "rate_bands", where, required=False),
            count_bands=r.bands(raw, "count_bands", where, required=False),
        )
        _check_in(r, volume.criterion, criterion_ids, "criterion", where)
        if not volume.rate_bands and not volume.count_bands:
            raise r.fail(where, "give 'rate_bands', 'count_bands' or both")
        _check_band_values(r, volume.rate_bands + volume.count_bands, by_id[volume.criterion], where)

    likelihood = None
    if "likelihood" in suggest:
        raw, where = suggest["likelihood"], "[suggest.likelihood]"
        likelihood = LikelihoodSuggestion(
            criterion=r.text(raw, "criterion", where),
            significant_fall=r.number(raw, "significant_fall", where),
            no_significant_change=r.number(raw, "no_significant_change", where),
            significant_rise=r.number(raw, "significant_rise", where),
            sharp_rise=r.number(raw, "sharp_rise", where, default=raw.get("significant_rise")),
            sharp_rise_ratio=r.number(raw, "sharp_rise_ratio", where, default=float("inf")),
        )
        _check_in(r, likelihood.criterion, criterion_ids, "criterion", where)
        allowed = by_id[likelihood.criterion].values
        for key in ("significant_fall", "no_significant_change", "significant_rise", "sharp_rise"):
            if getattr(likelihood, key) not in allowed:
                raise r.fail(where, f"'{key}' = {getattr(likelihood, key):g} is not a level of '{likelihood.criterion}'")

    harm = None
    if "harm" in suggest:
        raw, where = suggest["harm"], "[suggest.harm]"
        harm = HarmHint(
            group=r.text(raw, "group", where),
            bands=r.bands(raw, "bands", where),
            criterion=raw.get("criterion"),
        )
        _check_in(r, harm.group, group_ids, "group", where)
        _check_in(r, harm.criterion, criterion_ids, "criterion", where)
        if harm.criterion is not None:
            _check_band_values(r, harm.bands, by_id[harm.criterion], where)

    confidence = None
    if "confidence" in suggest:
        raw, where = suggest["confidence"], "[suggest.confidence]"
        confidence = ConfidenceSuggestion(criterion=r.text(raw, "criterion", where), no_data=r.number(raw, "no_data", where))
        _check_in(r, confidence.criterion, criterion_ids, "criterion", where)
        if confidence.no_data not in by_id[confidence.criterion].values:
            raise r.fail(where, f"'no_data' = {confidence.no_data:g} is not a level of '{confidence.criterion}'")

    return Method(
        id=method_id,
        version=version,
        name=r.text(head, "name", "[method]", default=method_id),
        description=str(head.get("description", "")).strip(),
        source=source,
        aggregation=r.choice(head, "aggregation", "[method]", AGGREGATIONS, "median"),
        discuss_threshold=r.number(head, "discuss_threshold", "[method]"),
        discuss_measure=r.choice(head, "discuss_measure", "[method]", SPREAD_MEASURES, "range"),
        rule_combine=r.choice(rule, "combine", "[rule]", RULE_COMBINES, "product"),
        risk_groups=risk_groups,
        beside_groups=beside,
        groups=tuple(groups),
        criteria=tuple(criteria),
        priority_candidate_risk_at_least=priority,
        heatmap=heatmap,
        knowledge_gap=gap,
        suggest_volume=volume,
        suggest_likelihood=likelihood,
        suggest_harm=harm,
        suggest_confidence=confidence,
    )


def bundled_method_path(name: str = "default") -> Path:
    """The path of a method file shipped with cspkit (``default`` or ``simple_4x4``)."""
    if name not in BUNDLED_METHODS:
        raise ConfigError(f"no bundled method '{name}' (bundled: {', '.join(BUNDLED_METHODS)})")
    return Path(str(resources.files("cspkit.risk") / "methods" / f"{name}.toml"))


def load_method(path: str | Path | None = None) -> Method:
    """Read and check a method file; ``None`` or a bundled name gives a shipped method."""
    if path is None or str(path) in BUNDLED_METHODS:
        path = bundled_method_path(str(path) if path is not None else "default")
    return parse_method(read_toml(path, "method file"), source=str(path))


def band_for(bands: tuple[Band, ...], value: float) -> Band | None:
    """The band a value falls in: the last band whose ``min`` is at or below it."""
    found = None
    for band in bands:
        if value >= band.min:
            found = band
    return found
