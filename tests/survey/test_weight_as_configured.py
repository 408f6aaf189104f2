"""Weighting as configured: `results`, the report step and the web app use [survey] weight_by and the
weights `survey weight` stored; any subset of area, age band and sex works; errors name the fix."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import duckdb
import polars as pl
import pytest
import tomli_w
from typer.testing import CliRunner

from cspkit.cli import app
from cspkit.config import load_config
from cspkit.errors import ConfigError
from cspkit.survey.analysis import analyse_configured
from cspkit.survey.questionnaire import DEFAULT_QUESTIONNAIRE, load_questionnaire
from cspkit.survey.settings import survey_settings
from cspkit.survey.store import load_responses
from cspkit.survey.synthetic import generate_survey, population_cells

runner = CliRunner()
CB = "E06000056"


def questionnaire_without_sex(folder: Path) -> Path:
    raw = tomllib.loads(DEFAULT_QUESTIONNAIRE.read_text(encoding="utf-8"))
    raw["questions"] = [q for q in raw["questions"] if q.get("role") != "sex"]
    path = folder / "no_sex.toml"
    path.write_text(tomli_w.dumps(raw), encoding="utf-8")
    return path


def write_config(folder: Path, store: Path, **survey: object) -> Path:
    raw = {
        "assessment": {"area_codes": [CB], "period_start": "2023-01", "period_end": "2024-12", "warehouse": str(store)},
        "survey": survey,
    }
    path = folder / "assessment.toml"
    path.write_text(tomli_w.dumps(raw), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def imported_once(tmp_path_factory: pytest.TempPathFactory, reference_warehouse: Path) -> tuple[Path, Path]:
    """A warehouse holding a 300-response wave imported with a questionnaire that asks no sex question."""
    tmp_path = tmp_path_factory.mktemp("imported")
    store = tmp_path / "warehouse.duckdb"
    shutil.copy(reference_warehouse, store)
    out = tmp_path / "export"
    made = runner.invoke(app, ["survey", "generate-synthetic", str(out), "-w", str(store), "--area", CB, "--n", "300"])
    assert made.exit_code == 0, made.output
    mapping_path = out / "synthetic_survey_smartsurvey.mapping.toml"
    mapping = tomllib.loads(mapping_path.read_text(encoding="utf-8"))
    sex_column = mapping["questions"].pop("sex")
    mapping["ignore"] = [*mapping.get("ignore", []), sex_column]  # the analyst leaves the sex column out, and says so
    mapping_path.write_text(tomli_w.dumps(mapping), encoding="utf-8")
    questionnaire = questionnaire_without_sex(tmp_path)
    result = runner.invoke(app, ["survey", "import", str(out / "synthetic_survey_smartsurvey.csv"), "-m", str(mapping_path),
                                 "-q", str(questionnaire), "--wave", "2026", "-w", str(store), "--area", CB])
    assert result.exit_code == 0, result.output
    return store, questionnaire


@pytest.fixture
def imported(tmp_path: Path, imported_once: tuple[Path, Path]) -> tuple[Path, Path]:
    """A copy of that warehouse for one test to change."""
    store = tmp_path / "warehouse.duckdb"
    shutil.copy(imported_once[0], store)
    return store, imported_once[1]


def weighting(output: str) -> dict[str, str]:
    return {row["measure"]: row["value"] for row in json.loads(output)}


def test_a_survey_without_a_sex_question_weights_and_reports(tmp_path: Path, imported: tuple[Path, Path]) -> None:
    store, questionnaire = imported
    common = ["-w", str(store), "--area", CB, "-q", str(questionnaire), "-f", "json"]
    weighted = runner.invoke(app, ["survey", "weight", *common])
    assert weighted.exit_code == 0, weighted.output
    assert weighting(weighted.output)["weighting variables"] == "area, age_band"
    results = runner.invoke(app, ["survey", "results", "-t", "weighting", *common])
    assert results.exit_code == 0, results.output
    assert weighting(results.output)["weighting variables"] == "area, age_band"


def test_results_use_the_stored_weights_and_weight_by(tmp_path: Path, imported: tuple[Path, Path]) -> None:
    store, questionnaire = imported
    config = write_config(tmp_path, store, questionnaire=str(questionnaire), weight_by=["age_band"])
    assert runner.invoke(app, ["survey", "weight", "-c", str(config)]).exit_code == 0
    with duckdb.connect(str(store), read_only=True) as con:
        stored = dict(con.execute("SELECT respondent_id, weight FROM survey_weights WHERE wave = '2026'").fetchall())
        assert {by for (by,) in con.execute("SELECT DISTINCT weighted_by FROM survey_weights").fetchall()} == {"age_band"}

    results = runner.invoke(app, ["survey", "results", "-t", "weighting", "-c", str(config), "-f", "json"])
    assert weighting(results.output)["weighting variables"] == "age_band"
    # The stored weights are what the estimates use: a weighted share recomputed from them by hand agrees.
    estimates = pl.DataFrame(json.loads(runner.invoke(
        app, ["survey", "results", "-c", str(config), "-f", "json"]).output))  # fmt: skip
    with duckdb.connect(str(store), read_only=True) as con:
        answers = con.execute("SELECT respondent_id, answer FROM survey_answers WHERE wave = '2026' AND question_id = "
                              "'safe_day' AND answer != 'dont_know'").fetchall()
    very_safe = sum(stored[r] for r, a in answers if a == "very_safe") / sum(stored[r] for r, _ in answers) * 100
    row = estimates.filter((pl.col("question_id") == "safe_day") & (pl.col("answer_code") == "very_safe"))
    assert row["pct"][0] == pytest.approx(very_safe, rel=1e-9)

    override = runner.invoke(app, ["survey", "results", "-t", "weighting", "-c", str(config), "--weight-by", "area",
                                   "-f", "json"])
    assert weighting(override.output)["weighting variables"] == "area"

    # The report step and the web app (analyse_configured) use the stored weights too, for the same responses.
    with duckdb.connect(str(store), read_only=True) as con:
        responses = load_responses(con, "2026")
    settings = survey_settings(load_config(config), weight_by=["area"])
    assert analyse_configured(responses, settings, store, [CB]).weighting.variables == ("age_band",)

    with duckdb.connect(str(store)) as con:  # the stored weights no longer fit (as after new population tables)
        con.execute("UPDATE survey_weights SET weight = weight * 2 WHERE respondent_id = 'R00001'")
    stale = runner.invoke(app, ["survey", "results", "-c", str(config)])
    assert stale.exit_code == 2 and "run `cspkit survey weight --wave 2026` again" in stale.output
    assert analyse_configured(responses, settings, store, [CB]).weighting.variables == ("area",)  # set aside


def test_weight_by_naming_a_missing_question_says_how_to_fix_it(tmp_path: Path, imported: tuple[Path, Path]) -> None:
    store, questionnaire = imported
    config = write_config(tmp_path, store, questionnaire=str(questionnaire), weight_by=["area", "age_band", "sex"])
    result = runner.invoke(app, ["survey", "results", "-c", str(config)])
    assert result.exit_code == 2
    assert "[survey] weight_by names 'sex'" in result.output and "--weight-by area,age_band" in result.output


def test_a_fresh_warehouse_names_the_command_that_loads_the_population(tmp_path: Path, imported: tuple[Path, Path]) -> None:
    store, questionnaire = imported
    with duckdb.connect(str(store)) as con:
        con.execute("DELETE FROM population")
    result = runner.invoke(app, ["survey", "results", "-w", str(store), "--area", CB, "-q", str(questionnaire)])
    assert result.exit_code == 2
    assert "run `cspkit ingest geography` first" in result.output


def test_the_report_and_web_path_weights_as_configured(tmp_path: Path, reference_warehouse: Path) -> None:
    questionnaire = load_questionnaire(questionnaire_without_sex(tmp_path), [CB])
    full = load_questionnaire(area_codes=[CB])
    survey = generate_survey(population_cells(reference_warehouse, [CB], full), full, n=300, seed=3)
    responses = survey.responses  # generated with a sex question; the configured questionnaire has none
    kept = responses.answers.filter(pl.col("question_id") != "sex")
    responses = type(responses)(wave="w", answers=kept, respondents=responses.respondents)
    for weight_by, expected in (([], ()), (["area"], ("area",)), (None, ("area", "age_band"))):
        config = load_config(write_config(tmp_path, reference_warehouse, questionnaire=str(tmp_path / "no_sex.toml"),
                                          **({} if weight_by is None else {"weight_by": weight_by})))
        settings = survey_settings(config)
        assert settings.questionnaire.with_role("sex") is None and questionnaire.with_role("sex") is None
        results = analyse_configured(responses, settings, reference_warehouse, [CB])
        assert results.weighting.variables == expected


def test_unknown_weighting_variable(tmp_path: Path, reference_warehouse: Path) -> None:
    config = load_config(write_config(tmp_path, reference_warehouse, weight_by=["income"]))
    with pytest.raises(ConfigError, match="cannot weight by 'income'; choose from area, age_band, sex"):
        survey_settings(config)
