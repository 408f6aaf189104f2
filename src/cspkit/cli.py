"""The ``cspkit`` command: a thin layer that parses options and calls the library."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cspkit import __version__
from cspkit.analysis.commands import app as analysis_app
from cspkit.cli_common import handles_errors
from cspkit.data.commands import app as ingest_app
from cspkit.data.commands import fetch_app, sql
from cspkit.horizon.commands import app as horizon_app
from cspkit.new_assessment import start_assessment
from cspkit.priorities.commands import app as priorities_app
from cspkit.report.commands import assess
from cspkit.risk.commands import app as risk_app
from cspkit.survey.commands import app as survey_app
from cspkit.web.commands import serve

app = typer.Typer(
    name="cspkit",
    help="A Community Safety Partnership's strategic assessment, from raw data to the documents.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,  # plain help: Typer's Rich help imports a Markdown parser, a third of the start-up time
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cspkit {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """cspkit: horizon scan, risk matrix, survey, focus group and the strategic assessment."""


@app.command()
@handles_errors
def init(
    directory: Annotated[Path, typer.Argument(help="Folder for the new assessment.")],
    area: Annotated[
        list[str],
        typer.Option(
            help="The partnership's district(s): ONS codes or names, comma-separated or repeated "
            "(e.g. 'Oxford' or 'W06000024,W06000016' for a joint partnership).",
        ),
    ],
    warehouse: Annotated[
        Path | None,
        typer.Option(
            help="A warehouse already loaded: the period becomes its latest 36 months (default: DIRECTORY/warehouse.duckdb)."
        ),
    ] = None,
) -> None:
    """Start an assessment: check the area and write a commented assessment.toml into DIRECTORY."""
    made = start_assessment(directory, area, warehouse=warehouse)
    typer.echo(f"Wrote {made.path} for {', '.join(str(d) for d in made.districts)} ({made.districts[0].country}).")
    period = f"{made.period[0]} to {made.period[1]}"
    if made.period_from_warehouse:
        typer.echo(f"Period: {period}, the latest months the warehouse holds.")
    else:
        typer.echo(f"Period: {period} is a PLACEHOLDER (no warehouse yet): set it to the months you load.")
    typer.echo(f"Next: 'cspkit fetch police --config {made.path}' (or 'cspkit ingest police' for files you have),")
    typer.echo(f"then 'cspkit assess {made.path}'.")


app.add_typer(fetch_app, name="fetch")
app.add_typer(ingest_app, name="ingest")
app.command("sql")(sql)
app.add_typer(analysis_app, name="analyse")
app.add_typer(horizon_app, name="horizon")
app.add_typer(risk_app, name="risk")
app.add_typer(survey_app, name="survey")
app.add_typer(priorities_app, name="priorities")
app.command("assess")(assess)
app.command("serve")(serve)


def main() -> None:
    app()
