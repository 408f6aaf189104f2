"""The web app weights its survey responses as ``[survey] weight_by`` says, through the survey
library's own configured analysis (the same as ``cspkit survey results`` and the report)."""

from __future__ import annotations

import random
from pathlib import Path

from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse

from cspkit.config import load_config
from cspkit.survey.analysis import analyse_survey
from cspkit.survey.questionnaire import QuestionType, load_questionnaire
from cspkit.survey.weighting import population_margins
from cspkit.web import library
from cspkit.web.views.survey import web_responses

DEFAULT = Path(library.__file__).resolve().parents[1] / "survey" / "questionnaires" / "default.toml"


def _without_sex(folder: Path) -> Path:
    """The default questionnaire without its sex question: a survey that cannot be weighted by sex."""
    text = DEFAULT.read_text(encoding="utf-8")
    start = text.index('[[questions]]\nid = "sex"')
    end = text.find("[[questions]]", start + 1)
    path = folder / "no_sex.toml"
    path.write_text(text[:start] + (text[end:] if end != -1 else ""), encoding="utf-8")
    return path


def _answer(client: Client, questionnaire, rng: random.Random) -> None:
    client.post(reverse("web:survey_start", args=["cb"]))
    for question in questionnaire.questions:
        if question.type == QuestionType.free_text:
            answer: object = "More lighting"
        elif question.type == QuestionType.multiple:
            answer = [question.options[0].code]
        else:
            answer = rng.choice(question.options[:5]).code
        client.post(reverse("web:survey_question", args=["cb", question.id]), {"answer": answer})
    check = reverse("web:survey_check", args=["cb"])
    token = BeautifulSoup(client.get(check).content, "html.parser").select_one("input[name=token]")["value"]
    assert client.post(check, {"token": token, "website": ""}).status_code == 302


def _survey_without_sex(assessment, weight_by: str):
    """Link a questionnaire without a sex question and ``[survey] weight_by``; the questionnaire."""
    config_path = Path(assessment.config_path)
    questionnaire_path = _without_sex(config_path.parent)
    config_path.write_text(config_path.read_text(encoding="utf-8")
                           + f'[survey]\nquestionnaire = "{questionnaire_path.name}"\nweight_by = {weight_by}\n',
                           encoding="utf-8")
    library._config.cache_clear()
    return load_questionnaire(questionnaire_path, ("E06000056",))


def test_survey_results_are_weighted_by_the_configured_variables(clients, warehouse_assessment):
    questionnaire = _survey_without_sex(warehouse_assessment, '["age_band"]')
    rng = random.Random(7)
    for _ in range(40):
        _answer(Client(), questionnaire, rng)

    config = load_config(warehouse_assessment.config_path)
    margins = population_margins(config.warehouse, list(config.area_codes), questionnaire, by=("age_band",))
    expected = analyse_survey(web_responses(warehouse_assessment), questionnaire, margins).estimates

    page = clients["analyst"].get(reverse("web:survey_admin", args=["cb"]))
    html = BeautifulSoup(page.content, "html.parser")
    tables = [t for t in html.select("table") if t.caption and "Weighted to the area's population by age band"
              in t.caption.get_text()]
    assert len(tables) == 1, html.select_one("main").get_text(" ", strip=True)
    table = tables[0]
    shown = [[c.get_text(strip=True) for c in tr.select("th, td")] for tr in table.select("tbody tr")]
    assert [row[2] for row in shown] == [library._cell(v) for v in expected["pct"].to_list()]


def test_a_weight_by_the_questionnaire_cannot_give_is_explained_on_the_page(clients, warehouse_assessment):
    _answer(Client(), _survey_without_sex(warehouse_assessment, '["sex"]'), random.Random(1))
    page = clients["analyst"].get(reverse("web:survey_admin", args=["cb"]))
    assert page.status_code == 200
    text = BeautifulSoup(page.content, "html.parser").select_one("main").get_text(" ", strip=True)
    assert "weight_by names 'sex' but the questionnaire" in text and "weight by area, age_band instead" in text
