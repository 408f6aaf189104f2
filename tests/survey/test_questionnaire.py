"""The questionnaire file: the shipped default, checks on bad definitions, and answer validation."""

from __future__ import annotations

import tomllib

import pytest

from cspkit.errors import ConfigError, InputError
from cspkit.risk.register import load_issues
from cspkit.survey.questionnaire import (
    DEFAULT_QUESTIONNAIRE,
    QuestionType,
    fill_area,
    load_questionnaire,
    parse_questionnaire,
    validate_answer,
)

RISK_ISSUE_IDS = set(load_issues(None).ids)  # the shipped risk register


def test_default_questionnaire_covers_the_issue(questionnaire) -> None:
    ids = [q.id for q in questionnaire.questions]
    assert ids == [
        "safe_day",
        "safe_dark",
        "concerns",
        "change",
        "victim",
        "reported",
        "confidence",
        "improve",
        "area",
        "age_band",
        "sex",
    ]
    assert questionnaire["improve"].type == QuestionType.free_text
    assert questionnaire.area_question.id == "area"
    assert len(questionnaire.area_question.options) == 31  # the wards of Central Bedfordshire (2024)
    assert questionnaire.with_role("age_band").id == "age_band"
    concerns = questionnaire.with_role("concerns")
    mapped = {o.risk_issue for o in concerns.options if o.risk_issue}
    assert mapped <= RISK_ISSUE_IDS, mapped - RISK_ISSUE_IDS  # every concern feeds a real register issue
    assert len(mapped) == 21
    assert concerns.max_choices == 5 and "none" in concerns.exclusive


def _raw() -> dict:
    return fill_area(tomllib.loads(DEFAULT_QUESTIONNAIRE.read_text(encoding="utf-8")), ("E06000056",), "q.toml")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r["questions"][1].update(id="safe_day"), "used twice"),
        (lambda r: r["questions"][0].update(type="slider"), "'type' must be one of"),
        (lambda r: r["questions"][0].update(dont_know=["maybe"]), "not options: maybe"),
        (lambda r: r["questions"][0]["nets"][0].update(codes=["very_safe", "nope"]), "net 'safe' names codes"),
        (lambda r: r["questions"][8]["options"][0].pop("wards"), "area options need 'wards'"),
        (lambda r: r["questions"][0].update(colour="red"), r"unknown setting\(s\) colour"),
        (lambda r: r["questions"][0].update(id="Safe Day"), "'id' must be lower-case"),
        (lambda r: r["questions"][10].update(role="age_band"), "more than one question has role"),
        (lambda r: r["questions"][0].update(options=[{"code": "a", "label": "A"}]), "at least two options"),
    ],
)
def test_bad_definitions_are_named(change, message: str) -> None:
    raw = _raw()
    change(raw)
    with pytest.raises(ConfigError, match=message) as caught:
        parse_questionnaire(raw, source="q.toml")
    assert caught.value.file == "q.toml"


def test_invalid_toml_names_the_file(tmp_path) -> None:
    bad = tmp_path / "q.toml"
    bad.write_text("[[questions]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML") as caught:
        load_questionnaire(bad)
    assert caught.value.file == bad


def test_validate_answer(questionnaire) -> None:
    assert validate_answer(questionnaire["safe_day"], "very_safe") == "very_safe"
    assert validate_answer(questionnaire["change"], None) is None
    assert validate_answer(questionnaire["concerns"], ["asb", "burglary", "asb"]) == ("asb", "burglary")
    assert validate_answer(questionnaire["improve"], "  More lighting  ") == "More lighting"
    with pytest.raises(InputError, match="Select an answer") as caught:
        validate_answer(questionnaire["safe_day"], "")
    assert caught.value.column == "safe_day"
    with pytest.raises(InputError, match="not one of the answers"):
        validate_answer(questionnaire["safe_day"], "quite_safe")
    with pytest.raises(InputError, match="Select one answer"):
        validate_answer(questionnaire["safe_day"], ["very_safe", "fairly_safe"])
    with pytest.raises(InputError, match="Select up to 5"):
        validate_answer(questionnaire["concerns"], ["asb", "burglary", "robbery", "fraud_scams", "hate_crime", "speeding"])
    with pytest.raises(InputError, match="cannot be selected with other answers"):
        validate_answer(questionnaire["concerns"], ["asb", "none"])
    with pytest.raises(InputError, match="1000 characters or fewer"):
        validate_answer(questionnaire["improve"], "x" * 1001)


def test_area_question_lists_the_wards_of_any_area() -> None:
    """Central Bedfordshire's 31 wards as before; Oxford's own wards; a joint Welsh CSP's wards of both districts."""
    bedfordshire = load_questionnaire(area_codes=("E06000056",))
    assert bedfordshire.area_question.text == "Which ward of Central Bedfordshire do you live in?"
    assert bedfordshire.area_question.options[0].label == "Ampthill"
    oxford = load_questionnaire(area_codes=("E07000178",)).area_question
    assert oxford.text == "Which ward of Oxford do you live in?"
    labels = {o.label for o in oxford.options}
    assert {"Carfax & Jericho", "Headington"} <= labels and "Ampthill" not in labels
    assert all(o.wards == (o.code,) and o.code.startswith("E05") for o in oxford.options)
    joint = load_questionnaire(area_codes=("W06000024", "W06000016")).area_question
    assert joint.text == "Which ward of Merthyr Tydfil and Rhondda Cynon Taf do you live in?"
    districts = {o.label.rsplit(" (", 1)[1] for o in joint.options}
    assert districts == {"Merthyr Tydfil)", "Rhondda Cynon Taf)"}
    assert all(o.code.startswith("W05") for o in joint.options)


def test_area_question_needs_the_area() -> None:
    with pytest.raises(ConfigError, match="needs them: the config's area_codes, --area CODE"):
        load_questionnaire()
    raw = tomllib.loads(DEFAULT_QUESTIONNAIRE.read_text(encoding="utf-8"))
    raw["questions"][0]["options_from"] = "wards"
    with pytest.raises(ConfigError, match="only an area question"):
        fill_area(raw, ("E07000178",), "q.toml")
    with pytest.raises(ConfigError, match="did you mean Oxford"):
        load_questionnaire(area_codes=("Oxfrd",))


def test_postcode_question() -> None:
    raw = _raw()
    raw["questions"].append({"id": "postcode", "text": "Your postcode", "type": "postcode"})
    q = parse_questionnaire(raw)["postcode"]
    assert validate_answer(q, "lu5  4ql") == "LU5 4QL"
    with pytest.raises(InputError, match="real postcode"):
        validate_answer(q, "LU5")
