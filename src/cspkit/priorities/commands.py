"""CLI commands for this step: thin wrappers over the library, imported inside each command to start fast."""

from pathlib import Path
from typing import Annotated

import typer

from cspkit.cli_common import ConfigOption, FormatOption, handles_errors, require_config
from cspkit.errors import CspkitError
from cspkit.output import OutputFormat, render_frame

app = typer.Typer(help="Step 4: the evidence board and the focus group's decision.", no_args_is_help=True)


@app.command("count")
@handles_errors
def count(
    votes: Annotated[Path, typer.Argument(help="The ranked ballots (votes.toml).")],
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Count the focus group's ranked ballots by Borda and Schulze and say where they disagree."""
    from cspkit.priorities.decision import load_votes
    from cspkit.priorities.voting import count_votes

    v = load_votes(votes)
    result = count_votes(v.ballots, v.candidates, v.unit, source=str(votes))
    render_frame(result.table, fmt, title=f"{result.ballots_counted} ballots, one per {result.unit}")
    if fmt == OutputFormat.table:
        for note in result.disagreements or ("Borda and Schulze agree on every rank.",):
            typer.echo(note)


@app.command("board")
@handles_errors
def board(
    config: ConfigOption = None,
    shortlist: Annotated[bool, typer.Option("--shortlist", help="Show the suggested shortlist and its reasons instead.")] = False,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Show the evidence board (every candidate issue's evidence side by side) from the config's inputs."""
    from cspkit.report.pipeline import run_assessment

    run = run_assessment(require_config(config), documents=False)
    table = run.evidence.shortlist if shortlist else run.evidence.board
    if table is None:
        failed = "; ".join(f"{s.step}: {s.detail}" for s in run.steps if s.status != "done")
        raise CspkitError(f"no evidence board: {failed}")
    render_frame(table, fmt, title="Suggested shortlist" if shortlist else "Evidence board")
