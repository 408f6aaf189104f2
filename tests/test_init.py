"""``cspkit init``: the area checked against every district, the config written for it and nothing else."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from cspkit.cli import app
from cspkit.config import load_config
from cspkit.errors import ConfigError
from cspkit.new_assessment import placeholder_period, start_assessment


def test_english_district_by_name(tmp_path: Path) -> None:
    made = start_assessment(tmp_path / "oxford", "oxford", today=date(2026, 11, 29))
    config = load_config(made.path)
    assert config.area_codes == ("E07000178",)
    assert config.csp_name == "Oxford Community Safety Partnership"
    assert config.country == "England"
    assert (config.period_start, config.period_end) == ("2023-10", "2026-09")  # 36 months, two months' lag
    assert not made.period_from_warehouse
    text = made.path.read_text(encoding="utf-8")
    assert "PLACEHOLDER" in text and "Regulations 2007 (SI 2007/1830)" in text and "(Wales) Regulations" not in text
    assert config.section("committee")["council"] == "Oxford Council"
    assert "Bedfordshire" not in text and "E06000056" not in text


def test_joint_welsh_partnership(tmp_path: Path) -> None:
    made = start_assessment(tmp_path, ["W06000024", "Rhondda Cynon Taf"])
    config = load_config(made.path)
    assert config.area_codes == ("W06000024", "W06000016")
    assert config.csp_name == "Merthyr Tydfil and Rhondda Cynon Taf Community Safety Partnership"
    assert config.country == "Wales"
    assert config.section("committee")["background_papers"][1].endswith("(Wales) Regulations 2007 (SI 2007/3076)")


def test_comma_separated_and_names_with_commas(tmp_path: Path) -> None:
    made = start_assessment(tmp_path / "a", "Merthyr Tydfil, W06000016")
    assert [d.code for d in made.districts] == ["W06000024", "W06000016"]
    made = start_assessment(tmp_path / "b", "Bristol, City of")
    assert [(d.code, d.name) for d in made.districts] == [("E06000023", "Bristol")]


@pytest.mark.parametrize(
    ("area", "message"),
    [
        ("Oxfrod", r"unknown district 'Oxfrod': did you mean Oxford \(E07000178\)\?"),
        ("E07000999", r"did you mean .*\(E07000\d\d\d\)"),
        ("E07000004", r"Aylesbury Vale \(E07000004\) is no longer a district: .*Buckinghamshire \(E06000060\)"),
        ("Zzzz", "give an ONS district code"),
        ("Oxford,W06000016", r"all be in England \(codes E\.\.\.\) or all in Wales"),
    ],
)
def test_bad_area_is_refused_with_suggestions(tmp_path: Path, area: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        start_assessment(tmp_path, area)
    assert not (tmp_path / "assessment.toml").exists()


def test_period_from_the_warehouse(tmp_path: Path) -> None:
    warehouse = tmp_path / "data" / "w.duckdb"
    warehouse.parent.mkdir()
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CREATE TABLE street AS SELECT DATE '2020-01-01' + INTERVAL (i) MONTH AS month FROM range(50) t(i)")
    made = start_assessment(tmp_path / "a", "E06000055", warehouse=warehouse)
    config = load_config(made.path)
    assert made.period_from_warehouse
    assert (config.period_start, config.period_end) == ("2021-03", "2024-02")  # the latest 36 of 50 months
    assert config.warehouse == warehouse.resolve()
    assert "PLACEHOLDER" not in made.path.read_text(encoding="utf-8")


def test_placeholder_period_crosses_the_year() -> None:
    assert placeholder_period(date(2025, 2, 14)) == ("2022-01", "2024-12")


def test_survey_section_is_commented_and_valid(tmp_path: Path) -> None:
    """The [survey] keys written as comments become a working table when uncommented."""
    made = start_assessment(tmp_path, "E06000055")
    lines = made.path.read_text(encoding="utf-8").splitlines()
    start = lines.index("# [survey]")
    block = []
    for line in lines[start:]:
        if not line.startswith("# "):
            break
        if not line.startswith("#   "):
            block.append(line[2:])
    survey = tomllib.loads("\n".join(block))["survey"]
    assert survey["weight_by"] == ["area", "age_band", "sex"]
    assert {"responses", "mapping", "questionnaire", "trim", "min_base"} <= set(survey)


def test_cli_init(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["init", str(tmp_path / "x"), "--area", "Merthyr Tydfil", "--area", "W06000016"])
    assert result.exit_code == 0, result.output
    assert "Merthyr Tydfil (W06000024), Rhondda Cynon Taf (W06000016) (Wales)" in result.output
    assert "PLACEHOLDER" in result.output
    again = runner.invoke(app, ["init", str(tmp_path / "x"), "--area", "Oxford"])
    assert again.exit_code == 2 and "already exists" in again.output
    wrong = runner.invoke(app, ["init", str(tmp_path / "y"), "--area", "Oxfrod"])
    assert wrong.exit_code == 2 and "did you mean Oxford (E07000178)?" in wrong.output
