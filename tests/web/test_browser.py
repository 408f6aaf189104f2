"""Real browser tests: Debian's Chromium, headless, driven by Playwright against a live server.

A scorer completes a scoring round, a resident completes the survey, the analyst locks the round
and downloads the document, and every page type passes axe-core with no serious or critical
violations. Skipped, with the reason, where /usr/bin/chromium is not installed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.urls import reverse
from tests.web.conftest import PASSWORD

from cspkit.risk.method import load_method
from cspkit.survey.questionnaire import QuestionType, load_questionnaire
from cspkit.web import jobs, library
from cspkit.web.models import DocumentJob, Membership, Score, SurveyResponse

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).parent / "assets" / "axe.min.js"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)"),
]
METHOD = load_method()
QUESTIONNAIRE = load_questionnaire(area_codes=("E06000056",))


@pytest.fixture(scope="module")
def _sync_orm_beside_playwright():
    """Playwright's sync API keeps an event loop in this thread; the test's ORM calls (and the
    database teardown) are still synchronous, so Django's async guard is lifted while it runs."""
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if before is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(scope="module")
def browser(_sync_orm_beside_playwright):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, accept_downloads=True)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


def sign_in(page, username: str) -> None:
    page.goto(reverse("web:login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url("**/")


def axe_problems(page) -> list[str]:
    """Serious or critical axe-core violations on the current page (WCAG 2.0-2.2 A and AA rules)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_a_scorer_completes_a_scoring_round(page, small_assessment, members):
    sign_in(page, "sam")
    page.click("a:has-text('Central Bedfordshire 2025')")
    page.click("a:has-text('Score issues')")
    page.click("a:has-text('Burglary')")
    for _ in range(3):
        for part in (group for group in METHOD.groups if group.criteria):
            page.wait_for_selector(f"h1:has-text('{part.name}')")
            for criterion in (METHOD.criterion(c) for c in part.criteria):
                page.check(f"input[name={criterion.id}][value='{criterion.levels[1].value:g}']")
            page.click("button:has-text('Save and continue')")
    page.wait_for_url("**/scoring/")
    assert page.locator(".govuk-task-list__status:has-text('Completed')").count() == 3
    page.click("button:has-text('Submit scores')")
    page.wait_for_selector("text=Your scores have been sent to the analyst")
    assert Membership.objects.get(pk=members["scorer"].pk).submitted_at is not None
    assert Score.objects.filter(membership=members["scorer"]).count() == 3 * len(METHOD.criteria)


def test_a_resident_completes_the_survey(page, assessment):
    page.goto(reverse("web:survey_start", args=["cb"]))
    page.click("button:has-text('Start now')")
    for question in QUESTIONNAIRE.questions:
        page.wait_for_selector(f"h1:has-text(\"{question.text}\")")
        if question.type == QuestionType.free_text:
            page.fill("#id_answer", "Better street lighting in the town centre")
        elif question.type == QuestionType.multiple:
            page.check("#id_answer-0")
            page.check("#id_answer-1")
            assert page.locator("input[name=answer]:checked").count() == 2, page.content()[:5000]
        else:
            page.check("#id_answer-0")
        page.click("button:has-text('Continue')")
    page.wait_for_selector("h1:has-text('Check your answers')")
    page.click("button:has-text('Send answers')")
    page.wait_for_selector("h1:has-text('Answers sent')")
    stored = SurveyResponse.objects.get()
    assert stored.status == "accepted"
    assert set(stored.answers.filter(question_id="concerns").values_list("value", flat=True)) == {
        QUESTIONNAIRE["concerns"].options[0].code, QUESTIONNAIRE["concerns"].options[1].code
    }


def test_an_error_is_shown_in_the_summary_and_focused(page, assessment):
    page.goto(reverse("web:survey_start", args=["cb"]))
    page.click("button:has-text('Start now')")
    page.click("button:has-text('Continue')")
    summary = page.locator(".govuk-error-summary")
    assert "Select an answer" in summary.inner_text() or QUESTIONNAIRE["safe_day"].error_message in summary.inner_text()
    page.click(".govuk-error-summary a")
    assert page.evaluate("document.activeElement.id") == "id_answer-0"


def test_the_analyst_locks_the_round_and_downloads_the_document(page, small_assessment, members, monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    def build(assessment, folder, progress, **web_inputs):  # the report library is tested on its own; here, the web flow
        (folder / "strategic-assessment.html").write_text("<h1>Strategic assessment</h1>", encoding="utf-8")
        return [folder / "strategic-assessment.html"]

    monkeypatch.setattr(library, "build_documents", build)
    sign_in(page, "ana")
    page.click("a:has-text('Central Bedfordshire 2025')")
    page.click("a:has-text('Scoring round')")
    page.click("button:has-text('Lock the round')")
    page.wait_for_selector("text=The round is locked")
    page.click("a:has-text('Documents')")
    page.click("button:has-text('Rebuild the documents')")
    page.wait_for_selector("text=Waiting to start")
    assert jobs.run_pending() == 1
    page.reload()
    with page.expect_download() as download:
        page.click("a:has-text('Download strategic-assessment.html')")
    assert Path(download.value.path()).read_text(encoding="utf-8") == "<h1>Strategic assessment</h1>"
    assert DocumentJob.objects.get().status == "done"


@pytest.mark.slow
def test_every_page_type_passes_axe(page, small_assessment, demo_warehouse, members, settings, tmp_path):
    """With a real warehouse linked after the round is scored, so the scoring pages show the data's
    suggestions, the dashboard its charts and the board its data columns."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode
    from tests.web.conftest import link_warehouse
    from tests.web.test_scoring import score_round

    settings.MEDIA_ROOT = tmp_path
    checked: dict[str, list[str]] = {}

    def check(name: str, path: str) -> None:
        page.goto(path)
        checked[name] = axe_problems(page)

    # Public pages.
    check("sign in", reverse("web:login"))
    check("accessibility statement", reverse("web:accessibility"))
    check("survey start", reverse("web:survey_start", args=["cb"]))
    page.click("button:has-text('Start now')")
    checked["survey radios"] = axe_problems(page)
    page.click("button:has-text('Continue')")
    checked["survey error summary"] = axe_problems(page)
    check("survey checkboxes", reverse("web:survey_question", args=["cb", "concerns"]))
    check("survey free text", reverse("web:survey_question", args=["cb", "improve"]))
    check("check answers", reverse("web:survey_check", args=["cb"]))
    check("page not found", "/no-such-page/")
    check("password reset", reverse("web:password_reset"))
    page.click("button:has-text('Send the link')")
    checked["password reset with errors"] = axe_problems(page)
    check("password reset sent", reverse("web:password_reset_done"))
    viewer = members["viewer"].user
    uid, token = urlsafe_base64_encode(force_bytes(viewer.pk)), default_token_generator.make_token(viewer)
    check("choose a password", reverse("web:password_reset_confirm", args=[uid, token]))
    check("password saved", reverse("web:password_reset_complete"))

    from django.test import Client

    scorer = Client()
    scorer.force_login(members["scorer2"].user)
    score_round(scorer, "cb", 2)
    link_warehouse(small_assessment, demo_warehouse)
    DocumentJob.objects.create(assessment=small_assessment, requested_by=members["analyst"].user)

    sign_in(page, "sam")
    check("scoring task list", reverse("web:scoring", args=["cb"]))
    check("score an issue: a part of several criteria on one scale", reverse("web:score_issue", args=["cb", "burglary"]))
    page.click("button:has-text('Save and continue')")
    checked["score an issue with errors"] = axe_problems(page)
    check("score an issue: a part of one criterion", reverse("web:score_part", args=["cb", "burglary", "likelihood"]))
    check("vote", reverse("web:vote", args=["cb"]))
    page.select_option("#id_burglary", "1")
    page.select_option("#id_asb", "1")
    page.click("button:has-text('Record vote')")
    checked["vote with clashing positions"] = axe_problems(page)
    check("forbidden", reverse("web:round", args=["cb"]))
    page.goto(reverse("web:logout"))
    page.click("button:has-text('Sign out')")

    sign_in(page, "ana")
    for name, url in [
        ("home", "web:home"), ("dashboard with map", "web:dashboard"), ("round", "web:round"), ("audit", "web:audit"),
        ("risk matrix", "web:results"), ("focus group", "web:focus"), ("focus result and decision", "web:focus_result"),
        ("survey responses", "web:survey_admin"), ("documents", "web:documents"), ("invite a partner", "web:invite"),
    ]:
        check(name, reverse(url, args=[] if url == "web:home" else ["cb"]))
    page.click("button:has-text('Send the invitation')")
    checked["invite a partner with errors"] = axe_problems(page)
    check("document build progress", reverse("web:job", args=["cb", DocumentJob.objects.get().pk]))

    failures = {name: problems for name, problems in checked.items() if problems}
    assert not failures, failures
    assert len(checked) >= 20


def test_a_partner_scores_the_full_register_a_short_page_at_a_time(page, assessment, members):
    """The default register (26 issues) and method (11 criteria): every scoring page fits a few
    screens (it was one 6,500-pixel page per issue), shows where the partner is, and passes axe."""
    from cspkit.risk.register import load_issues

    issues = load_issues().issues
    parts = [group for group in METHOD.groups if group.criteria]
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, "sam")
    heights = {}
    for part in parts:
        page.goto(reverse("web:score_part", args=["cb", issues[0].id, part.id]))
        heights[part.id] = page.evaluate("document.documentElement.scrollHeight")
        assert page.locator("h1").inner_text().endswith(f"Part {parts.index(part) + 1} of {len(parts)}")
        assert page.locator(".govuk-caption-l").inner_text() == f"Issue 1 of {len(issues)}: {issues[0].name}"
        assert axe_problems(page) == [], part.id
        for criterion in (METHOD.criterion(c) for c in part.criteria):
            page.check(f"input[name={criterion.id}][value='{criterion.levels[2].value:g}']")
        page.click("button:has-text('Save and continue')")
    page.wait_for_selector(f".govuk-caption-l:has-text('Issue 2 of {len(issues)}')")
    assert max(heights.values()) < 2_600, heights
    page.goto(reverse("web:scoring", args=["cb"]))
    assert page.locator("#scoring-progress").inner_text() == f"You have completed 1 of {len(issues)} issues."
    assert Score.objects.filter(membership=members["scorer"]).count() == len(METHOD.criteria)
