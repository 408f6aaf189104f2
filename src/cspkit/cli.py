"""The ``cspkit`` command: a thin layer that parses options and calls the library."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cspkit import __version__
from cspkit.analysis.commands import app as analysis_app
from cspkit.cli_common import handles_errors
from cspkit.config import write_template
from cspkit.data.commands import app as ingest_app
from cspkit.data.commands import fetch_app, sql
from cspkit.horizon.commands import app as horizon_app
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
    area: Annotated[str, typer.Option(help="Local authority district code of the CSP.")] = "E06000056",
) -> None:
    """Start an assessment: write a commented assessment.toml into DIRECTORY."""
    path = write_template(directory, area_code=area)
    typer.echo(f"Wrote {path}. Edit it, then run 'cspkit ingest police --config {path} PATH'.")


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
