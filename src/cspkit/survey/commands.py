"""CLI commands for this step: thin wrappers over the library."""

import typer

app = typer.Typer(help="Step 3: the residents' survey: import, weighting and analysis.", no_args_is_help=True)
