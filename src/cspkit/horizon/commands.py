"""CLI commands for this step: thin wrappers over the library."""

import typer

app = typer.Typer(help="Step 1: the horizon-scanning register (PESTELO).", no_args_is_help=True)
