"""CLI commands for the horizon-scanning register: thin wrappers over the library.

The register modules (openpyxl, polars) are imported inside each command, so ``cspkit --help`` starts fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cspkit.cli_common import ConfigOption, FormatOption, find_config, handles_errors
from cspkit.config import AssessmentConfig
from cspkit.errors import ConfigError, InputError
from cspkit.output import OutputFormat, render_frame
from cspkit.risk.register import default_issues_path, load_issues, write_issues

app = typer.Typer(help="Step 1: the horizon-scanning register (PESTELO).", no_args_is_help=True)

RegisterArgument = Annotated[
    Path | None, typer.Argument(help="Register file (.toml, .csv or .xlsx; default: [horizon] register in the config).")
]


def _register_path(cfg: AssessmentConfig | None, given: Path | None) -> Path:
    if given is not None:
        return given
    if cfg is not None:
        section = cfg.section("horizon")
        unknown = set(section) - {"register"}
        if unknown:
            raise ConfigError(f"unknown setting(s) in [horizon]: {', '.join(sorted(unknown))}", file=cfg.path)
        if "register" in section:
            return cfg.resolve(section["register"])
    raise ConfigError("no horizon register: name the file, or set [horizon] register in the config")


def _issues_path(cfg: AssessmentConfig | None) -> Path | None:
    if cfg is None:
        return None
    value = cfg.section("risk").get("issues")
    return cfg.resolve(value) if value else None


@app.command("show")
@handles_errors
def show(register: RegisterArgument = None, config: ConfigOption = None, fmt: FormatOption = OutputFormat.table) -> None:
    """The horizon-scanning section: entries by PESTELO category, most likely and serious first."""
    from cspkit.horizon.files import load_register
    from cspkit.horizon.register import check_links, horizon_section

    cfg = find_config(config)
    loaded = load_register(_register_path(cfg, register))
    check_links(loaded, load_issues(_issues_path(cfg)))
    table = horizon_section(loaded)
    if fmt == OutputFormat.table:
        table = table.select("category", "title", "horizon_months", "likelihood", "impact", "score", "scope", "linked_issues")
    title = loaded.title + (" (SYNTHETIC)" if loaded.synthetic and "synthetic" not in loaded.title.lower() else "")
    render_frame(table, fmt, title=title)


@app.command("import")
@handles_errors
def import_cmd(
    source: Annotated[Path, typer.Argument(help="The register to import (.toml, .csv or .xlsx).")],
    to: Annotated[Path | None, typer.Option(help="Where to write it (default: [horizon] register in the config).")] = None,
    config: ConfigOption = None,
) -> None:
    """Check a register file (e.g. a partner's spreadsheet) and write it as the assessment's register."""
    from cspkit.horizon.files import load_register, save_register
    from cspkit.horizon.register import check_links

    cfg = find_config(config)
    loaded = load_register(source)
    check_links(loaded, load_issues(_issues_path(cfg)))
    target = _register_path(cfg, to)
    save_register(loaded, target)
    typer.echo(f"Imported {len(loaded.entries)} entries into {target}")


@app.command("export")
@handles_errors
def export(
    out: Annotated[Path, typer.Argument(help="File to write: .toml, .csv or .xlsx.")],
    register: Annotated[Path | None, typer.Option(help="Register to export (default: from the config).")] = None,
    demo: Annotated[bool, typer.Option(help="Export the SYNTHETIC demo register shipped with cspkit.")] = False,
    config: ConfigOption = None,
) -> None:
    """Write the register to a .toml, .csv or .xlsx file (e.g. to send round for comment)."""
    from cspkit.horizon.files import load_register, save_register
    from cspkit.horizon.register import demo_register_path

    source = demo_register_path() if demo else _register_path(find_config(config), register)
    if out.exists():
        raise InputError("file exists; choose another name or delete it first", file=out)
    save_register(load_register(source), out)
    typer.echo(f"Wrote {out}")


@app.command("raise")
@handles_errors
def raise_cmd(
    entries: Annotated[
        list[str] | None, typer.Argument(help="Entry ids to raise (default: every entry marked raises_issue).")
    ] = None,
    register: Annotated[Path | None, typer.Option(help="Register file (default: from the config).")] = None,
    config: ConfigOption = None,
) -> None:
    """Raise horizon entries as emerging issues in the risk matrix's issues register."""
    from cspkit.horizon.files import load_register
    from cspkit.horizon.register import raise_emerging_issues

    cfg = find_config(config)
    issues_path = _issues_path(cfg)
    if issues_path is None or issues_path == default_issues_path():
        raise ConfigError(
            "emerging issues are added to your own issues file: run 'cspkit risk issues --copy-to issues.toml' and set "
            "[risk] issues = \"issues.toml\" in the config"
        )
    issues = load_issues(issues_path)
    updated = raise_emerging_issues(load_register(_register_path(cfg, register)), issues, entries or [])
    added = [i for i in updated.issues if i.id not in issues.ids]
    write_issues(updated, issues_path)
    for issue in added:
        typer.echo(f"Raised emerging issue '{issue.id}': {issue.name}")
    if not added:
        typer.echo("No new issues: every chosen entry is already in the issues register.")
