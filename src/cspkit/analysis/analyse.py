"""The full analysis set for one area and period: what the report and the risk matrix read.

:func:`analyse_area` computes every table once. A part that cannot honestly be computed (too few
months for a trend, no partner data, no peers in the warehouse) is left empty with the reason in
``notes``; a problem that makes every figure wrong (unknown area, months missing from the
warehouse, LSOAs without population) stops the run with an :class:`~cspkit.errors.AnalysisError`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import polars as pl

from cspkit.analysis.area import Area, Period, ResolvedArea, resolve_area
from cspkit.analysis.comparisons import CHANGE_METHOD, TREND_METHOD, change_table, trend_table
from cspkit.analysis.concentration import concentration_by_category
from cspkit.analysis.coverage import area_coverage
from cspkit.analysis.emerging import EMERGING_METHOD, STEP_MONTHS, emerging_hotspots
from cspkit.analysis.harm import harm_ranking, load_harm_weights
from cspkit.analysis.hotspots import HOTSPOT_METHOD, PermutationSettings, hotspot_table
from cspkit.analysis.outcomes import latest_outcomes, outcome_profile
from cspkit.analysis.peers import peer_group, peer_method, peer_position, peer_rates, whole_districts
from cspkit.analysis.repeats import partner_sources, repeat_locations, repeat_victimisation
from cspkit.analysis.scope import ALL_CRIME, Scope, require_table
from cspkit.analysis.seasonality import SEASONAL_METHOD, rolling_12, seasonal_index
from cspkit.analysis.sppt import SPPT_METHOD, SpptSettings, where_crime_moved
from cspkit.analysis.volumes import (
    Denominators,
    denominators,
    monthly_counts,
    period_totals,
    rate_table,
    with_all_crime,
    yearly_view,
)
from cspkit.config import AssessmentConfig
from cspkit.data import warehouse
from cspkit.errors import AnalysisError, ConfigError
from cspkit.provenance import Provenance


@dataclass(frozen=True)
class AnalysisOptions:
    """Choices a partnership may change in ``[analysis]`` of assessment.toml."""

    alpha: float = 0.05
    hotspot_weights: str = "queen"
    knn_k: int = 8
    harm_weights: Path | None = None
    peer_count: int = 10
    peers: tuple[str, ...] = ()
    #: (first month, last month) of the peer comparison; default: the latest 12 months of the period
    #: (or the whole period when shorter). National data is often held for fewer months than the CSP's own.
    peer_period: tuple[str, str] | None = None
    partner_sources: tuple[str, ...] | None = None
    top_locations: int = 10
    #: Conditional permutations behind each Gi* p-value, and the seed they are drawn from (fixed, so
    #: a rerun gives the same hot spots).
    permutations: int = 999
    seed: int = 12345
    #: Permutations in all for the LSOAs whose p-value is at most 0.1 after the first ones (0: none).
    refine_permutations: int = 9999
    #: Time step of the emerging hot spot analysis: "quarter" or "month".
    emerging_step: str = "quarter"
    #: Bootstrap resamples of each period in the spatial point pattern test (drawn from ``seed``).
    sppt_samples: int = 200

    @property
    def sppt_settings(self) -> SpptSettings:
        return SpptSettings(self.sppt_samples, self.seed)

    def method(self, template: str) -> str:
        """A provenance method (``HOTSPOT_METHOD``, ``EMERGING_METHOD``, ``SPPT_METHOD``) with these settings."""
        return template.format(
            weights=self.hotspot_weights,
            permutations=self.permutations,
            refine=self.refine_permutations,
            seed=self.seed,
            step=self.emerging_step,
            samples=self.sppt_samples,
        )

    @property
    def permutation_settings(self) -> PermutationSettings:
        return PermutationSettings(self.permutations, self.seed, self.refine_permutations)


def options_from_config(config: AssessmentConfig) -> AnalysisOptions:
    """Read and check ``[analysis]``; unknown keys are errors so a typo is never ignored."""
    section = config.section("analysis")
    known = {f.name for f in fields(AnalysisOptions)}
    unknown = set(section) - known
    if unknown:
        raise ConfigError(f"unknown setting(s) in the analysis table: {', '.join(sorted(unknown))}", file=config.path)
    values: dict[str, Any] = dict(section)
    if "harm_weights" in values:
        values["harm_weights"] = config.resolve(values["harm_weights"])
    for key in ("peers", "partner_sources"):
        if key in values:
            values[key] = tuple(values[key])
    if "peer_period" in values:
        peer_period = values["peer_period"]
        if not (isinstance(peer_period, list) and len(peer_period) == 2 and all(isinstance(m, str) for m in peer_period)):
            raise ConfigError('analysis.peer_period must be two months, e.g. ["2024-01", "2024-12"]', file=config.path)
        try:
            Period.parse(*peer_period)  # a bad month is an error now, not halfway through an assessment
        except AnalysisError as exc:
            raise ConfigError(f"analysis.peer_period: {exc.message}", file=config.path) from exc
        values["peer_period"] = tuple(peer_period)
    if not 0 < float(values.get("alpha", 0.05)) < 1:
        raise ConfigError("analysis.alpha must be between 0 and 1", file=config.path)
    if values.get("hotspot_weights", "queen") not in ("queen", "knn"):
        raise ConfigError('analysis.hotspot_weights must be "queen" or "knn"', file=config.path)
    if values.get("emerging_step", "quarter") not in STEP_MONTHS:
        raise ConfigError('analysis.emerging_step must be "quarter" or "month"', file=config.path)
    for key, least in (("permutations", 99), ("seed", 0), ("sppt_samples", 100), ("refine_permutations", 0)):
        if key in values and not (isinstance(values[key], int) and values[key] >= least):
            raise ConfigError(f"analysis.{key} must be a whole number of at least {least}", file=config.path)
    return AnalysisOptions(**values)


@contextmanager
def open_scope(warehouse_path: str | Path, area: Area | str, period: Period) -> Iterator[Scope]:
    """A read-only scope on the warehouse, with the area resolved and the months checked."""
    area = area if isinstance(area, Area) else Area.parse(area)
    with warehouse.read(warehouse_path) as con:
        require_table(con, "street")
        scope = Scope(con, resolve_area(con, area), period).materialise()
        scope.require_street_months()
        yield scope


@dataclass
class AreaAnalysis:
    """Every table of the analysis for one area and period (Polars frames; see docs/analysis.md)."""

    area: ResolvedArea
    period: Period
    denominators: Denominators
    monthly: pl.DataFrame
    rates: pl.DataFrame
    yearly: pl.DataFrame | None = None
    change: pl.DataFrame | None = None
    trends: pl.DataFrame | None = None
    seasonality: pl.DataFrame | None = None
    rolling: pl.DataFrame | None = None
    concentration: pl.DataFrame | None = None
    hotspots: pl.DataFrame | None = None
    emerging_hotspots: pl.DataFrame | None = None
    sppt: pl.DataFrame | None = None
    sppt_summary: pl.DataFrame | None = None
    repeat_locations: pl.DataFrame | None = None
    top_locations: pl.DataFrame | None = None
    repeat_victims: pl.DataFrame | None = None
    repeat_victim_change: pl.DataFrame | None = None
    repeat_partner_locations: pl.DataFrame | None = None
    repeat_partner_location_change: pl.DataFrame | None = None
    outcomes: pl.DataFrame | None = None
    latest_outcomes: pl.DataFrame | None = None
    harm: pl.DataFrame | None = None
    peer_group: pl.DataFrame | None = None
    peer_rates: pl.DataFrame | None = None
    peer_position: pl.DataFrame | None = None
    peer_period: Period | None = None
    notes: dict[str, str] = field(default_factory=dict)
    provenance: dict[str, Provenance] = field(default_factory=dict)

    def tables(self) -> dict[str, pl.DataFrame]:
        """Every table that was computed, by name."""
        return {f.name: value for f in fields(self) if isinstance(value := getattr(self, f.name), pl.DataFrame)}


def analyse_area(
    warehouse_path: str | Path, area: Area | str, period: Period, options: AnalysisOptions | None = None
) -> AreaAnalysis:
    """Compute the full analysis set for one area and period from the warehouse."""
    options = options or AnalysisOptions()
    with open_scope(warehouse_path, area, period) as scope:
        dens = denominators(scope.con, scope.area)
        monthly = with_all_crime(monthly_counts(scope), ["month"])
        result = AreaAnalysis(
            area=scope.area,
            period=period,
            denominators=dens,
            monthly=monthly,
            rates=rate_table(period_totals(monthly, period), dens),
        )
        street_method = "police.uk street-level crime and ASB, counted by LSOA 2021 and month"
        result.provenance["monthly"] = scope.provenance(street_method)
        result.provenance["rates"] = scope.provenance(
            street_method + "; rates per 1,000 Census 2021 residents (burglary also per 1,000 households)"
        )

        def attempt(names: tuple[str, ...], method: str, compute: Callable[[], Any], over: Period | None = None) -> None:
            try:
                values = compute()
            except AnalysisError as exc:
                for name in names:
                    result.notes[name] = exc.message
                return
            values = values if isinstance(values, tuple) else (values,)
            for name, value in zip(names, values, strict=True):
                setattr(result, name, value)
                result.provenance[name] = scope.provenance(method, period=over)

        attempt(("yearly",), "12-month totals and rates ending at the period's end", lambda: yearly_view(monthly, period, dens))
        attempt(
            ("change",),
            CHANGE_METHOD,
            lambda: change_table(monthly, period, options.alpha),
        )
        attempt(
            ("trends",),
            TREND_METHOD,
            lambda: trend_table(monthly, options.alpha),
        )
        attempt(("seasonality",), SEASONAL_METHOD, lambda: seasonal_index(monthly))
        attempt(("rolling",), "12-month rolling sum and mean", lambda: rolling_12(monthly))
        attempt(
            ("concentration",),
            "top 5%/10% shares and Gini over LSOAs and street locations",
            lambda: concentration_by_category(scope),
        )
        attempt(
            ("hotspots",),
            options.method(HOTSPOT_METHOD),
            lambda: hotspot_table(
                scope, options.hotspot_weights, options.knn_k, alpha=options.alpha, settings=options.permutation_settings
            ),
        )
        attempt(
            ("emerging_hotspots",),
            options.method(EMERGING_METHOD),
            lambda: emerging_hotspots(
                scope, options.hotspot_weights, options.knn_k, None, options.alpha, options.permutation_settings,
                options.emerging_step,
            ),
        )
        attempt(
            ("sppt", "sppt_summary"),
            options.method(SPPT_METHOD),
            lambda: where_crime_moved(scope, None, options.sppt_settings),
        )
        attempt(
            ("repeat_locations", "top_locations"),
            "street locations (text and coordinates) with 2+ incidents",
            lambda: repeat_locations(scope, top=options.top_locations),
        )
        attempt(("outcomes",), "street last outcome category by crime type", lambda: outcome_profile(scope))
        attempt(("latest_outcomes",), "latest outcomes-file outcome per crime ID", lambda: latest_outcomes(scope))
        weights = load_harm_weights(options.harm_weights)
        harm_period = period.latest_year()
        attempt(
            ("harm",),
            f"harm = count x weight ({weights.name}, version {weights.version})",
            lambda: harm_ranking(
                period_totals(monthly, harm_period).filter(pl.col("crime_type") != ALL_CRIME), weights, dens.residents
            ),
            over=harm_period,
        )
        _repeat_victims(scope, options, result)
        _peers(scope, options, result)
        _note_coverage(scope, result)
    return result


def _note_coverage(scope: Scope, result: AreaAnalysis) -> None:
    """Forces left out of the counts and thin months: a note, and in the footnotes of every figure they affect."""
    note = area_coverage(scope).note()
    if not note:
        return
    result.notes["coverage"] = note
    for key in ("monthly", "rates", "yearly", "change", "trends"):
        if key in result.provenance:
            result.provenance[key] = replace(result.provenance[key], method=f"{result.provenance[key].method} ({note})")


def _repeat_victims(scope: Scope, options: AnalysisOptions, result: AreaAnalysis) -> None:
    """Repeat victims (person keys) and repeat locations (location keys) in each partner source."""
    for key, names, method in (
        ("person_key", ("repeat_victims", "repeat_victim_change"), "repeat victims within 12 months by person key"),
        (
            "location_key",
            ("repeat_partner_locations", "repeat_partner_location_change"),
            "repeat locations within 12 months by location key",
        ),
    ):
        found = partner_sources(scope, key)
        sources = found
        if options.partner_sources is not None:
            sources = [s for s in options.partner_sources if s in found]
            for missing in set(options.partner_sources) - set(found):
                result.notes[f"{names[0]}:{missing}"] = f"partner source '{missing}' has no {key.replace('_', ' ')} values"
        if not sources:
            result.notes[names[0]] = f"no partner data with a pseudonymised {key.replace('_', ' ')} in the warehouse"
            continue
        periods, changes = [], []
        for source in sources:
            try:
                by_period, change = repeat_victimisation(scope, source, key, options.alpha)
            except AnalysisError as exc:
                result.notes[f"{names[0]}:{source}"] = exc.message
                continue
            periods.append(by_period)
            changes.append(change)
            result.provenance[f"{names[0]}:{source}"] = scope.provenance(
                f"{method}; two-proportion z or Fisher's exact test", f"partner_{source}"
            )
        if periods:
            setattr(result, names[0], pl.concat(periods))
            setattr(result, names[1], pl.concat(changes))


def _peers(scope: Scope, options: AnalysisOptions, result: AreaAnalysis) -> None:
    if options.peer_count == 0 and not options.peers:
        result.notes["peer_group"] = "no peer comparison: [analysis] peer_count = 0"
        return
    period = peer_period(scope.period, options)
    try:
        lads = whole_districts(scope)
        group = peer_group(scope.con, lads, period, options.peer_count, options.peers or None)
        rates = peer_rates(scope.con, group, lads, period)
    except AnalysisError as exc:
        result.notes["peer_group"] = exc.message
        return
    result.peer_group, result.peer_rates, result.peer_position = group, rates, peer_position(rates)
    result.peer_period = period
    prov = replace(scope.provenance(peer_method(group), period=period), area_codes=tuple(group["lad_code"].to_list()))
    for name in ("peer_group", "peer_rates", "peer_position"):
        result.provenance[name] = prov


def peer_period(period: Period, options: AnalysisOptions) -> Period:
    """The months peers are compared over: as configured, else the latest 12 months (a year's rate)."""
    if options.peer_period is not None:
        return Period.parse(*options.peer_period)
    return period.latest_year()
