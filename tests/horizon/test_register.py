"""The horizon register: checks with row and column, the section's order, files in three formats, emerging issues."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from cspkit.cli import app
from cspkit.errors import InputError
from cspkit.horizon.files import load_register, save_register
from cspkit.horizon.register import (
    HorizonRegister,
    check_links,
    demo_register_path,
    emerging_issue,
    horizon_section,
    parse_entries,
    raise_emerging_issues,
)
from cspkit.risk.register import load_issues

PESTELO = ["Political", "Economic", "Social", "Technological", "Environmental", "Legal", "Organisational"]


def entry(**changes) -> dict:
    base = {
        "id": "e_scooters", "category": "technological", "title": "E-scooters", "description": "More e-scooters",
        "source": "DfT", "horizon_months": 24, "likelihood": 4, "impact": 2, "scope": "local",
        "linked_issues": ["road_safety"], "raises_issue": False,
    }
    base.update(changes)
    return base


@pytest.fixture
def demo() -> HorizonRegister:
    return load_register(demo_register_path())


def test_demo_register_is_synthetic_and_realistic(demo) -> None:
    assert demo.synthetic and "synthetic" in demo.title.lower()
    assert 12 <= len(demo.entries) <= 15
    ids = {e.id for e in demo.entries}
    assert {"serious_violence_duty", "domestic_abuse_act_duties", "martyns_law", "online_safety_act", "cost_of_living",
            "housing_growth", "e_scooters"} <= ids
    check_links(demo, load_issues())
    assert "SYNTHETIC" in demo_register_path().read_text(encoding="utf-8")


def test_section_groups_by_pestelo_then_likelihood_times_impact(demo) -> None:
    section = horizon_section(demo)
    categories = section["category"].to_list()
    assert sorted(set(categories), key=PESTELO.index) == list(dict.fromkeys(categories))
    for category in set(categories):
        scores = section.filter(section["category"] == category)["score"].to_list()
        assert scores == sorted(scores, reverse=True)
    row = section.filter(section["id"] == "serious_violence_duty").row(0, named=True)
    assert row["score"] == 5 * 4 and row["likelihood_label"] == "Almost certain" and row["impact_label"] == "Major"


@pytest.mark.parametrize(
    ("changes", "column", "words"),
    [
        ({"category": "fiscal"}, "category", "unknown category 'fiscal'"),
        ({"likelihood": 6}, "likelihood", "whole number from 1 to 5"),
        ({"impact": "high"}, "impact", "whole number from 1 to 5"),
        ({"horizon_months": -3}, "horizon_months", "whole number from 0 or more"),
        ({"scope": "regional"}, "scope", "local or national"),
        ({"title": ""}, "title", "'title' is required"),
        ({"id": "E Scooters"}, "id", "lower case"),
        ({"raises_issue": "maybe"}, "raises_issue", "yes or no"),
        ({"colour": "red"}, "colour", "unknown column 'colour'"),
    ],
)
def test_bad_entries_are_named_by_row_and_column(changes, column, words) -> None:
    with pytest.raises(InputError) as info:
        parse_entries([entry(id="first"), entry(**changes)], "register.csv", first_row=2)
    error = info.value
    assert (error.file, error.row, error.column) == ("register.csv", 3, column)
    assert words in error.message


def test_category_names_and_text_values_are_accepted() -> None:
    (parsed,) = parse_entries([entry(category="Legal", likelihood="3", linked_issues="asb; road_safety",
                                     raises_issue="yes")], "x.csv")
    assert parsed.category == "legal" and parsed.likelihood == 3
    assert parsed.linked_issues == ("asb", "road_safety") and parsed.raises_issue


def test_duplicate_ids_and_unknown_links() -> None:
    with pytest.raises(InputError, match="duplicate id 'e_scooters'"):
        parse_entries([entry(), entry()], "x.toml")
    register = HorizonRegister("t", parse_entries([entry(linked_issues=["unicorns"])], "x.toml"), source="x.toml")
    with pytest.raises(InputError, match="links to unknown issue 'unicorns'"):
        check_links(register, load_issues())


@pytest.mark.parametrize("suffix", [".toml", ".csv", ".xlsx"])
def test_files_round_trip(tmp_path, demo, suffix) -> None:
    path = save_register(demo, tmp_path / f"register{suffix}")
    again = load_register(path)
    assert again.entries == demo.entries
    if suffix != ".csv":
        assert again.synthetic


def test_bad_files(tmp_path, demo) -> None:
    with pytest.raises(InputError, match="unknown register format"):
        load_register(tmp_path / "register.json")
    csv_path = save_register(demo, tmp_path / "r.csv")
    text = csv_path.read_text(encoding="utf-8").replace("likelihood", "chance", 1)
    csv_path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="missing column 'likelihood'"):
        load_register(csv_path)
    xlsx = save_register(demo, tmp_path / "r.xlsx")
    wb = load_workbook(xlsx)
    wb["Horizon scan"].merge_cells("A2:A3")
    wb.save(xlsx)
    with pytest.raises(InputError, match="merged cells"):
        load_register(xlsx)
    wb = load_workbook(save_register(demo, tmp_path / "f.xlsx"))
    wb["Horizon scan"]["G2"] = "=3+1"
    wb.save(tmp_path / "f.xlsx")
    with pytest.raises(InputError) as info:
        load_register(tmp_path / "f.xlsx")
    assert (info.value.row, info.value.column) == (2, "likelihood")
    wb = load_workbook(save_register(demo, tmp_path / "g.xlsx"))
    wb["Horizon scan"].title = "Sheet1"
    wb.save(tmp_path / "g.xlsx")
    with pytest.raises(InputError, match="sheet 'Horizon scan' is missing"):
        load_register(tmp_path / "g.xlsx")


def test_an_entry_raises_an_emerging_issue(demo) -> None:
    issues = load_issues()
    raised = raise_emerging_issues(demo, issues)
    new = [i for i in raised.issues if i.id not in issues.ids]
    assert [i.id for i in new] == [e.id for e in demo.entries if e.raises_issue] == ["synthetic_opioids"]
    assert new[0].origin == "horizon:synthetic_opioids" and not new[0].has_data_mapping
    assert raise_emerging_issues(demo, raised) == raised  # twice changes nothing
    chosen = raise_emerging_issues(demo, issues, ["e_scooters"])
    assert chosen.ids[-1] == "e_scooters"
    assert emerging_issue(demo.get("e_scooters")).name == "E-scooters and e-bikes"
    with pytest.raises(InputError, match="no entry 'nope'"):
        raise_emerging_issues(demo, issues, ["nope"])


def test_cli_import_show_export_raise(tmp_path: Path) -> None:
    runner = CliRunner()
    cfg = tmp_path / "assessment.toml"
    cfg.write_text('[assessment]\narea_codes = ["E06000056"]\nperiod_start = "2021-05"\nperiod_end = "2024-04"\n'
                   '[horizon]\nregister = "horizon.toml"\n[risk]\nissues = "issues.toml"\n', encoding="utf-8")
    assert runner.invoke(app, ["risk", "issues", "--copy-to", str(tmp_path / "issues.toml")]).exit_code == 0
    sheet = tmp_path / "partners.xlsx"
    result = runner.invoke(app, ["horizon", "export", "--demo", str(sheet)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["horizon", "import", str(sheet), "-c", str(cfg)])
    assert result.exit_code == 0 and "Imported 13 entries" in result.output
    shown = json.loads(runner.invoke(app, ["horizon", "show", "-c", str(cfg), "--format", "json"]).output)
    assert shown[0]["category"] == "Political" and len(shown) == 13
    result = runner.invoke(app, ["horizon", "raise", "-c", str(cfg)])
    assert "Raised emerging issue 'synthetic_opioids'" in result.output
    assert "synthetic_opioids" in load_issues(tmp_path / "issues.toml").ids
    result = runner.invoke(app, ["horizon", "export", str(tmp_path / "out.csv"), "-c", str(cfg)])
    assert result.exit_code == 0 and (tmp_path / "out.csv").exists()
    bad = tmp_path / "bad.csv"
    bad.write_text("id,category,title,horizon_months,likelihood,impact,scope\nx,cosmic,X,12,3,3,local\n", encoding="utf-8")
    result = runner.invoke(app, ["horizon", "import", str(bad), "-c", str(cfg)])
    assert result.exit_code == 2 and "bad.csv, row 2, column 'category'" in " ".join(result.output.split())
