"""CLI commands for this step: thin wrappers over the library."""

from pathlib import Path
from typing import Annotated

import typer

from cspkit.cli_common import FormatOption, handles_errors
from cspkit.output import OutputFormat, render_frame
from cspkit.priorities.decision import load_votes
from cspkit.priorities.voting import count_votes

app = typer.Typer(help="Step 4: the evidence board and the focus group's decision.", no_args_is_help=True)


@app.command("count")
@handles_errors
def count(
    votes: Annotated[Path, typer.Argument(help="The ranked ballots (votes.toml).")],
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Count the focus group's ranked ballots by Borda and Schulze and say where they disagree."""
    v = load_votes(votes)
    result = count_votes(v.ballots, v.candidates, v.unit, source=str(votes))
    render_frame(result.table, fmt, title=f"{result.ballots_counted} ballots, one per {result.unit}")
    if fmt == OutputFormat.table:
        for note in result.disagreements or ("Borda and Schulze agree on every rank.",):
            typer.echo(note)
