"""CLI commands for the data step: ``cspkit ingest ...`` and ``cspkit sql``.

The library is imported inside each command, so ``cspkit --help`` and ``cspkit sql`` start fast.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from cspkit.cli_common import (
    ConfigOption,
    FormatOption,
    WarehouseOption,
    err_console,
    find_config,
    handles_errors,
    require_config,
    resolve_warehouse,
)
from cspkit.errors import ConfigError, WarehouseError
from cspkit.output import OutputFormat, render_json, render_rows

app = typer.Typer(help="Load police.uk, partner and reference data into the warehouse.",
                  no_args_is_help=True)
fetch_app = typer.Typer(help="Download published data and load what the assessment needs.", no_args_is_help=True)

_WRITE_STATEMENT = re.compile(
    r"^\s*(INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|ATTACH|DETACH|COPY|EXPORT|IMPORT|INSTALL|LOAD|SET|PRAGMA|CALL|CHECKPOINT|VACUUM)\b",
    re.IGNORECASE,
)


@handles_errors
def sql(
    statement: Annotated[str, typer.Argument(help="A read-only SQL query, e.g. \"SELECT ...\".")],
    warehouse_path: WarehouseOption = None,
    config: ConfigOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Query the warehouse (read-only) and print the result as a table, CSV or JSON."""
    if _WRITE_STATEMENT.match(statement):
        raise WarehouseError("'cspkit sql' is read-only: only queries are allowed")
    from cspkit.data import warehouse

    path = resolve_warehouse(warehouse_path, config)
    columns, rows = warehouse.query(path, statement)
    render_rows(columns, rows, fmt)


def _progress_bar(fmt: OutputFormat):
    """A Rich progress bar on stderr for interactive runs; None when JSON is piped or stderr is not a terminal."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    if fmt == OutputFormat.json or not err_console.is_terminal:
        return None
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    console=err_console, transient=True)


def _run_with_progress(fmt: OutputFormat, work):
    bar = _progress_bar(fmt)
    if bar is None:
        return work(None)
    with bar:
        task = bar.add_task("Ingesting", total=None)

        def advance(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total, description=label.rsplit("/", 1)[-1])

        return work(advance)


@app.command("police")
@handles_errors
def ingest_police_command(
    paths: Annotated[list[Path] | None, typer.Argument(
        help="data.police.uk downloads: zip archives, folders (YYYY-MM/YYYY-MM-<force>-<kind>.csv) or CSV files. "
             "Default: the paths in the config table sources.police.")] = None,
    warehouse_path: WarehouseOption = None,
    config: ConfigOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Load police.uk street, outcomes and stop-and-search files; print rows read, loaded, quarantined, duplicates."""
    from cspkit.data.police import ingest_police

    path = resolve_warehouse(warehouse_path, config)
    if not paths:
        found = require_config(config)
        paths = [found.resolve(p) for p in found.section("sources").get("police", {}).get("paths", [])]
        if not paths:
            raise ConfigError("no police.uk paths given and none under sources.police in the config", file=found.path)
    report = _run_with_progress(fmt, lambda progress: ingest_police(path, paths, progress=progress))
    report.render(fmt)


@app.command("geography")
@handles_errors
def ingest_geography_command(
    files: Annotated[list[Path] | None, typer.Argument(
        help="Optional national files: ONS postcode directory CSV, LSOA lookups (CSV), LSOA 2021 boundaries "
             "(GeoJSON). Without files, (re)load the bundled reference tables.")] = None,
    warehouse_path: WarehouseOption = None,
    config: ConfigOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Load the bundled geography, population and deprivation tables, plus any national files you give."""
    from cspkit.data.geography import ingest_geography

    path = resolve_warehouse(warehouse_path, config)
    counts = ingest_geography(path, list(files) if files else None)
    render_rows(["table", "rows"], sorted(counts.items()), fmt, title="Reference tables loaded")


@app.command("partner")
@handles_errors
def ingest_partner_command(
    source: Annotated[str, typer.Argument(help="The partner source name, e.g. domestic_abuse (table partner_<source>).")],
    file: Annotated[Path | None, typer.Argument(
        help="The CSV or XLSX extract. Default: 'file' in the config table sources.partner.SOURCE.")] = None,
    mapping: Annotated[Path | None, typer.Option(
        "--mapping", "-m", help="The mapping TOML. Default: 'mapping' in the config table sources.partner.SOURCE.")] = None,
    warehouse_path: WarehouseOption = None,
    config: ConfigOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Load a partner extract through its declared mapping; personal identifiers are pseudonymised on the way in."""
    from cspkit.data.partner import ingest_partner
    from cspkit.data.partner_mapping import load_mapping
    from cspkit.data.pseudonymise import load_key

    path = resolve_warehouse(warehouse_path, config)
    found = find_config(config)
    declared = found.section("sources").get("partner", {}).get(source, {}) if found else {}
    file = file or (found.resolve(declared["file"]) if "file" in declared else None)
    mapping = mapping or (found.resolve(declared["mapping"]) if "mapping" in declared else None)
    if file is None or mapping is None:
        raise ConfigError(f"give FILE and --mapping, or declare file and mapping under sources.partner.{source} in the config")
    parsed = load_mapping(mapping, source)
    key = None
    if parsed.needs_key:
        key = load_key(found.pseudonym_key_env, found.pseudonym_key_file) if found else load_key()
    ingest_partner(path, source, file, parsed, key).render(fmt)


def _download_bar(fmt: OutputFormat):
    """A Rich bar of bytes downloaded (with speed and time left), on the terms of :func:`_progress_bar`."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

    if fmt == OutputFormat.json or not err_console.is_terminal:
        return None
    return Progress(TextColumn("Downloading"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                    TimeRemainingColumn(), console=err_console, transient=True)


@fetch_app.command("police")
@handles_errors
def fetch_police_command(
    config: ConfigOption = None,
    month: Annotated[str | None, typer.Option(
        help="The archive to get, YYYY-MM (it holds the 36 months ending then). Default: the latest listed.")] = None,
    cache: Annotated[Path | None, typer.Option(
        help="Folder the archive is kept in and reused from. Default: sources.police.cache in the config, "
             "else ~/.cache/cspkit/police.")] = None,
    peers: Annotated[bool | None, typer.Option(
        "--peers/--no-peers", help="Also load every force's street files for the peer period. "
                                   "Default: on unless [analysis] peer_count = 0.")] = None,
    download_only: Annotated[bool, typer.Option("--download-only", help="Get the archive; load nothing.")] = False,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Download the data.police.uk monthly archive (resumed if cut off; size and sha256 recorded in the cache)
    and load the months and forces the assessment needs: its districts' forces and BTP over its period."""
    from cspkit.data.police_archive import fetch_police

    found = require_config(config)
    bar = _download_bar(fmt)
    progress = None
    if bar is not None:
        bar.start()
        task = bar.add_task("Downloading", total=None)

        def progress(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

    try:
        report = _run_with_progress(fmt, lambda ingest_progress: fetch_police(
            found, month, cache, peers, not download_only, progress, ingest_progress))
    finally:
        if bar is not None:
            bar.stop()
    if fmt == OutputFormat.json:
        render_json(report.to_dict())
        return
    archive, selection = report.archive, report.selection
    how = "downloaded" if archive.downloaded else "reused from the cache"
    err_console.print(f"Archive {archive.month}: {archive.path} ({archive.size:,} bytes, sha256 {archive.sha256}), {how}.",
                      highlight=False, soft_wrap=True)
    peer = f"; every force's street files for {selection.peer_period.label()}" if selection.peer_period else ""
    err_console.print(f"Selected {len(selection.files)} files: {', '.join(selection.area_forces)} and btp for "
                      f"{selection.period.label()}{peer}.", highlight=False, soft_wrap=True)
    if selection.months_missing:
        err_console.print("Not in the archive: " + ", ".join(f"{m:%Y-%m}" for m in selection.months_missing) + ".",
                          highlight=False, soft_wrap=True)
    if report.ingest is not None:
        report.ingest.render(fmt)
