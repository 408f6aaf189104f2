"""The risk CLI end to end on a temporary assessment: method, issues, workbooks out and in, results."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from cspkit.cli import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def said(result) -> str:
    """The output with Rich's line wrapping undone."""
    return " ".join(result.output.split())


def config(tmp_path: Path) -> Path:
    path = tmp_path / "assessment.toml"
    path.write_text(
        '[assessment]\narea_codes = ["E06000056"]\nperiod_start = "2021-05"\nperiod_end = "2024-04"\n'
        'warehouse = "w.duckdb"\n[risk]\nmethod = "simple_4x4"\n',
        encoding="utf-8",
    )
    return path


def test_method_show_and_issues(tmp_path) -> None:
    result = run("risk", "method", "show", "--format", "json")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert shown["id"] == "cspkit-default" and len(shown["criteria"]) == 11
    result = run("risk", "method", "show", "-c", str(config(tmp_path)), "--format", "csv")
    assert result.output.splitlines()[0] == "criterion,name,group,levels"
    assert result.output.splitlines()[1].startswith("impact,Impact,impact,1 Minor")
    levels = run("risk", "method", "show", "--levels", "--format", "csv").output.splitlines()
    assert levels[0] == "criterion,value,label,description"
    assert levels[1].startswith("harm_physical,0,None,No harm of this kind")
    result = run("risk", "issues", "--format", "json")
    assert any(i["id"] == "burglary" and i["police_uk_categories"] == "Burglary" for i in json.loads(result.output))
    copy = tmp_path / "issues.toml"
    assert run("risk", "issues", "--copy-to", str(copy)).exit_code == 0 and copy.exists()
    again = run("risk", "issues", "--copy-to", str(copy))
    assert again.exit_code == 2 and "file exists" in said(again)


def test_workbooks_out_and_in_and_results(tmp_path) -> None:
    cfg = str(config(tmp_path))
    out = tmp_path / "books"
    result = run("risk", "export-workbooks", "-c", cfg, "--out", str(out), "--no-suggestions",
                 "--scorer", "Police:Jane Smith", "--scorer", "Health:Sam Green")
    assert result.exit_code == 0, result.output
    books = sorted(out.glob("*.xlsx"))
    assert [b.name for b in books] == ["health-sam-green.xlsx", "police-jane-smith.xlsx"]
    for n, book in enumerate(books):
        wb = load_workbook(book)
        ws = wb["Scores"]
        for r in range(2, ws.max_row + 1):
            ws.cell(r, 9).value = 3 if ws.cell(r, 3).value != "confidence" else 1 + n
        wb.save(book)
    result = run("risk", "import", "-c", cfg, *map(str, books), "--by", "analyst", "--format", "json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)[0]
    assert summary["new"] == summary["scores_read"] > 0
    again = json.loads(run("risk", "import", "-c", cfg, *map(str, books), "--format", "json").output)[0]
    assert again["new"] == 0 and again["unchanged"] == summary["scores_read"]

    ranked = json.loads(run("risk", "results", "-c", cfg, "--format", "json").output)
    assert ranked[0]["risk_score"] == 9 and ranked[0]["class"] == "priority candidate"
    assert {"impact", "likelihood", "confidence", "discuss", "class"} <= set(ranked[0])
    heat = run("risk", "results", "-c", cfg, "--show", "heatmap", "--format", "csv")
    assert heat.output.splitlines()[0] == "row_order,row_band,column_order,column_band,n_issues,issue_ids,issues"
    audit = json.loads(run("risk", "audit", "-c", cfg, "--format", "json").output)
    assert len(audit) == summary["scores_read"] and audit[0]["changed_by"] == "analyst"
    bad = run("risk", "results", "-c", cfg, "--show", "pie")
    assert bad.exit_code == 2 and "--show must be" in said(bad)


def test_bad_scorer_and_bad_workbook_exit_with_a_clear_error(tmp_path) -> None:
    cfg = str(config(tmp_path))
    result = run("risk", "export-workbooks", "-c", cfg, "--out", str(tmp_path), "--no-suggestions", "--scorer", "Jane")
    assert result.exit_code == 2 and "ORGANISATION:NAME" in said(result)
    junk = tmp_path / "junk.xlsx"
    junk.write_text("not a workbook", encoding="utf-8")
    result = run("risk", "import", "-c", cfg, str(junk))
    assert result.exit_code == 2 and "junk.xlsx" in said(result) and "not an .xlsx workbook" in said(result)
    result = run("risk", "results", "-c", cfg)
    assert result.exit_code == 2 and "no scores stored" in said(result)
