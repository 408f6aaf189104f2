"""CLI commands for this step: thin wrappers over the library."""

import typer

app = typer.Typer(help="Step 4: the evidence board and the focus group's decision.", no_args_is_help=True)
