"""Risk matrix scoring through the web: one issue per page, drafts, reasons for overrides (checked by
cspkit.risk), submission, the analyst's aggregated matrix (by cspkit.risk), locking, releasing,
and the audit trail."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from cspkit.risk.matrix import risk_results
from cspkit.risk.method import load_method
from cspkit.risk.register import load_issues
from cspkit.risk.scores import Score as LibraryScore
from cspkit.web import library
from cspkit.web.models import Assessment, AuditEntry, Score

METHOD = load_method()
#: The pages of an issue: one per criterion group.
PARTS = [group for group in METHOD.groups if group.criteria]
HARM = PARTS[0]


def full_scores(level_index: int, part=None) -> dict[str, str]:
    """A POST body scoring every criterion (of one part, if given) at the level in position ``level_index``."""
    criteria = [METHOD.criterion(c) for c in part.criteria] if part is not None else METHOD.criteria
    return {c.id: f"{c.levels[min(level_index, len(c.levels) - 1)].value:g}" for c in criteria}


def part_url(issue_id: str, part=HARM, slug: str = "cb") -> str:
    return reverse("web:score_part", args=[slug, issue_id, part.id])


def score_issue(client, slug: str, issue_id: str, level_index: int) -> None:
    """Every part of one issue, "Save and continue" on each."""
    for part in PARTS:
        response = client.post(part_url(issue_id, part, slug), {**full_scores(level_index, part), "action": "continue"})
        assert response.status_code == 302, response.content.decode()[:2000]


def score_round(client, slug: str, level_index: int, issues=("burglary", "asb", "cyber_fraud")) -> None:
    for issue_id in issues:
        score_issue(client, slug, issue_id, level_index)
    assert client.post(reverse("web:submit_scores", args=[slug])).status_code == 302


def test_an_issue_opens_at_its_first_part_not_yet_scored(clients, small_assessment):
    url = reverse("web:score_issue", args=["cb", "burglary"])
    assert clients["scorer"].get(url)["Location"] == part_url("burglary", PARTS[0])
    clients["scorer"].post(part_url("burglary", PARTS[0]), {**full_scores(1, PARTS[0]), "action": "continue"})
    assert clients["scorer"].get(url)["Location"] == part_url("burglary", PARTS[1])


def test_a_part_shares_its_scale_once_and_a_single_criterion_shows_each_level_s_description(clients, small_assessment):
    """The harm page: six criteria on one scale, described once in a table; the likelihood page: one
    criterion, each level with its own description."""
    html = BeautifulSoup(clients["scorer"].get(part_url("burglary", HARM)).content, "html.parser")
    legends = [legend.get_text(" ", strip=True) for legend in html.select("fieldset legend")]
    assert legends == [METHOD.criterion(c).name for c in HARM.criteria]
    first = METHOD.criterion(HARM.criteria[0])
    levels = html.select_one("table.app-levels")
    assert [tr.select_one("td").get_text(strip=True) for tr in levels.select("tbody tr")] == [
        level.description for level in first.levels]
    assert html.get_text().count(first.levels[-1].description) == 1
    assert len(html.select(f"input[name={first.id}]")) == len(first.levels)
    assert html.select_one(".govuk-radios--small.govuk-radios--inline") is not None

    likelihood = next(p for p in PARTS if p.id == "likelihood")
    html = BeautifulSoup(clients["scorer"].get(part_url("burglary", likelihood)).content, "html.parser")
    assert html.select_one("table.app-levels") is None
    hints = [h.get_text(strip=True) for h in html.select(".govuk-radios__hint")]
    assert hints == [level.description for level in METHOD.criterion("likelihood").levels]


def test_save_and_continue_goes_through_the_parts_then_the_next_issue_with_progress_shown(clients, small_assessment):
    client = clients["scorer"]
    for n, part in enumerate(PARTS):
        html = BeautifulSoup(client.get(part_url("burglary", part)).content, "html.parser")
        assert f"Part {n + 1} of {len(PARTS)}" in html.h1.get_text(" ") and part.name in html.h1.get_text(" ")
        assert "Issue 1 of 3: Burglary" in html.select_one(".govuk-caption-l").get_text()
        statuses = [li.get_text(" ", strip=True) for li in html.select("nav.app-parts li")]
        assert [s.endswith("Completed") for s in statuses] == [i < n for i in range(len(PARTS))]
        assert html.select_one("nav.app-parts [aria-current=page]").get_text(strip=True) == part.name
        following = client.post(part_url("burglary", part), {**full_scores(1, part), "action": "continue"})
        expected = part_url("burglary", PARTS[n + 1]) if n + 1 < len(PARTS) else part_url("asb", PARTS[0])
        assert following["Location"] == expected
    tasks = BeautifulSoup(client.get(reverse("web:scoring", args=["cb"])).content, "html.parser")
    assert "completed 1 of 3 issues" in tasks.select_one("#scoring-progress").get_text(" ", strip=True)
    assert Score.objects.filter(issue_id="burglary").count() == len(METHOD.criteria)


def test_an_unknown_part_is_not_found(clients, small_assessment):
    assert clients["scorer"].get(reverse("web:score_part", args=["cb", "burglary", "no_such_part"])).status_code == 404
    assert clients["scorer"].get(reverse("web:score_part", args=["cb", "no_such_issue", HARM.id])).status_code == 404


def test_out_of_range_level_gets_a_govuk_error(clients, small_assessment):
    body = {**full_scores(1, HARM), METHOD.criteria[0].id: "99", "action": "continue"}
    page = clients["scorer"].post(part_url("burglary"), body)
    assert page.status_code == 200
    html = BeautifulSoup(page.content, "html.parser")
    summary = html.select_one(".govuk-error-summary")
    assert summary is not None and "Select one of the levels listed" in summary.get_text()
    assert html.select_one(f"#id_{METHOD.criteria[0].id}-error") is not None
    assert html.title.get_text().startswith("Error:")
    assert not Score.objects.exists()


def test_missing_levels_allowed_in_a_draft_but_not_to_continue(clients, small_assessment):
    url = part_url("burglary")
    one = {METHOD.criteria[0].id: f"{METHOD.criteria[0].levels[1].value:g}"}
    assert clients["scorer"].post(url, {**one, "action": "draft"}).status_code == 302
    assert Score.objects.count() == 1
    page = clients["scorer"].post(url, {**one, "action": "continue"})
    assert page.status_code == 200
    assert f"Select a level for {METHOD.criteria[1].name.lower()}" in page.content.decode()


def test_override_of_a_suggested_score_needs_a_reason(clients, small_assessment, monkeypatch):
    volume = METHOD.criterion("volume")
    suggested = volume.levels[2].value
    evidence = library.Suggested(suggested, "812 burglaries in the latest 12 months.")
    monkeypatch.setattr(library, "suggested_scores", lambda a: {"burglary": {"volume": evidence}})
    url = part_url("burglary", next(p for p in PARTS if p.id == "volume"))
    page = clients["scorer"].get(url)
    assert "812 burglaries" in page.content.decode()
    overridden = {"volume": f"{volume.levels[0].value:g}", "action": "continue"}
    page = clients["scorer"].post(url, overridden)
    assert page.status_code == 200
    assert "a reason is required" in page.content.decode().lower()  # cspkit.risk.scores' own message
    page = clients["scorer"].post(url, {**overridden, "volume__reason": "Our own data shows fewer."})
    assert page.status_code == 302
    stored = Score.objects.get(criterion_id="volume")
    assert (stored.value, stored.suggested, stored.reason) == (volume.levels[0].value, suggested, "Our own data shows fewer.")


def test_every_change_is_audited_with_old_new_and_reason(clients, small_assessment, members):
    url = part_url("burglary")
    clients["scorer"].post(url, {**full_scores(1), "action": "draft"})
    clients["scorer"].post(url, {**full_scores(1), METHOD.criteria[0].id: f"{METHOD.criteria[0].levels[3].value:g}",
                                 "action": "draft"})
    entries = AuditEntry.objects.filter(subject=f"burglary/{METHOD.criteria[0].id}").order_by("id")
    low, high = (f"{METHOD.criteria[0].levels[n].value:g}" for n in (1, 3))
    assert [(e.old, e.new) for e in entries] == [("", low), (low, high)]
    assert entries[0].user == members["scorer"].user and entries[0].organisation == "Bedfordshire Police"
    # An unchanged save adds nothing.
    before = AuditEntry.objects.count()
    clients["scorer"].post(url, {**full_scores(1), METHOD.criteria[0].id: f"{METHOD.criteria[0].levels[3].value:g}",
                                 "action": "draft"})
    assert AuditEntry.objects.count() == before


def test_audit_entries_cannot_be_changed_or_deleted(clients, small_assessment):
    clients["scorer"].post(part_url("burglary"), {**full_scores(1), "action": "draft"})
    entry = AuditEntry.objects.first()
    entry.new = "forged"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


def test_submit_refuses_an_incomplete_round(clients, small_assessment, members):
    score_issue(clients["scorer"], "cb", "burglary", 1)
    response = clients["scorer"].post(reverse("web:submit_scores", args=["cb"]), follow=True)
    assert "Score every criterion of every issue" in response.content.decode()
    members["scorer"].refresh_from_db()
    assert members["scorer"].submitted_at is None


def test_round_matrix_is_cspkit_risk_results_of_the_submitted_scores(clients, small_assessment):
    score_round(clients["scorer"], "cb", 0)
    score_round(clients["scorer2"], "cb", 3)
    page = clients["analyst"].get(reverse("web:round", args=["cb"]))
    html = BeautifulSoup(page.content, "html.parser")
    register = load_issues(library._configured(small_assessment, "risk", "issues"))
    expected = risk_results(
        [LibraryScore(o, s, s_issue, s_crit, float(v)) for (o, s, s_issue, s_crit, v) in
         [(m.membership.organisation, m.membership.user.username, m.issue_id, m.criterion_id, m.value)
          for m in Score.objects.select_related("membership__user")]],
        METHOD, register,
    )
    tables = html.select("table")
    matrix = tables[-1]
    rows = [[c.get_text(strip=True) for c in tr.select("th, td")] for tr in matrix.select("tbody tr")]
    assert [r[1] for r in rows] == expected["issue"].to_list()
    assert [r[2] for r in rows] == [library._cell(v) for v in expected["risk_score"].to_list()]
    # Scorers three levels apart on every criterion: beyond the method's threshold, so flagged.
    assert all(expected["discuss"].to_list())
    assert [r[-2] for r in rows] == expected["discuss_on"].to_list()
    progress = tables[0].get_text(" ", strip=True)
    assert "33 of 33" in progress and "Bedfordshire Fire and Rescue" in progress


def test_partners_see_no_other_scores_until_released(clients, small_assessment):
    score_round(clients["scorer"], "cb", 1)
    score_round(clients["scorer2"], "cb", 3)
    results_url = reverse("web:results", args=["cb"])
    for who in ("scorer", "viewer"):
        page = clients[who].get(results_url).content.decode()
        assert "has not released" in page
        assert "Issues ranked by risk" not in page
    # The scorer sees only their own scores.
    own = clients["scorer"].get(results_url).content.decode()
    assert own.count("<td class=\"govuk-table__cell govuk-table__cell--numeric\">") == 33
    analyst = clients["analyst"]
    assert analyst.post(reverse("web:change_round", args=["cb", "release"])).status_code == 302  # not yet locked: no change
    assert Assessment.objects.get(slug="cb").round_state == "open"
    analyst.post(reverse("web:change_round", args=["cb", "lock"]))
    assert "has not released" in clients["viewer"].get(results_url).content.decode()
    analyst.post(reverse("web:change_round", args=["cb", "release"]))
    assert "Issues ranked by risk" in clients["viewer"].get(results_url).content.decode()
    actions = AuditEntry.objects.filter(action__endswith="round").order_by("id").values_list("action", flat=True)
    assert list(actions) == ["lock round", "release round"]


def test_locked_round_refuses_changes(clients, small_assessment):
    clients["analyst"].post(reverse("web:change_round", args=["cb", "lock"]))
    url = part_url("burglary")
    response = clients["scorer"].post(url, {**full_scores(1), "action": "continue"})
    assert response.status_code == 409
    assert not Score.objects.exists()
    assert "Scoring is closed" in clients["scorer"].get(url).content.decode()


def test_submitted_scores_cannot_be_changed(clients, small_assessment):
    score_round(clients["scorer"], "cb", 1)
    response = clients["scorer"].post(part_url("asb"), {**full_scores(4), "action": "continue"})
    assert response.status_code == 409
    assert set(Score.objects.values_list("value", flat=True)) == {c.levels[1].value for c in METHOD.criteria}


def test_unknown_issue_is_not_found(clients, small_assessment):
    assert clients["scorer"].get(reverse("web:score_issue", args=["cb", "no_such_issue"])).status_code == 404


def test_csrf_is_enforced_on_scoring(members, small_assessment):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(members["scorer"].user)
    response = client.post(part_url("burglary"), {**full_scores(1), "action": "continue"})
    assert response.status_code == 403
    assert not Score.objects.exists()


def test_suggested_levels_and_evidence_come_from_cspkit_risk(clients, small_assessment, monkeypatch, tmp_path):
    """With a warehouse, the page shows cspkit.risk.suggest's levels for the issue's evidence."""
    from cspkit.risk import evidence as risk_evidence
    from cspkit.risk.suggest import IssueEvidence, suggest_scores

    (tmp_path / "warehouse.duckdb").write_bytes(b"")  # only its presence and age are read here
    figures = IssueEvidence(issue_id="burglary", data_maps=True, period="2023-05 to 2024-04", annual_count=812,
                            rate_per_1000=2.8, previous_count=700, change_ratio=812 / 700, p_value=0.004, significant=True)
    monkeypatch.setattr(risk_evidence, "evidence_for_config", lambda config, register: [figures])
    library._suggestions.cache_clear()
    expected = {s.criterion: s for s in suggest_scores(figures, METHOD) if s.criterion}
    assert {"volume", "likelihood"} <= set(expected)
    for criterion_id, suggestion in expected.items():
        part = next(p for p in PARTS if criterion_id in p.criteria)
        html = BeautifulSoup(clients["scorer"].get(part_url("burglary", part)).content, "html.parser")
        hint = html.select_one(f"#id_{criterion_id}-hint").get_text(" ", strip=True)
        level = METHOD.criterion(criterion_id).level(suggestion.value)
        assert f"Suggested from the data: {level.label} ({level.value:g})" in hint
        assert suggestion.evidence[:40] in hint
        assert html.select_one(f"#id_{criterion_id}__reason") is not None  # an override will need a reason
    library._suggestions.cache_clear()


def test_an_unknown_round_action_is_not_found(clients, small_assessment):
    response = clients["analyst"].post(reverse("web:change_round", args=["cb", "reopen"]))
    assert response.status_code == 404
    assert Assessment.objects.get(slug="cb").round_state == "open"


def test_evidence_for_a_whole_part_is_shown_once(clients, small_assessment, monkeypatch):
    """A harm index for the issue, with no level per criterion, is said once above the six harm questions."""
    evidence = library.Suggested(None, "Harm hint: crime harm index 310,498.")
    monkeypatch.setattr(library, "suggested_scores", lambda a: {"burglary": {c: evidence for c in HARM.criteria}})
    html = BeautifulSoup(clients["scorer"].get(part_url("burglary", HARM)).content, "html.parser")
    assert html.get_text().count("crime harm index 310,498") == 1
    assert "crime harm index 310,498" in html.select_one("#shared-evidence").get_text()
