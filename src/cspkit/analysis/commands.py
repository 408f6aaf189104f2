"""CLI commands for this step: thin wrappers over the library."""

import typer

app = typer.Typer(help="Step 5 evidence: volumes, rates, tested change, hotspots, repeats, harm, peers.", no_args_is_help=True)
