"""The focus group's evidence board: the same library function as the documents
(cspkit.priorities.evidence.board_evidence), fed by the linked warehouse, the round, the web's own
accepted survey responses and the horizon register; a blank column says why it is blank."""

from __future__ import annotations

from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse
from tests.web.test_survey import complete_survey

from cspkit.analysis.analyse import analyse_area, options_from_config
from cspkit.analysis.area import Period
from cspkit.config import load_config
from cspkit.priorities.evidence import issue_change, issue_tests
from cspkit.risk.evidence import evidence_for_config
from cspkit.risk.register import load_issues


def board(client) -> tuple[dict[str, dict[str, str]], str]:
    html = BeautifulSoup(client.get(reverse("web:focus", args=["cb"])).content, "html.parser")
    table = html.select_one("table")
    columns = [th.get_text(strip=True) for th in table.select("thead th")]
    rows = [[c.get_text(strip=True) for c in tr.select("th, td")] for tr in table.select("tbody tr")]
    missing = html.select_one("#board-missing")
    return {row[1]: dict(zip(columns, row, strict=True)) for row in rows}, missing.get_text(" ", strip=True) if missing else ""


def test_without_a_warehouse_the_data_columns_are_blank_and_the_page_says_why(clients, small_assessment):
    rows, missing = board(clients["viewer"])
    assert {row["Incidents (12 months)"] for row in rows.values()} == {"-"}
    assert "need an assessment.toml with a warehouse" in missing
    assert "appear once the analyst releases the risk matrix" in missing
    assert "no survey responses have been accepted yet" in missing
    assert "no register is named" in missing


def test_data_columns_come_from_the_warehouse_as_in_the_documents(clients, warehouse_assessment):
    config = load_config(warehouse_assessment.config_path)
    register = load_issues(config.resolve("issues.toml"))
    expected = {e.issue_id: e for e in evidence_for_config(config, register)}
    analysis = analyse_area(config.warehouse, "E06000056", Period.parse("2022-05", "2024-04"), options_from_config(config))
    change_1y, _ = issue_change(issue_tests(analysis, register.issues, 0.05)[0], "Burglary")

    rows, missing = board(clients["viewer"])
    burglary = rows["Burglary"]
    assert burglary["Incidents (12 months)"] == f"{expected['burglary'].annual_count:,.0f}"
    assert burglary["Rate per 1,000"] == f"{round(expected['burglary'].rate_per_1000, 2):,}"
    assert burglary["Change, latest year (%)"] == f"{round(change_1y.percent, 2):,}"
    assert burglary["Change, 3 years (%)"] == "-"  # 24 months: no three-year comparison
    assert "New housing growth in the south of the area" in burglary["Horizon scanning"]
    assert rows["Cyber-crime and fraud"]["Incidents (12 months)"] == "-"  # no police.uk category measures it
    assert "warehouse" not in missing and "Horizon" not in missing


def test_concern_rank_comes_from_the_accepted_web_survey_responses(clients, small_assessment):
    for _ in range(3):
        complete_survey(Client())  # every resident names the first two concerns: asb and burglary
    rows, missing = board(clients["viewer"])
    assert {rows["Anti-social behaviour"]["Residents' concern rank"], rows["Burglary"]["Residents' concern rank"]} == {"1", "2"}
    assert rows["Cyber-crime and fraud"]["Residents' concern rank"] != "1"
    assert "survey" not in missing


def test_one_weighted_response_still_gives_a_board(clients, warehouse_assessment):
    """With a warehouse the concerns are weighted to the population; a single response must not break the page."""
    complete_survey(Client())
    page = clients["analyst"].get(reverse("web:focus", args=["cb"]))
    assert page.status_code == 200
    rows, _ = board(clients["analyst"])
    assert rows["Anti-social behaviour"]["Residents' concern rank"] in {"1", "2"}
