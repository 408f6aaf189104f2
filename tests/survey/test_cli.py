"""The survey commands end to end: generate, import, weight, results; errors as one clear line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cspkit.cli import app

runner = CliRunner()


@pytest.fixture
def store(tmp_path: Path, reference_warehouse: Path) -> Path:
    target = tmp_path / "warehouse.duckdb"
    shutil.copy(reference_warehouse, target)
    return target


AREA = ("--area", "E06000056")


def run(*args: str):
    return runner.invoke(app, ["survey", *args])


def test_generate_import_weight_results(tmp_path: Path, store: Path) -> None:
    out = tmp_path / "demo"
    made = run("generate-synthetic", str(out), "-w", str(store), *AREA, "--n", "300", "--seed", "5", "-f", "json")
    assert made.exit_code == 0, made.output
    export = out / "synthetic_survey_smartsurvey.csv"
    mapping = out / "synthetic_survey_smartsurvey.mapping.toml"
    assert (out / "synthetic_survey_truth.csv").exists()

    imported = run("import", str(export), "--mapping", str(mapping), "--wave", "2026", "-w", str(store), *AREA, "-f", "json")
    assert imported.exit_code == 0, imported.output
    summary = {row["measure"]: row["value"] for row in json.loads(imported.output)}
    assert summary["imported"] == 300 and summary["duplicates"] == 3
    ticks = {m: v for m, v in summary.items() if m.startswith("ticks: ")}
    assert set(ticks) >= {"ticks: concerns", "ticks: safe_day", "ticks: area"}
    for text in ticks.values():  # read = stored + in excluded rows (the 3 duplicates) + dropped
        numbers = dict((part.split(" ", 1)[1], int(part.split(" ", 1)[0].replace(",", ""))) for part in text.split(", "))
        assert numbers["read"] == numbers["stored"] + numbers.get("in excluded rows", 0) + numbers.get("dropped", 0)

    weighted = run("weight", "-w", str(store), *AREA, "-f", "json")
    assert weighted.exit_code == 0, weighted.output
    report = {row["measure"]: row["value"] for row in json.loads(weighted.output)}
    assert report["converged"] == "True" and report["weighting variables"] == "area, age_band, sex"

    found = run("results", "-t", "concerns", "-w", str(store), *AREA, "-f", "csv")
    assert found.exit_code == 0, found.output
    assert found.output.splitlines()[0].startswith("rank,rank_best,rank_worst,concern_code")

    estimates = run("results", "-w", str(store), *AREA, "--wave", "2026", "--unweighted", "-f", "json")
    rows = json.loads(estimates.output)
    assert {r["question_id"] for r in rows} >= {"safe_day", "safe_dark", "concerns"}

    excluded = run("exclusions", "-w", str(store), "-f", "csv")
    assert excluded.output.count("duplicate") == 3

    no_previous = run("results", "-t", "changes", "-w", str(store), *AREA, "--unweighted")
    assert no_previous.exit_code == 2 and "needs --previous-wave" in no_previous.output


def test_import_errors_name_the_place(tmp_path: Path, store: Path) -> None:
    export = tmp_path / "export.csv"
    export.write_text("UserID,How safe?\n1,Very safe\n", encoding="utf-8")
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('format = "smartsurvey"\n[questions]\nsafe_day = "How safe do you feel?"\n', encoding="utf-8")
    result = run("import", str(export), "--mapping", str(mapping), "-w", str(store), *AREA)
    assert result.exit_code == 2
    assert "export.csv, column 'How safe do you feel?'" in result.output
    assert "closest column is 'How safe?'" in result.output


def test_questionnaire_command() -> None:
    result = run("questionnaire", *AREA, "-f", "csv")
    assert result.exit_code == 0
    assert "concerns,multiple,concerns,23" in result.output


def test_results_against_a_previous_wave(tmp_path: Path, store: Path) -> None:
    out = tmp_path / "demo"
    assert run("generate-synthetic", str(out), "-w", str(store), *AREA, "--n", "200", "--seed", "9").exit_code == 0
    export, mapping = out / "synthetic_survey_smartsurvey.csv", out / "synthetic_survey_smartsurvey.mapping.toml"
    for wave in ("2025", "2026"):
        assert run("import", str(export), "--mapping", str(mapping), "--wave", wave, "-w", str(store), *AREA).exit_code == 0
    changes = run(
        "results", "-t", "changes", "--wave", "2026", "--previous-wave", "2025", "-w", str(store), *AREA, "--unweighted",
        "-f", "json",
    )
    assert changes.exit_code == 0, changes.output
    rows = json.loads(changes.output)
    assert rows and {r["verdict"] for r in rows} <= {"no real difference", "base too small to compare"}
    assert all(r["difference"] == 0 for r in rows)
