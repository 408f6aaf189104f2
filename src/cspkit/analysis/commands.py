"""CLI commands for this step (``cspkit analyse ...``): thin wrappers over the library.

Every command takes the same ``--area``, ``--from``/``--to``, ``--config``, ``--warehouse`` and
``--format``; the area and period default to the ones in assessment.toml. The analyses (scipy,
statsmodels, polars) are imported inside each command, so ``cspkit --help`` starts fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cspkit.cli_common import (
    ConfigOption,
    FormatOption,
    WarehouseOption,
    err_console,
    find_config,
    handles_errors,
    resolve_warehouse,
)
from cspkit.errors import AnalysisError
from cspkit.output import OutputFormat, render_frame, render_json
from cspkit.provenance import Provenance

if TYPE_CHECKING:
    import polars as pl

    from cspkit.analysis.analyse import AnalysisOptions
    from cspkit.analysis.scope import Scope

app = typer.Typer(help="Step 5 evidence: volumes, rates, tested change, hotspots, repeats, harm, peers.", no_args_is_help=True)

AreaOption = Annotated[
    str | None,
    typer.Option("--area", "-a", help="District, ward or LSOA codes or names, comma-separated (default: the config's area)."),
]
FromOption = Annotated[str | None, typer.Option("--from", help="First month, YYYY-MM (default: the config's period_start).")]
ToOption = Annotated[str | None, typer.Option("--to", help="Last month, YYYY-MM (default: the config's period_end).")]
CrimeTypeOption = Annotated[
    str | None, typer.Option("--crime-type", help="One police.uk category (default: all crime excluding ASB).")
]
PermutationsOption = Annotated[
    int | None, typer.Option("--permutations", help="Conditional permutations per Gi* p-value (default 999).", min=99)
]
WeightsOption = Annotated[str | None, typer.Option("--weights", help="queen (boundaries) or knn (centroids).")]
SeedOption = Annotated[int | None, typer.Option("--seed", help="Seed of the permutations (default: the config's, 12345).")]

Compute = Callable[["Scope", "AnalysisOptions"], tuple["pl.DataFrame", Provenance]]


def _run(
    area: str | None,
    start: str | None,
    end: str | None,
    config: Path | None,
    warehouse_path: Path | None,
    fmt: OutputFormat,
    title: str,
    compute: Compute,
    **overrides,
) -> None:
    """Resolve area, period and options from the command line and config, compute, and print."""
    from cspkit.analysis.analyse import AnalysisOptions, open_scope, options_from_config
    from cspkit.analysis.area import Period
    from cspkit.analysis.coverage import area_coverage

    found = find_config(config)
    if area is None and found is None:
        raise AnalysisError("no area: pass --area CODE or --config assessment.toml")
    if (start is None or end is None) and found is None:
        raise AnalysisError("no period: pass --from YYYY-MM and --to YYYY-MM, or --config assessment.toml")
    period = Period.parse(start or found.period_start, end or found.period_end)
    options = options_from_config(found) if found else AnalysisOptions()
    options = replace(options, **{k: v for k, v in overrides.items() if v is not None})
    path = resolve_warehouse(warehouse_path, config)
    with open_scope(path, area or ",".join(found.area_codes), period) as scope:
        table, provenance = compute(scope, options)
        coverage = area_coverage(scope).note()
    _print(table, provenance, fmt, title)
    if coverage:  # on stderr: JSON and CSV on stdout stay parseable
        err_console.print(f"Coverage: {coverage}.", highlight=False, soft_wrap=True)


#: Long text columns: in a terminal table they are printed as sentences under it instead.
_SENTENCES = ("statement", "note")
_WORDY = ("test", "method", "comparison", "weights", "step")


def _print(table: pl.DataFrame, provenance: Provenance, fmt: OutputFormat, title: str) -> None:
    """JSON and CSV carry every column at full precision; the terminal table is made readable."""
    import polars.selectors as cs

    if fmt == OutputFormat.json:
        render_json({"table": title, "rows": table.to_dicts(), "provenance": provenance.to_dict()})
        return
    if fmt == OutputFormat.csv:
        render_frame(table, fmt)
        return
    sentences = [c for c in _SENTENCES if c in table.columns]
    shown = table.drop(*sentences, *[c for c in _WORDY if c in table.columns]).with_columns(
        cs.float().round_sig_figs(4)
    )
    render_frame(shown, fmt, title=title)
    for column in sentences:
        for text in table[column].drop_nulls():
            if text:
                sys.stdout.write(f"- {text}\n")
    sys.stdout.write(f"Source: {provenance.footnote()}\n")


def _monthly(scope: Scope) -> pl.DataFrame:
    from cspkit.analysis.volumes import monthly_counts, with_all_crime

    return with_all_crime(monthly_counts(scope), ["month"])


@app.command()
@handles_errors
def volumes(
    area: AreaOption = None,
    start: FromOption = None,
    end: ToOption = None,
    config: ConfigOption = None,
    warehouse_path: WarehouseOption = None,
    fmt: FormatOption = OutputFormat.table,
    monthly: Annotated[bool, typer.Option("--monthly", help="Counts by category and month instead of period totals.")] = False,
) -> None:
    """Counts by category, with rates per 1,000 residents (burglary also per 1,000 households)."""
    from cspkit.analysis.volumes import denominators, period_totals, rate_table


    def compute(scope: Scope, _: AnalysisOptions) -> tuple[pl.DataFrame, Provenance]:
        counts = _monthly(scope)
        if monthly:
            return counts, scope.provenance("police.uk street records counted by category and month")
        table = rate_table(period_totals(counts, scope.period), denominators(scope.con, scope.area))
        return table, scope.provenance(
            "police.uk street records; rates per 1,000 Census 2021 residents (burglary per households)"
        )

    _run(area, start, end, config, warehouse_path, fmt, "Volumes and rates", compute)


@app.command()
@handles_errors
def change(
    area: AreaOption = None,
    start: FromOption = None,
    end: ToOption = None,
    config: ConfigOption = None,
    warehouse_path: WarehouseOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Latest 12 months against the previous 12 (and 3 years earlier), tested on monthly counts (quasi-Poisson, BH q-values)."""
    from cspkit.analysis.comparisons import CHANGE_METHOD, change_table


    def compute(scope: Scope, options: AnalysisOptions) -> tuple[pl.DataFrame, Provenance]:
        table = change_table(_monthly(scope), scope.period, options.alpha)
        return table, scope.provenance(CHANGE_METHOD)

    _run(area, start, end, config, warehouse_path, fmt, "Change", compute)


@app.command()
@handles_errors
def trend(
    area: AreaOption = None,
    start: FromOption = None,
    end: ToOption = None,
    config: ConfigOption = None,
    warehouse_path: WarehouseOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Annual % trend over the monthly series (quasi-Poisson with month-of-year terms, HAC errors, BH q-values; 24+ months)."""
    from cspkit.analysis.comparisons import TREND_METHOD, trend_table


    def compute(scope: Scope, options: AnalysisOptions) -> tuple[pl.DataFrame, Provenance]:
        return trend_table(_monthly(scope), options.alpha), scope.provenance(TREND_METHOD)

    _run(area, start, end, config, warehouse_path, fmt, "Trend", compute)


@app.command()
@handles_errors
def seasonality(
    area: AreaOption = None,
    start: FromOption = None,
    end: ToOption = None,
    config: ConfigOption = None,
    warehouse_path: WarehouseOption = None,
    fmt: FormatOption = OutputFormat.table,
    rolling: Annotated[bool, typer.Option("--rolling", help="The 12-month rolling series instead of the index.")] = False,
) -> None:
    """Month-of-year index net of trend (100 = an average month; 36+ months), or the 12-month rolling series."""
    from cspkit.analysis.seasonality import SEASONAL_METHOD, rolling_12, seasonal_index


    def compute(scope: Scope, _: AnalysisOptions) -> tuple[pl.DataFrame, Provenance]:
        if rolling:
            return rolling_12(_monthly(scope)), scope.provenance("12-month rolling sum and mean")
        return seasonal_index(_monthly(scope)), scope.provenance(SEASONAL_METHOD)

    _run(area, start, end, config, warehouse_path, fmt, "Seasonality", compute)


@app.command()
@handles_errors
def concentration(
    area: AreaOption = None,
    start: FromOption = None,
    end: ToOption = None,
    config: ConfigOption = None,
    warehouse_path: WarehouseOption = None,
    fmt: FormatOption = OutputFormat.table,
    crime_type: CrimeTypeOption = None,
) -> None:
    """Share of incidents in the top 5% and 10% of LSOAs and street locations, and the Gini coefficient."""
    from cspkit.analysis.concentration import concentration_table


    def compute(scope: Scope, _: AnalysisOptions) -> tuple[pl.DataFrame, Provenance]:
        table = concentration_table(scope, crime_type)
        return table, scope.provenance("top 5%/10% shares and Gini over LSOAs and street locations")

    _run(area, start, end, config, warehouse_path, fmt, "Concentration", compute)


@app.command()
@handles_errors
def hotspots(
    area: AreaOption = None,
    start: FromOption = None,
    end: ToOption = None,
    config: ConfigOption = None,
    warehouse_path: WarehouseOption = None,
    fmt: FormatOption = OutputFormat.table,
    crime_type: CrimeTypeOption = None,
    weights: WeightsOption = None,
    k: Annotated[int | None, typer.Option("--k", help="Neighbours for knn weights (default 8).")] = None,
    permutations: PermutationsOption = None,
    seed: SeedOption = None,
) -> None:
    """Getis-Ord Gi* hot and cold spots over the area's LSOAs: conditional-permutation p-values, Benjamini-Hochberg FDR."""
    from cspkit.analysis.hotspots import HOTSPOT_METHOD, hotspot_table

    def compute(scope: Scope, options: AnalysisOptions) -> tuple[pl.DataFrame, Provenance]:
        table = hotspot_table(
            scope, options.hotspot_weights, options.knn_k, crime_type, options.alpha, options.permutation_settings
        )
        return table, scope.provenance(options.method(HOTSPOT_METHOD))

    chosen = {"hotspot_weights": weights, "knn_k": k, "permutations": permutations, "seed": seed}
    _run(area, start, end, config, warehouse_path, fmt, "Hot spots", compute, **chosen)


@app.command("emerging-hotspots")
@handles_errors
def emerging_hotspots(
    area: AreaOption = None,
    start: FromOption = None,
    end: ToOption = None,
    config: ConfigOption = None,
    warehouse_path: WarehouseOption = None,
    fmt: FormatOption = OutputFormat.table,
    crime_type: CrimeTypeOption = None,
    step: Annotated[str | None, typer.Option("--step", help="quarter (default) or month.")] = None,
    weights: WeightsOption = None,
    permutations: PermutationsOption = None,
    seed: SeedOption = None,
) -> None:
    """Emerging hot spots: Gi* per quarter or month, the Mann-Kendall trend of each LSOA's z-scores, Esri's 17 categories."""
    from cspkit.analysis.emerging import EMERGING_METHOD, emerging_hotspots

    def compute(scope: Scope, options: AnalysisOptions) -> tuple[pl.DataFrame, Provenance]:
        table = emerging_hotspots(
            scope,
            options.hotspot_weights,
            options.knn_k,
            [crime_type] if crime_type else None,
            options.alpha,
            options.permutation_settings,
            options.emerging_step,
        )
        return table, scope.provenance(options.method(EMERGING_METHOD))

    chosen = {"emerging_step": step, "hotspot_weights": weights, "permutations": permutations, "seed": seed}
    _run(area, start, end, config, warehouse_path, fmt, "Emerging hot spots", compute, **chosen)


@app.command()
@handles_errors
def sppt(
    area: AreaOption = None,
    start: FromOption = None,
    end: ToOption = None,
    config: ConfigOption = None,
    warehouse_path: WarehouseOption = None,
    fmt: FormatOption = OutputFormat.table,
    crime_type: CrimeTypeOption = None,
    summary: Annotated[bool, typer.Option("--summary", help="The S-indices and a sentence instead of the LSOAs.")] = False,
    samples: Annotated[
        int | None, typer.Option("--samples", help="Bootstrap resamples of each period (default 200).", min=100)
    ] = None,
    seed: SeedOption = None,
) -> None:
    """Where crime moved: Andresen's spatial point pattern test, latest 12 months against the previous 12, by LSOA."""
    from cspkit.analysis.sppt import SPPT_METHOD, where_crime_moved

    def compute(scope: Scope, options: AnalysisOptions) -> tuple[pl.DataFrame, Provenance]:
        what = crime_type.lower() if crime_type else "crime"
        table, indices = where_crime_moved(scope, [crime_type] if crime_type else None, options.sppt_settings, what)
        return (indices if summary else table), scope.provenance(options.method(SPPT_METHOD))

    _run(area, start, end, config, warehouse_path, fmt, "Where crime moved", compute, sppt_samples=samples, seed=seed)


@app.command()
@handles_errors
def repeats(
    area: AreaOption = None,
    start: FromOption = None,
    end: ToOption = None,
    config: ConfigOption = None,
    warehouse_path: WarehouseOption = None,
    fmt: FormatOption = OutputFormat.table,
    crime_type: CrimeTypeOption = None,
    source: Annotated[
        str | None, typer.Option("--source", help="A partner source with person keys (default: police.uk repeat locations).")
    ] = None,
    summary: Annotated[bool, typer.Option("--summary", help="Repeat-location shares instead of the busiest locations.")] = False,
    key: Annotated[
        str, typer.Option("--key", help="With --source: person_key (repeat victims) or location_key (repeat locations).")
    ] = "person_key",
    periods: Annotated[
        bool, typer.Option("--periods", help="With --source: each period's shares instead of the change.")
    ] = False,
) -> None:
    """Repeat victims or locations (partner data with a key) or repeat street locations (police.uk)."""
    from cspkit.analysis.repeats import repeat_locations, repeat_victimisation


    def compute(scope: Scope, options: AnalysisOptions) -> tuple[pl.DataFrame, Provenance]:
        if source:
            by_period, change_rows = repeat_victimisation(scope, source, key, options.alpha)
            method = f"repeats within 12 months by {key}; two-proportion z or Fisher's exact test"
            return (by_period if periods else change_rows), scope.provenance(method, f"partner_{source}")
        found, top = repeat_locations(scope, crime_type, options.top_locations)
        return (found if summary else top), scope.provenance("street locations (text and coordinates) with 2+ incidents")

    _run(area, start, end, config, warehouse_path, fmt, "Repeats", compute)


@app.command()
@handles_errors
def outcomes(
    area: AreaOption = None,
    start: FromOption = None,
    end: ToOption = None,
    config: ConfigOption = None,
    warehouse_path: WarehouseOption = None,
    fmt: FormatOption = OutputFormat.table,
    latest: Annotated[bool, typer.Option("--latest", help="Use each crime's latest outcome from the outcomes files.")] = False,
) -> None:
    """Outcome profile per crime category."""
    from cspkit.analysis.outcomes import latest_outcomes, outcome_profile


    def compute(scope: Scope, _: AnalysisOptions) -> tuple[pl.DataFrame, Provenance]:
        if latest:
            return latest_outcomes(scope), scope.provenance("latest outcomes-file outcome per crime ID")
        return outcome_profile(scope), scope.provenance("street last outcome category by crime type")

    _run(area, start, end, config, warehouse_path, fmt, "Outcomes", compute)


@app.command()
@handles_errors
def harm(
    area: AreaOption = None,
    start: FromOption = None,
    end: ToOption = None,
    config: ConfigOption = None,
    warehouse_path: WarehouseOption = None,
    fmt: FormatOption = OutputFormat.table,
    harm_weights: Annotated[
        Path | None, typer.Option("--harm-weights", help="Your own weights (TOML or CSV category,weight).")
    ] = None,
) -> None:
    """Categories ranked by volume and by harm side by side."""
    import polars as pl

    from cspkit.analysis.harm import harm_ranking, load_harm_weights
    from cspkit.analysis.scope import ALL_CRIME
    from cspkit.analysis.volumes import denominators, period_totals


    def compute(scope: Scope, options: AnalysisOptions) -> tuple[pl.DataFrame, Provenance]:
        weights = load_harm_weights(options.harm_weights)
        counts = period_totals(_monthly(scope), scope.period).filter(pl.col("crime_type") != ALL_CRIME)
        table = harm_ranking(counts, weights, denominators(scope.con, scope.area).residents)
        return table, scope.provenance(f"harm = count x weight ({weights.name}, version {weights.version}, {weights.file})")

    _run(area, start, end, config, warehouse_path, fmt, "Harm", compute, harm_weights=harm_weights)


@app.command()
@handles_errors
def peers(
    area: AreaOption = None,
    start: FromOption = None,
    end: ToOption = None,
    config: ConfigOption = None,
    warehouse_path: WarehouseOption = None,
    fmt: FormatOption = OutputFormat.table,
    k: Annotated[int | None, typer.Option("--k", help="Number of nearest districts (default 10).")] = None,
    peer: Annotated[
        list[str] | None, typer.Option("--peer", help="A peer district code (repeatable); replaces the nearest-k group.")
    ] = None,
    rates: Annotated[bool, typer.Option("--rates", help="Every district's rate instead of the area's position.")] = False,
) -> None:
    """The area's rate among similar districts, and whether it lies outside their usual range."""
    from cspkit.analysis.peers import peer_group, peer_method, peer_position, peer_rates, whole_districts


    def compute(scope: Scope, options: AnalysisOptions) -> tuple[pl.DataFrame, Provenance]:
        lads = whole_districts(scope)
        group = peer_group(scope.con, lads, scope.period, options.peer_count, options.peers or None)
        table = peer_rates(scope.con, group, lads, scope.period)
        prov = replace(scope.provenance(peer_method(group)), area_codes=tuple(group["lad_code"].to_list()))
        return (table if rates else peer_position(table)), prov

    _run(area, start, end, config, warehouse_path, fmt, "Peers", compute, peer_count=k, peers=tuple(peer) if peer else None)
