"""The ``cspkit assess`` command."""

from pathlib import Path
from typing import Annotated

import typer

from cspkit.cli_common import handles_errors


@handles_errors
def assess(
    config: Annotated[Path, typer.Argument(help="The assessment config (assessment.toml).")],
) -> None:
    """Run every step that has inputs and build the documents into the output folder."""
    raise typer.Exit(1)
