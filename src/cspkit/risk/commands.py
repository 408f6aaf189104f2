"""CLI commands for the risk matrix: thin wrappers over the library.

The heavier library modules are imported inside each command, so ``cspkit --help`` starts fast.
"""

from __future__ import annotations

import csv
import getpass
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cspkit.cli_common import ConfigOption, FormatOption, WarehouseOption, err_console, find_config, handles_errors
from cspkit.config import AssessmentConfig
from cspkit.errors import ConfigError, CspkitError, InputError
from cspkit.output import OutputFormat, render_frame, render_json
from cspkit.risk.method import Method, load_method
from cspkit.risk.register import IssueRegister, load_issues, write_issues

if TYPE_CHECKING:
    from cspkit.risk.store import WarehouseScoreStore
    from cspkit.risk.suggest import Suggestion
    from cspkit.risk.workbook import Scorer

app = typer.Typer(help="Step 2: the MoRiLE-style risk matrix.", no_args_is_help=True)
method_app = typer.Typer(help="The risk matrix method: criteria, levels, groups and rules.", no_args_is_help=True)
app.add_typer(method_app, name="method")

MethodOption = Annotated[
    str | None,
    typer.Option("--method", "-m", help="Method file, or 'default' / 'simple_4x4' (default: [risk] method in the config)."),
]
IssuesOption = Annotated[
    Path | None, typer.Option("--issues", help="Issues register file (default: [risk] issues in the config).")
]
#: [risk] settings: the method and issues files here; `scores` (a folder of completed workbooks, or
#: "synthetic") and `seed` are read by `cspkit assess` (docs/risk.md).
RISK_SETTINGS = {"method", "issues", "scores", "seed"}


def _risk_setting(cfg: AssessmentConfig | None, key: str) -> Path | str | None:
    if cfg is None:
        return None
    section = cfg.section("risk")
    unknown = set(section) - RISK_SETTINGS
    if unknown:
        raise ConfigError(f"unknown setting(s) in [risk]: {', '.join(sorted(unknown))}", file=cfg.path)
    value = section.get(key)
    if value is None:
        return None
    return value if key == "method" and value in ("default", "simple_4x4") else cfg.resolve(value)


def _load(config: Path | None, method: str | None, issues: Path | None):
    cfg = find_config(config)
    return cfg, load_method(method or _risk_setting(cfg, "method")), load_issues(issues or _risk_setting(cfg, "issues"))


def _suggestions(
    cfg: AssessmentConfig | None, warehouse: Path | None, method: Method, register: IssueRegister, area: str | None
) -> list[Suggestion]:
    """Suggestions from the warehouse for the config's area and period (needs both)."""
    from cspkit.risk.evidence import evidence_for_config
    from cspkit.risk.suggest import suggest_all

    if cfg is None:
        raise ConfigError("suggested scores need the assessment config (area and period): pass --config")
    if warehouse is not None:
        cfg = replace(cfg, warehouse=warehouse)
    return suggest_all(evidence_for_config(cfg, register, area), method)


def _store(warehouse: Path | None, cfg: AssessmentConfig | None) -> WarehouseScoreStore:
    from cspkit.risk.store import WarehouseScoreStore

    if warehouse is not None:
        return WarehouseScoreStore(warehouse)
    if cfg is None:
        raise CspkitError("no warehouse: pass --warehouse FILE or --config assessment.toml")
    return WarehouseScoreStore(cfg.warehouse)


@method_app.command("show")
@handles_errors
def method_show(
    config: ConfigOption = None,
    method: MethodOption = None,
    levels: Annotated[bool, typer.Option(help="List every level with its description.")] = False,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Show the method: each criterion with its group and levels, and the combining rule."""
    cfg = find_config(config)
    m = load_method(method or _risk_setting(cfg, "method"))
    if fmt == OutputFormat.json:
        render_json(asdict(m))
        return
    if levels:
        rows = [
            {"criterion": c.id, "value": f"{lv.value:g}", "label": lv.label, "description": lv.description}
            for c in m.criteria
            for lv in c.levels
        ]
        render_frame(rows, fmt, title=f"Levels of {m.label}")
        return
    rows = [
        {
            "criterion": c.id, "name": c.name, "group": c.group,
            "levels": "; ".join(f"{lv.value:g} {lv.label}" for lv in c.levels),
        }
        for c in m.criteria
    ]
    render_frame(rows, fmt, title=f"{m.name} ({m.label})")
    if fmt == OutputFormat.table:
        groups = {g.id: g for g in m.groups}
        rule = f" {'x' if m.rule_combine == 'product' else '+'} ".join(f"{g} ({groups[g].combine})" for g in m.risk_groups)
        typer.echo(f"Risk score = {rule}; shown beside it: {', '.join(m.beside_groups) or 'nothing'}.")
        typer.echo(f"Scorers' values are combined by {m.aggregation}; discuss when the {m.discuss_measure} "
                   f"is more than {m.discuss_threshold:g}.")
        if m.knowledge_gap:
            gap = m.knowledge_gap
            typer.echo(f"Knowledge gap: {gap.harm_group} >= {gap.harm_at_least:g} and "
                       f"{gap.confidence_group} <= {gap.confidence_at_most:g}.")


@app.command("issues")
@handles_errors
def issues_cmd(
    config: ConfigOption = None,
    issues: IssuesOption = None,
    copy_to: Annotated[
        Path | None, typer.Option(help="Copy the shipped register (or --issues) to this TOML file, to edit it.")
    ] = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """List the candidate issues and the data that measures each (or copy the register to edit it)."""
    if copy_to is not None:
        register = load_issues(issues)
        if copy_to.exists():
            raise InputError("file exists; choose another name or delete it first", file=copy_to)
        write_issues(register, copy_to)
        typer.echo(f"Wrote {copy_to}. Name it in assessment.toml: [risk] issues = \"{copy_to.name}\"")
        return
    register = load_issues(issues or _risk_setting(find_config(config), "issues"))
    rows = [
        {
            "id": i.id, "issue": i.name, "police_uk_categories": ", ".join(i.crime_categories),
            "partner_sources": ", ".join(i.partner_sources), "origin": i.origin,
        }
        for i in register.issues
    ]
    render_frame(rows, fmt, title=f"Issues register {register.id} {register.version}")


@app.command("suggest")
@handles_errors
def suggest(
    config: ConfigOption = None,
    warehouse: WarehouseOption = None,
    method: MethodOption = None,
    issues: IssuesOption = None,
    area: Annotated[str | None, typer.Option(help="Area codes or names (default: the config's area).")] = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Data-suggested scores for each issue, with the evidence and figures behind them."""
    from cspkit.risk.suggest import suggestions_table

    cfg, m, register = _load(config, method, issues)
    render_frame(suggestions_table(_suggestions(cfg, warehouse, m, register, area)), fmt, title="Data-suggested scores")


def _read_scorers(values: list[str], scorers_file: Path | None) -> list[Scorer]:
    from cspkit.risk.workbook import Scorer

    scorers = []
    for value in values:
        organisation, sep, name = value.partition(":")
        if not sep or not organisation.strip() or not name.strip():
            raise InputError(f"--scorer must be ORGANISATION:NAME, not {value!r}")
        scorers.append(Scorer(organisation.strip(), name.strip()))
    if scorers_file is not None:
        with scorers_file.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames is None or not {"organisation", "scorer"} <= set(reader.fieldnames):
                raise InputError("the scorers CSV needs columns 'organisation' and 'scorer'", file=scorers_file, row=1)
            for number, row in enumerate(reader, start=2):
                if not (row["organisation"] or "").strip() or not (row["scorer"] or "").strip():
                    raise InputError("organisation and scorer are required", file=scorers_file, row=number)
                scorers.append(Scorer(row["organisation"].strip(), row["scorer"].strip()))
    if not scorers:
        raise InputError("name at least one scorer with --scorer ORGANISATION:NAME or --scorers FILE.csv")
    return scorers


@app.command("export-workbooks")
@handles_errors
def export_cmd(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the workbooks.")],
    scorer: Annotated[list[str] | None, typer.Option("--scorer", help="ORGANISATION:NAME; repeat for each scorer.")] = None,
    scorers: Annotated[Path | None, typer.Option(help="CSV of scorers with columns organisation, scorer.")] = None,
    no_suggestions: Annotated[bool, typer.Option(help="Leave out data-suggested scores (no warehouse needed).")] = False,
    config: ConfigOption = None,
    warehouse: WarehouseOption = None,
    method: MethodOption = None,
    issues: IssuesOption = None,
) -> None:
    """Write one scoring workbook (.xlsx) per scorer, with suggested scores, evidence and dropdowns."""
    from cspkit.risk.workbook import export_workbooks

    cfg, m, register = _load(config, method, issues)
    people = _read_scorers(scorer or [], scorers)
    found = [] if no_suggestions else _suggestions(cfg, warehouse, m, register, None)
    for path in export_workbooks(out, people, m, register, found):
        typer.echo(f"Wrote {path}")


@app.command("import")
@handles_errors
def import_cmd(
    workbooks: Annotated[list[Path], typer.Argument(help="Completed scoring workbooks.")],
    by: Annotated[str | None, typer.Option(help="Who is importing (for the audit trail; default: your login).")] = None,
    config: ConfigOption = None,
    warehouse: WarehouseOption = None,
    method: MethodOption = None,
    issues: IssuesOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Check completed workbooks and store their scores: all of them, or nothing if any is wrong."""
    from cspkit.risk.workbook import import_workbooks

    cfg, m, register = _load(config, method, issues)
    result = import_workbooks(workbooks, m, register, _store(warehouse, cfg), changed_by=by or getpass.getuser())
    summary = {
        "workbooks": len(result.workbooks), "scorers": len(result.scorers), "scores_read": result.scores_read,
        "new": result.changes.added, "changed": result.changes.changed, "unchanged": result.changes.unchanged,
        "withdrawn": result.changes.withdrew,
    }
    render_frame([summary], fmt, title="Imported")
    if result.scores_read == 0:
        withdrawn = f"; {result.changes.withdrew} earlier score(s) withdrawn" if result.changes.withdrew else ""
        err_console.print(f"Warning: the workbooks hold no scores (every score cell is empty){withdrawn}.")


@app.command("results")
@handles_errors
def results(
    show: Annotated[str, typer.Option(help="ranked, heatmap, criteria or gaps (knowledge gaps only).")] = "ranked",
    config: ConfigOption = None,
    warehouse: WarehouseOption = None,
    method: MethodOption = None,
    issues: IssuesOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """The risk matrix from the stored scores: ranked issues, the heat map, per-criterion spreads or knowledge gaps."""
    import polars as pl

    from cspkit.risk.matrix import aggregate_criteria, heatmap, knowledge_gaps, risk_results

    cfg, m, register = _load(config, method, issues)
    scores = _store(warehouse, cfg).scores(m)
    if not scores:
        raise CspkitError(f"no scores stored for method {m.label}; import workbooks with 'cspkit risk import' first")
    table = risk_results(scores, m, register)
    if show == "ranked":
        frame = table
    elif show == "heatmap":
        frame = heatmap(table, m).with_columns(
            issues=pl.col("issues").list.join("; "), issue_ids=pl.col("issue_ids").list.join("; ")
        )
    elif show == "criteria":
        frame = aggregate_criteria(scores, m)
    elif show == "gaps":
        frame = knowledge_gaps(table)
    else:
        raise InputError(f"--show must be ranked, heatmap, criteria or gaps, not {show!r}")
    if fmt == OutputFormat.table and show in ("ranked", "gaps"):
        frame = frame.select("rank", "issue", "risk_score", *m.risk_groups, *m.beside_groups, "max_range", "discuss", "class")
    render_frame(frame, fmt, title=f"Risk matrix ({m.label}), {show}")


@app.command("audit")
@handles_errors
def audit(
    config: ConfigOption = None,
    warehouse: WarehouseOption = None,
    method: MethodOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Every score, change and override recorded: who, when, old, new and why."""
    cfg = find_config(config)
    m = load_method(method or _risk_setting(cfg, "method"))
    render_frame([asdict(a) for a in _store(warehouse, cfg).audit_trail(m)], fmt, title="Audit trail")


@app.command("demo-scores")
@handles_errors
def demo_scores(
    config: ConfigOption = None,
    warehouse: WarehouseOption = None,
    method: MethodOption = None,
    issues: IssuesOption = None,
    no_suggestions: Annotated[bool, typer.Option(help="Do not use data-suggested scores.")] = False,
) -> None:
    """Store SYNTHETIC completed scores from ten demo scorers (for the demo only; marked synthetic)."""
    from cspkit.risk.demo import load_synthetic_scores

    cfg, m, register = _load(config, method, issues)
    found = [] if no_suggestions else _suggestions(cfg, warehouse, m, register, None)
    changes = load_synthetic_scores(_store(warehouse, cfg), m, register, found)
    err_console.print(f"Stored {changes.added} new and {changes.changed} changed SYNTHETIC scores.")
