"""CLI commands for the residents' survey: thin wrappers over the library (see docs/survey.md).

The library is imported inside each command, so ``cspkit --help`` starts fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cspkit.cli_common import ConfigOption, FormatOption, WarehouseOption, find_config, handles_errors, resolve_warehouse
from cspkit.errors import ConfigError
from cspkit.output import OutputFormat, render_frame, render_rows
from cspkit.survey.settings import SurveySettings, survey_settings

app = typer.Typer(help="Step 3: the residents' survey: import, weighting and analysis.", no_args_is_help=True)

QuestionnaireOption = Annotated[
    Path | None,
    typer.Option("--questionnaire", "-q", help="Questionnaire TOML (default: [survey] questionnaire, else the shipped one)."),
]
WaveOption = Annotated[str | None, typer.Option("--wave", help="Survey wave name (default: the latest imported).")]
AreaOption = Annotated[
    list[str] | None, typer.Option("--area", help="Local authority district code(s) (default: the config's area_codes).")
]
WeightByOption = Annotated[
    str | None,
    typer.Option("--weight-by", help="Variables to weight by, comma-separated: any of area, age_band, sex "
                 "(default: [survey] weight_by, else every one the questionnaire has)."),
]
#: The columns ``--format table`` shows, per table (csv and json show every column).
COMPACT = {
    "estimates": ("question_id", "answer", "kind", "base_n", "pct_unweighted", "pct", "ci_low", "ci_high", "small_base"),
    "breakdowns": ("group", "question_id", "answer", "base_n", "pct", "pct_rest", "p_adjusted", "verdict"),
    "concerns": ("rank", "rank_best", "rank_worst", "concern", "risk_issue", "base_n", "pct", "ci_low", "ci_high", "versus_next"),
    "themes": ("theme", "label", "responses", "share", "quote_1"),
    "changes": ("question_id", "answer", "pct", "pct_previous", "difference", "p_adjusted", "verdict"),
}
TABLES = ("estimates", "breakdowns", "associations", "concerns", "themes", "weighting", "margins", "changes")


def _settings(
    config: Path | None, questionnaire: Path | None, weight_by: str | None = None, area: list[str] | None = None
) -> SurveySettings:
    found = find_config(config)
    return survey_settings(found, questionnaire, weight_by.split(",") if weight_by is not None else None, area)


def _need_area(config: Path | None, area: list[str] | None) -> tuple[str, ...]:
    found = find_config(config)
    codes = tuple(area or (found.area_codes if found else ()))
    if not codes:
        raise ConfigError("no area: pass --area CODE or --config assessment.toml")
    return codes


def _summary_rows(summary: dict[str, object]) -> list[tuple[str, object]]:
    rows = [(k, v) for k, v in summary.items() if k not in ("excluded_by_reason", "ticks_by_question", "notes")]
    rows += [(f"excluded: {reason}", n) for reason, n in summary["excluded_by_reason"].items()]  # type: ignore[union-attr]
    rows += [(f"ticks: {qid}", text) for qid, text in summary["ticks_by_question"].items()]  # type: ignore[union-attr]
    rows += [("note", note) for note in summary["notes"]]  # type: ignore[union-attr]
    return rows


@app.command("questionnaire")
@handles_errors
def show_questionnaire(
    questionnaire: QuestionnaireOption = None,
    area: AreaOption = None,
    config: ConfigOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Check a questionnaire file and list its questions."""
    q = _settings(config, questionnaire, area=area).questionnaire
    rows = [(x.id, x.type.value, x.role or "", len(x.options), ", ".join(x.dont_know), x.text) for x in q.questions]
    render_rows(["id", "type", "role", "options", "dont_know", "text"], rows, fmt, title=f"{q.title} {q.version}")


@app.command("import")
@handles_errors
def import_command(
    file: Annotated[Path, typer.Argument(help="The survey export: CSV or XLSX.")],
    mapping: Annotated[Path, typer.Option("--mapping", "-m", help="Mapping TOML: export columns to question ids.")],
    wave: Annotated[str | None, typer.Option("--wave", help="Name of this wave, e.g. 2026 (default: the file name).")] = None,
    postcodes: Annotated[
        Path | None, typer.Option("--postcodes", help="ONS Postcode Directory CSV (pcds, lsoa21cd) to turn postcodes into areas.")
    ] = None,
    lenient: Annotated[
        bool, typer.Option("--lenient", help="Drop answers outside the codes (listed) instead of stopping.")
    ] = False,
    area: AreaOption = None,
    questionnaire: QuestionnaireOption = None,
    config: ConfigOption = None,
    warehouse_path: WarehouseOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Import a survey export into the warehouse, accounting for every row."""
    from cspkit.data import warehouse
    from cspkit.survey.importers import import_responses, load_mapping, postcode_area_lookup
    from cspkit.survey.store import save_responses

    settings = _settings(config, questionnaire, area=area)
    target = resolve_warehouse(warehouse_path, config)
    lookup = None
    if postcodes is not None:
        with warehouse.read(target) as con:
            lsoa_wards = dict(con.execute("SELECT lsoa21_code, ward_code FROM lsoa").fetchall())
        lookup = postcode_area_lookup(postcodes, lsoa_wards, settings.questionnaire)
    responses = import_responses(
        file, settings.questionnaire, load_mapping(mapping, settings.questionnaire), wave or file.stem, lookup, strict=not lenient
    )
    with warehouse.write(target) as con:
        save_responses(con, responses, settings.questionnaire)
    render_rows(["measure", "value"], _summary_rows(responses.summary()), fmt, title="Survey import")


@app.command("exclusions")
@handles_errors
def exclusions(
    wave: WaveOption = None,
    config: ConfigOption = None,
    warehouse_path: WarehouseOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """List every response excluded and answer dropped on import, with its reason."""
    from cspkit.data import warehouse
    from cspkit.survey.store import latest_wave, load_responses

    with warehouse.read(resolve_warehouse(warehouse_path, config)) as con:
        responses = load_responses(con, wave or latest_wave(con))
    render_frame(responses.exclusions, fmt, title=f"Excluded on import: wave {responses.wave}")


@app.command("weight")
@handles_errors
def weight(
    wave: WaveOption = None,
    area: AreaOption = None,
    weight_by: WeightByOption = None,
    questionnaire: QuestionnaireOption = None,
    config: ConfigOption = None,
    warehouse_path: WarehouseOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Rake a wave to the adult population (by [survey] weight_by, else area, age band and sex) and store the weights."""
    from cspkit.data import warehouse
    from cspkit.survey.analysis import configured_margins
    from cspkit.survey.store import latest_wave, load_responses, save_weights
    from cspkit.survey.weighting import weight_responses

    settings = _settings(config, questionnaire, weight_by, area)
    if not settings.weight_by:
        raise ConfigError("nothing to weight by: the questionnaire has no area, age band or sex question")
    target = resolve_warehouse(warehouse_path, config)
    with warehouse.read(target) as con:
        responses = load_responses(con, wave or latest_wave(con))
        margins = configured_margins(con, _need_area(config, area), settings)
    made = weight_responses(responses, settings.questionnaire, margins, trim=settings.trim)
    with warehouse.write(target) as con:
        save_weights(con, responses.wave, made.weights, made.report.variables)
    render_frame(made.report.table(), fmt, title=f"Weighting: wave {responses.wave}")


@app.command("results")
@handles_errors
def results(
    table: Annotated[str, typer.Option("--table", "-t", help=f"Which table: {', '.join(TABLES)}.")] = "estimates",
    wave: WaveOption = None,
    previous_wave: Annotated[str | None, typer.Option("--previous-wave", help="Compare with this stored wave.")] = None,
    unweighted: Annotated[bool, typer.Option("--unweighted", help="Do not weight (no population tables needed).")] = False,
    area: AreaOption = None,
    weight_by: WeightByOption = None,
    questionnaire: QuestionnaireOption = None,
    config: ConfigOption = None,
    warehouse_path: WarehouseOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Weighted results of a wave: estimates, breakdowns, concerns, themes, weighting, changes.

    Uses the weights 'cspkit survey weight' stored for the wave, if any; --weight-by rakes afresh.
    """
    import polars.selectors as cs

    from cspkit.survey.analysis import analyse_stored_wave

    if table not in TABLES:
        raise ConfigError(f"--table must be one of {', '.join(TABLES)}, not '{table}'")
    settings = _settings(config, questionnaire, weight_by, area)
    found = analyse_stored_wave(
        resolve_warehouse(warehouse_path, config),
        () if unweighted else _need_area(config, area),
        settings,
        wave=wave,
        previous_wave=previous_wave,
        weighted=not unweighted,
        stored=weight_by is None,
    )
    tables = found.tables()
    if table not in tables:
        raise ConfigError("the changes table needs --previous-wave")
    frame = tables[table]
    if fmt == OutputFormat.table:  # a terminal fits fewer columns: csv and json give them all
        frame = frame.select([c for c in frame.columns if c in COMPACT.get(table, frame.columns)])
        frame = frame.with_columns(cs.float().round(1))
    render_frame(frame, fmt, title=f"Survey {table}: wave {found.wave}. {found.provenance.footnote()}")


@app.command("generate-synthetic")
@handles_errors
def generate_synthetic(
    directory: Annotated[Path, typer.Argument(help="Folder for the SYNTHETIC export, its mapping and the true percentages.")],
    n: Annotated[int, typer.Option("--n", help="Number of synthetic respondents.")] = 700,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same file).")] = 2026,
    area: AreaOption = None,
    questionnaire: QuestionnaireOption = None,
    config: ConfigOption = None,
    warehouse_path: WarehouseOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Write a SYNTHETIC SmartSurvey-style export drawn from the area's real population (for demos)."""
    from cspkit.data import warehouse
    from cspkit.survey.synthetic import write_demo_export

    settings = _settings(config, questionnaire, area=area)
    codes = _need_area(config, area)
    with warehouse.read(resolve_warehouse(warehouse_path, config)) as con:
        written = write_demo_export(directory, con, settings.questionnaire, codes, n=n, seed=seed)
    rows = [
        ("export (SYNTHETIC)", str(written.export)),
        ("mapping", str(written.mapping)),
        ("true population percentages", str(written.truth)),
        ("respondents", n),
        ("over-represented areas", ", ".join(written.survey.over_represented)),
    ]
    render_rows(["item", "value"], rows, fmt, title="SYNTHETIC survey written")
