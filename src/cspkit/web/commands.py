"""The ``cspkit serve`` command."""

from typing import Annotated

import typer


def serve(port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000) -> None:
    """Start the partnership web app on this machine."""
    raise typer.Exit(1)
