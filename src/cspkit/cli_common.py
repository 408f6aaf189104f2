"""Options and error handling shared by every CLI command, defined once."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from cspkit.config import AssessmentConfig, load_config
from cspkit.errors import CspkitError, WarehouseError
from cspkit.output import OutputFormat

err_console = Console(stderr=True)

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="The assessment config (assessment.toml or its folder)."),
]
WarehouseOption = Annotated[
    Path | None,
    typer.Option("--warehouse", "-w", help="The DuckDB warehouse file (default: from the config)."),
]
FormatOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="Output format: table, csv or json.")
]

F = TypeVar("F", bound=Callable[..., Any])


def handles_errors(func: F) -> F:
    """Turn cspkit errors into one clear line on stderr and exit status 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CspkitError as exc:
            err_console.print(f"[bold red]Error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from exc

    return wrapper  # type: ignore[return-value]


def find_config(config: Path | None) -> AssessmentConfig | None:
    """The config named on the command line, else ./assessment.toml if present, else None."""
    if config is not None:
        return load_config(config)
    default = Path.cwd() / "assessment.toml"
    return load_config(default) if default.exists() else None


def require_config(config: Path | None) -> AssessmentConfig:
    found = find_config(config)
    if found is None:
        raise CspkitError("no config: pass --config or run in a folder with assessment.toml")
    return found


def resolve_warehouse(warehouse: Path | None, config: Path | None) -> Path:
    """The warehouse given with --warehouse, else the one the config names."""
    if warehouse is not None:
        return warehouse
    found = find_config(config)
    if found is None:
        raise WarehouseError("no warehouse: pass --warehouse FILE or --config assessment.toml")
    return found.warehouse
