"""The ``cspkit assess`` command; the pipeline is imported when it runs, so ``cspkit --help`` starts fast."""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from cspkit.cli_common import handles_errors
from cspkit.config import load_config

STATUS_STYLE = {"done": "green", "skipped": "yellow", "failed": "bold red"}


@handles_errors
def assess(
    config: Annotated[Path, typer.Argument(help="The assessment config (assessment.toml or its folder).")],
) -> None:
    """Run every step that has inputs and build the documents into the output folder."""
    from cspkit.report.pipeline import STEPS, run_assessment

    settings = load_config(config)
    console = Console(stderr=True)
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console, transient=True
    ) as progress:
        task = progress.add_task("Starting", total=len(STEPS))

        def listener(step: str, status: str, detail: str) -> None:
            if status == "running":
                progress.update(task, description=f"{step}...")
            else:
                progress.advance(task)

        run = run_assessment(settings, listener)
    table = Table(title=f"cspkit assess: {settings.name}")
    for column in ("Step", "Status", "Seconds", "What it used or why not"):
        table.add_column(column)
    for s in run.steps:
        table.add_row(s.step, f"[{STATUS_STYLE[s.status]}]{s.status}[/]", f"{s.seconds:.1f}", escape(s.detail))
    table.add_row("Total", "", f"{run.seconds:.1f}", "")
    console.print(table)
    for name, path in run.outputs.items():
        typer.echo(f"{name}: {path}")
    if any(s.status == "failed" for s in run.steps):
        raise typer.Exit(1)
