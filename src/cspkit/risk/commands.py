"""CLI commands for this step: thin wrappers over the library."""

import typer

app = typer.Typer(help="Step 2: the MoRiLE-style risk matrix.", no_args_is_help=True)
