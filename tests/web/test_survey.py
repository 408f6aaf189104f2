"""The public residents' survey: one question per page, errors from cspkit.survey's own checks,
no duplicates on a second submission, spam and flood protection that holds rather than drops,
and responses that the survey library reads exactly as it reads an import."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse

from cspkit.survey.questionnaire import QuestionType, load_questionnaire
from cspkit.survey.responses import responses_from_answers
from cspkit.web.models import AuditEntry, SurveyAnswer, SurveyResponse
from cspkit.web.views.survey import web_responses

QUESTIONNAIRE = load_questionnaire(area_codes=("E06000056",))


def answer_for(question) -> str | list[str]:
    if question.type == QuestionType.multiple:
        return [question.options[0].code, question.options[1].code]
    if question.type == QuestionType.free_text:
        return "More patrols near the station, call me on 07700 900123"
    return question.options[0].code


def complete_survey(client: Client, slug: str = "cb", *, honeypot: str = "") -> tuple[object, str]:
    """Answer every question as a resident would; returns the final response and the form token."""
    response = client.post(reverse("web:survey_start", args=[slug]))
    for question in QUESTIONNAIRE.questions:
        assert response.status_code == 302
        assert response["Location"].endswith(f"/{question.id}/")
        response = client.post(response["Location"], {"answer": answer_for(question)})
    assert response["Location"] == reverse("web:survey_check", args=[slug])
    page = client.get(response["Location"])
    token = BeautifulSoup(page.content, "html.parser").select_one("input[name=token]")["value"]
    return client.post(response["Location"], {"token": token, "website": honeypot}), token


def test_a_resident_completes_the_survey(client, assessment):
    response, _ = complete_survey(client)
    assert response.status_code == 302 and response["Location"] == reverse("web:survey_done", args=["cb"])
    stored = SurveyResponse.objects.get()
    assert stored.status == SurveyResponse.Status.ACCEPTED
    rows = set(SurveyAnswer.objects.values_list("question_id", "value"))
    concerns = QUESTIONNAIRE["concerns"]
    assert ("concerns", concerns.options[0].code) in rows and ("concerns", concerns.options[1].code) in rows
    improve = SurveyAnswer.objects.get(question_id="improve").value
    assert "07700 900123" not in improve  # free text redacted by cspkit.survey before it is stored
    assert "Answers sent" in client.get(response["Location"]).content.decode()


def test_each_question_is_its_own_page_with_the_question_as_heading(client, assessment):
    client.post(reverse("web:survey_start", args=["cb"]))
    page = client.get(reverse("web:survey_question", args=["cb", "safe_day"]))
    html = BeautifulSoup(page.content, "html.parser")
    assert html.h1.get_text(strip=True) == QUESTIONNAIRE["safe_day"].text
    assert len(html.select("input[type=radio]")) == len(QUESTIONNAIRE["safe_day"].options)
    assert html.select_one("form[method=post] button[type=submit]") is not None
    page = client.get(reverse("web:survey_question", args=["cb", "concerns"]))
    boxes = BeautifulSoup(page.content, "html.parser").select("input[name=answer]")
    assert {box["type"] for box in boxes} == {"checkbox"} and len(boxes) == len(QUESTIONNAIRE["concerns"].options)


def test_required_question_error_uses_the_library_message_and_govuk_pattern(client, assessment):
    client.post(reverse("web:survey_start", args=["cb"]))
    page = client.post(reverse("web:survey_question", args=["cb", "safe_day"]), {})
    assert page.status_code == 200
    html = BeautifulSoup(page.content, "html.parser")
    summary = html.select_one(".govuk-error-summary")
    assert summary is not None
    link = summary.select_one("a")
    assert link["href"] == "#id_answer-0" and html.select_one("#id_answer-0") is not None
    assert html.select_one("#id_answer-error").get_text(strip=True).startswith("Error:")
    assert html.title.get_text().startswith("Error:")


def test_an_answer_outside_the_codes_is_refused(client, assessment):
    client.post(reverse("web:survey_start", args=["cb"]))
    page = client.post(reverse("web:survey_question", args=["cb", "safe_day"]), {"answer": "not-a-code"})
    assert page.status_code == 200
    assert "is not one of the answers to this question" in page.content.decode()


def test_sending_the_same_form_twice_stores_one_response(client, assessment):
    _response, token = complete_survey(client)
    again = client.post(reverse("web:survey_check", args=["cb"]), {"token": token, "website": ""})
    assert again.status_code == 302 and again["Location"] == reverse("web:survey_done", args=["cb"])
    assert SurveyResponse.objects.count() == 1


def test_honeypot_and_too_fast_responses_are_held_not_dropped(client, assessment, settings):
    complete_survey(client, honeypot="http://spam.example")
    settings.SURVEY_MINIMUM_SECONDS = 3600
    complete_survey(Client())
    held = SurveyResponse.objects.order_by("id")
    assert [(r.status, r.held_reason) for r in held] == [("held", "honeypot"), ("held", "too fast")]
    assert all(r.answers.exists() for r in held)


def test_a_flood_from_one_address_is_throttled_but_every_response_is_kept(assessment, settings):
    settings.SURVEY_RESPONSES_PER_HOUR = 3
    statuses = []
    for _ in range(5):
        response, _ = complete_survey(Client(REMOTE_ADDR="203.0.113.9"))
        statuses.append(response.status_code)
    assert statuses == [302, 302, 302, 429, 429]
    assert SurveyResponse.objects.count() == 5
    assert list(SurveyResponse.objects.order_by("id").values_list("held_reason", flat=True)) == ["", "", "", "flood", "flood"]
    # A resident elsewhere is not affected.
    response, _ = complete_survey(Client(REMOTE_ADDR="198.51.100.7"))
    assert response.status_code == 302
    assert not SurveyResponse.objects.exclude(client_key="").filter(client_key__contains="203.0.113").exists()


def test_analyst_accepts_held_responses_and_it_is_audited(clients, assessment, settings):
    settings.SURVEY_RESPONSES_PER_HOUR = 1
    for _ in range(3):
        complete_survey(Client(REMOTE_ADDR="203.0.113.9"))
    page = clients["analyst"].get(reverse("web:survey_admin", args=["cb"])).content.decode()
    assert "2 held because" in page
    clients["analyst"].post(reverse("web:survey_review", args=["cb"]), {"reason": "flood", "decision": "accept"})
    assert SurveyResponse.objects.filter(status="accepted").count() == 3
    assert AuditEntry.objects.filter(action="accept held responses", reason="2 responses").exists()


def test_web_responses_are_the_survey_library_s_own_shape(client, assessment):
    for _ in range(3):
        complete_survey(Client())
    SurveyResponse.objects.filter(pk=SurveyResponse.objects.first().pk).update(status="held", held_reason="honeypot")
    responses = web_responses(assessment)
    assert responses.count == 2  # held responses are not analysed
    one = {q.id: answer_for(q) for q in QUESTIONNAIRE.questions}
    expected = responses_from_answers([one, one], QUESTIONNAIRE, wave="cb")
    assert responses.answers.sort(["respondent_id", "question_id", "answer"]).equals(
        expected.answers.sort(["respondent_id", "question_id", "answer"])
    )
    assert responses.respondents["complete"].to_list() == [True, True]


def test_export_is_the_long_form_csv(clients, assessment):
    complete_survey(Client())
    response = clients["analyst"].get(reverse("web:survey_export", args=["cb"]))
    lines = response.content.decode().splitlines()
    assert lines[0] == "respondent_id,question_id,answer"
    assert len(lines) - 1 == SurveyAnswer.objects.count()


def test_csrf_is_enforced_on_the_public_survey(assessment):
    client = Client(enforce_csrf_checks=True)
    assert client.post(reverse("web:survey_start", args=["cb"])).status_code == 403
    page = client.get(reverse("web:survey_start", args=["cb"]))
    token = BeautifulSoup(page.content, "html.parser").select_one("input[name=csrfmiddlewaretoken]")["value"]
    assert client.post(reverse("web:survey_start", args=["cb"]), {"csrfmiddlewaretoken": token}).status_code == 302


def test_a_closed_survey_is_not_found(client, assessment):
    assessment.survey_open = False
    assessment.save()
    assert client.get(reverse("web:survey_start", args=["cb"])).status_code == 404


@pytest.mark.parametrize("page", ["survey_check", "survey_question"])
def test_pages_without_a_started_survey_go_back_to_the_start(client, assessment, page):
    args = ["cb"] + (["safe_day"] if page == "survey_question" else [])
    response = client.get(reverse(f"web:{page}", args=args))
    assert response.status_code == 302 and response["Location"] == reverse("web:survey_start", args=["cb"])


def test_analyst_sees_the_survey_library_s_estimates_of_web_responses(clients, assessment):
    from cspkit.survey.analysis import analyse_survey

    for _ in range(4):
        complete_survey(Client())
    page = clients["analyst"].get(reverse("web:survey_admin", args=["cb"]))
    html = BeautifulSoup(page.content, "html.parser")
    table = html.select("table")[-1]
    assert "Unweighted" in table.caption.get_text()
    shown = [[c.get_text(strip=True) for c in tr.select("th, td")] for tr in table.select("tbody tr")]
    expected = analyse_survey(web_responses(assessment), QUESTIONNAIRE, None).estimates
    assert len(shown) == expected.height
    assert [row[2] for row in shown] == [f"{v:,.0f}" if float(v).is_integer() else f"{round(v, 2):,}" for v in expected["pct"]]


def _token(page) -> str:
    return BeautifulSoup(page.content, "html.parser").select_one("input[name=token]")["value"]


def test_skipping_to_the_check_page_cannot_send_a_response_without_its_required_answers(client, assessment):
    """A resident who answers one question and goes straight to /check/ is shown what is missing,
    and nothing is stored until every required question is answered."""
    required = [q for q in QUESTIONNAIRE.questions if q.required]
    assert len(required) >= 2
    client.post(reverse("web:survey_start", args=["cb"]))
    session_token = client.session["survey:cb"]["token"]
    client.post(reverse("web:survey_question", args=["cb", required[0].id]), {"answer": answer_for(required[0])})
    check = reverse("web:survey_check", args=["cb"])

    page = client.get(check)
    html = BeautifulSoup(page.content, "html.parser")
    links = {a["href"] for a in html.select(".govuk-error-summary a")}
    assert links == {reverse("web:survey_question", args=["cb", q.id]) + "?change=1" for q in required[1:]}
    assert html.title.get_text().startswith("Error:") and html.select_one("button[type=submit]") is None

    sent = client.post(check, {"token": session_token, "website": ""})
    assert sent.status_code == 400 and not SurveyResponse.objects.exists()

    for question in required[1:]:
        answered = client.post(reverse("web:survey_question", args=["cb", question.id]) + "?change=1",
                               {"answer": answer_for(question)})
        assert answered["Location"] == check
    sent = client.post(check, {"token": _token(client.get(check)), "website": ""})
    assert sent.status_code == 302
    stored = SurveyResponse.objects.get()
    assert stored.status == SurveyResponse.Status.ACCEPTED
    assert {q.id for q in required} <= set(stored.answers.values_list("question_id", flat=True))


def test_the_check_page_shows_free_text_as_it_will_be_stored_and_says_so(client, assessment):
    client.post(reverse("web:survey_start", args=["cb"]))
    typed = "Lights out by the park, call me on 07700 900123 or see www.example.org/photos, thanks"
    client.post(reverse("web:survey_question", args=["cb", "improve"]), {"answer": typed})
    html = BeautifulSoup(client.get(reverse("web:survey_check", args=["cb"])).content, "html.parser")
    assert html.select_one("#redaction-notice") is not None
    assert "07700" not in html.get_text() and "example.org" not in html.get_text()
    row = next(r for r in html.select(".govuk-summary-list__row") if QUESTIONNAIRE["improve"].text in r.get_text())
    assert "Lights out by the park, call me on [phone] or see [web address], thanks" in row.get_text()
    assert "Personal details have been taken out" in row.get_text()


def test_no_redaction_notice_when_nothing_is_taken_out(client, assessment):
    client.post(reverse("web:survey_start", args=["cb"]))
    client.post(reverse("web:survey_question", args=["cb", "improve"]), {"answer": "Better lighting near the park"})
    html = BeautifulSoup(client.get(reverse("web:survey_check", args=["cb"])).content, "html.parser")
    assert html.select_one("#redaction-notice") is None and "Better lighting near the park" in html.get_text()


def test_the_export_neutralises_spreadsheet_formulas(clients, assessment):
    """A resident's text starting with = + - @ is written with a leading apostrophe, so a spreadsheet shows it as text."""
    import csv
    import io

    typed = ["=1+2 more lights", "@SUM(A1:A9)", "-2 for the police", "+more patrols"]
    for text in typed:
        client = Client()
        client.post(reverse("web:survey_start", args=["cb"]))
        for question in QUESTIONNAIRE.questions:
            answer = text if question.id == "improve" else answer_for(question)
            client.post(reverse("web:survey_question", args=["cb", question.id]), {"answer": answer})
        check = reverse("web:survey_check", args=["cb"])
        assert client.post(check, {"token": _token(client.get(check)), "website": ""}).status_code == 302
    export = clients["analyst"].get(reverse("web:survey_export", args=["cb"])).content.decode()
    rows = list(csv.DictReader(io.StringIO(export)))
    assert sorted(r["answer"] for r in rows if r["question_id"] == "improve") == sorted(f"'{t}" for t in typed)
    assert not any(r["answer"][:1] in "=+-@\t\r" for r in rows)
