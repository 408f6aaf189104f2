"""The issues register: the shipped list, its checks, and adding an emerging issue."""

from __future__ import annotations

from pathlib import Path

import pytest

from cspkit.errors import ConfigError
from cspkit.risk.register import POLICE_UK_CATEGORIES, Issue, add_issue, load_issues, write_issues

REQUIRED = {
    "domestic_abuse", "sexual_abuse", "exploitation", "modern_slavery", "serious_youth_violence", "burglary",
    "vehicle_crime", "asb", "street_drinking", "substance_misuse", "cyber_fraud", "hate_crime", "road_safety",
    "unauthorised_encampments", "extremism", "fly_tipping", "deliberate_fires", "shoplifting", "vawg",
    "criminal_damage", "robbery", "drug_supply",
}


def test_default_register_covers_the_usual_issues(register) -> None:
    assert set(register.ids) >= REQUIRED
    for issue in register.issues:
        assert issue.name and issue.description
        assert set(issue.crime_categories) <= set(POLICE_UK_CATEGORIES)
    assert register.get("burglary").crime_categories == ("Burglary",)
    assert register.get("asb").partner_sources == ("asb_council",)
    assert register.get("domestic_abuse").partner_sources == ("domestic_abuse",)
    assert not register.get("cyber_fraud").has_data_mapping


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "issues.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_unknown_police_category_is_refused(tmp_path) -> None:
    path = write(tmp_path, '[[issues]]\nid = "x"\nname = "X"\ncrime_categories = ["Burglaries"]\n')
    with pytest.raises(ConfigError, match=r"\[\[issues\]\] number 1 'x': unknown police.uk crime category 'Burglaries'"):
        load_issues(path)


def test_duplicate_and_malformed_ids_are_refused(tmp_path) -> None:
    path = write(tmp_path, '[[issues]]\nid = "x"\nname = "X"\n[[issues]]\nid = "x"\nname = "Y"\n')
    with pytest.raises(ConfigError, match="duplicate issue id 'x'"):
        load_issues(path)
    path = write(tmp_path, '[[issues]]\nid = "Knife Crime"\nname = "X"\n')
    with pytest.raises(ConfigError, match="lower case"):
        load_issues(path)
    path = write(tmp_path, '[[issues]]\nid = "x"\nname = "X"\ncolour = "red"\n')
    with pytest.raises(ConfigError, match="unknown key 'colour'"):
        load_issues(path)


def test_add_issue_and_write_round_trip(tmp_path, register) -> None:
    added = add_issue(register, Issue("e_scooters", "E-scooters", "Emerging", origin="horizon:e_scooters"))
    assert added.ids[-1] == "e_scooters" and len(added.issues) == len(register.issues) + 1
    with pytest.raises(ConfigError, match="already in the register"):
        add_issue(added, Issue("e_scooters", "Again"))
    path = write_issues(added, tmp_path / "mine.toml")
    assert load_issues(path).issues == added.issues
