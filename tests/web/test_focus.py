"""The focus group: ranked votes (one per organisation or per person), counted by
cspkit.priorities (Borda and Schulze), and the recorded decision."""

from __future__ import annotations

from bs4 import BeautifulSoup
from django.urls import reverse
from tests.web.conftest import client_for, make_member

from cspkit.priorities.voting import Ballot as LibraryBallot
from cspkit.priorities.voting import count_votes
from cspkit.web.models import Assessment, AuditEntry, Ballot, Decision, Membership, Role


def vote(client, ranking: dict[str, str]):
    return client.post(reverse("web:vote", args=["cb"]), ranking)


def test_vote_form_lists_the_candidates_with_rank_choices(clients, small_assessment):
    page = clients["scorer"].get(reverse("web:vote", args=["cb"]))
    html = BeautifulSoup(page.content, "html.parser")
    selects = html.select("select")
    assert [s["name"] for s in selects] == ["burglary", "asb", "cyber_fraud"]
    assert [o.get_text() for o in selects[0].select("option")] == ["Not ranked", "1", "2", "3"]


def test_a_vote_is_stored_as_a_ranking(clients, small_assessment):
    assert vote(clients["scorer"], {"asb": "1", "burglary": "2"}).status_code == 302
    assert Ballot.objects.get().ranking == ["asb", "burglary"]


def test_bad_rankings_get_govuk_errors_naming_the_issues_and_linking_to_their_fields(clients, small_assessment):
    """Each error is on the field it is about (the error summary links to it) and names the clashing issues."""
    for body, errors in [
        ({}, {"burglary": "Rank at least one issue"}),
        ({"asb": "1", "burglary": "1"}, {
            "burglary": "Burglary has position 1, the same as Anti-social behaviour",
            "asb": "Anti-social behaviour has position 1, the same as Burglary",
        }),
        ({"asb": "1", "burglary": "3"}, {"burglary": "No issue has position 2: give Burglary position 2"}),
        ({"asb": "9"}, {"asb": "Select a valid choice"}),
    ]:
        page = vote(clients["scorer"], body)
        assert page.status_code == 200
        html = BeautifulSoup(page.content, "html.parser")
        links = html.select(".govuk-error-summary a")
        assert [a["href"] for a in links] == [f"#id_{issue_id}" for issue_id in errors]
        for link, message in zip(links, errors.values(), strict=True):
            assert link.get_text().startswith(message)
        for issue_id, message in errors.items():
            assert html.select_one(f"#id_{issue_id}") is not None
            assert message in html.select_one(f"#id_{issue_id}-error").get_text()
    assert not Ballot.objects.exists()


def test_one_vote_per_organisation_voting_again_replaces_it(clients, small_assessment, members):
    colleague = make_member(small_assessment, "pat", Role.SCORER, "Bedfordshire Police")
    vote(clients["scorer"], {"asb": "1"})
    vote(clients["scorer"], {"asb": "1"})  # the same form sent twice
    vote(client_for(colleague), {"burglary": "1", "asb": "2"})
    assert Ballot.objects.count() == 1
    assert Ballot.objects.get().ranking == ["burglary", "asb"]
    assert AuditEntry.objects.filter(action="vote").count() == 3


def test_one_vote_per_person_when_so_configured(clients, small_assessment):
    Assessment.objects.filter(pk=small_assessment.pk).update(vote_by="person")
    colleague = make_member(small_assessment, "pat", Role.SCORER, "Bedfordshire Police")
    vote(clients["scorer"], {"asb": "1"})
    vote(client_for(colleague), {"burglary": "1"})
    assert Ballot.objects.count() == 2


def test_result_is_cspkit_priorities_count(clients, small_assessment, members):
    extra = [make_member(small_assessment, f"p{n}", Role.SCORER, f"Partner {n}") for n in range(3)]
    ballots = {
        members["scorer"]: {"asb": "1", "burglary": "2", "cyber_fraud": "3"},
        members["scorer2"]: {"burglary": "1", "cyber_fraud": "2", "asb": "3"},
        extra[0]: {"cyber_fraud": "1", "asb": "2", "burglary": "3"},
        extra[1]: {"asb": "1", "cyber_fraud": "2"},
        extra[2]: {"burglary": "1"},
    }
    for member, ranking in ballots.items():
        assert vote(client_for(member), ranking).status_code == 302
    expected = count_votes(
        [LibraryBallot(m.organisation, f"organisation:{m.organisation.lower()}",
                       tuple(sorted(r, key=lambda k: int(r[k])))) for m, r in ballots.items()],
        ["burglary", "asb", "cyber_fraud"],
    )
    page = clients["viewer"].get(reverse("web:focus_result", args=["cb"]))
    html = BeautifulSoup(page.content, "html.parser")
    rows = [[c.get_text(strip=True) for c in tr.select("th, td")] for tr in html.select("table tbody tr")]
    names = {"burglary": "Burglary", "asb": "Anti-social behaviour", "cyber_fraud": "Cyber-crime and fraud"}
    assert [r[0] for r in rows] == [names[i] for i in expected.table["issue"].to_list()]
    assert [r[1] for r in rows] == [f"{p:g}" for p in expected.table["borda_points"].to_list()]
    assert [r[4] for r in rows] == [str(v) for v in expected.table["schulze_rank"].to_list()]
    assert "5 ballots counted" in page.content.decode()


def test_analyst_records_the_decision_and_voting_closes(clients, small_assessment):
    vote(clients["scorer"], {"asb": "1"})
    url = reverse("web:focus_result", args=["cb"])
    page = clients["analyst"].post(url, {"priorities": ["asb"], "knowledge_gaps": ["asb"], "rationale": "x"})
    assert page.status_code == 400
    assert "cannot be both a priority and a knowledge gap" in page.content.decode()
    body = {"priorities": ["asb", "burglary"], "knowledge_gaps": ["cyber_fraud"], "rationale": "Residents and the data agree."}
    page = clients["analyst"].post(url, body)
    assert page.status_code == 400
    assert "Enter how the partnership will learn about the knowledge gaps" in page.content.decode()
    page = clients["analyst"].post(url, {**body, "how_we_will_learn": "Ask Action Fraud for local data."})
    assert page.status_code == 302
    decision = Decision.objects.get()
    assert (decision.priorities, decision.knowledge_gaps) == (["asb", "burglary"], ["cyber_fraud"])
    shown = clients["viewer"].get(url).content.decode()
    assert "Residents and the data agree." in shown and "Anti-social behaviour, Burglary" in shown
    # Viewers cannot record a decision.
    clients["viewer"].post(url, {"priorities": ["asb"], "rationale": "no"})
    assert Decision.objects.get().rationale == "Residents and the data agree."
    # Voting is closed once the decision is recorded.
    vote(clients["scorer2"], {"burglary": "1"})
    assert Ballot.objects.count() == 1
    assert AuditEntry.objects.filter(action="decision").count() == 1


def test_evidence_board_shows_risk_figures_only_once_released(clients, small_assessment, members):
    from tests.web.test_scoring import score_round

    score_round(clients["scorer"], "cb", 2)
    board_url = reverse("web:focus", args=["cb"])

    def risk_cells(who):
        html = BeautifulSoup(clients[who].get(board_url).content, "html.parser")
        return [tr.select("th, td")[2].get_text(strip=True) for tr in html.select("table tbody tr")]

    assert set(risk_cells("viewer")) == {"-"}
    assert set(risk_cells("analyst")) != {"-"}
    clients["analyst"].post(reverse("web:change_round", args=["cb", "lock"]))
    clients["analyst"].post(reverse("web:change_round", args=["cb", "release"]))
    assert risk_cells("viewer") == risk_cells("analyst")
    assert Membership.objects.filter(role=Role.SCORER, submitted_at__isnull=False).count() == 1


def test_recorded_decision_is_a_decision_file_cspkit_priorities_reads(clients, small_assessment, tmp_path):
    from cspkit.priorities.decision import load_decision
    from cspkit.web import jobs, library

    clients["analyst"].post(reverse("web:focus_result", args=["cb"]), {
        "priorities": ["asb", "burglary"], "knowledge_gaps": ["cyber_fraud"], "rationale": "Residents and the data agree.",
        "how_we_will_learn": "Ask Action Fraud for local data.",
    })
    path = library.write_decision(tmp_path / "decision.toml", small_assessment, jobs.web_decision(small_assessment))
    decision = load_decision(path, {"asb", "burglary", "cyber_fraud"})
    assert [(p.issue_id, p.title) for p in decision.priorities] == [("asb", "Anti-social behaviour"), ("burglary", "Burglary")]
    assert [g.issue_id for g in decision.knowledge_gaps] == ["cyber_fraud"]
    assert decision.knowledge_gaps[0].how_we_will_learn == "Ask Action Fraud for local data."
