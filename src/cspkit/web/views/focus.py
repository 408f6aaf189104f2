"""The focus group: the evidence board, each partner's ranked vote, the count (Borda and Schulze,
by cspkit.priorities) and the decision the partnership records."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from cspkit.errors import CspkitError
from cspkit.web import library
from cspkit.web.access import EVERYONE, for_roles, navigation
from cspkit.web.audit import record
from cspkit.web.forms import BallotForm, DecisionForm
from cspkit.web.models import Assessment, Ballot, Decision, Role, SurveyResponse
from cspkit.web.views.scoring import submitted_scores
from cspkit.web.views.survey import web_responses


def voter_key(assessment: Assessment, membership) -> str:
    """Whose vote this is: the organisation's, or the person's, as the assessment is set."""
    if assessment.vote_by == Assessment.VoteBy.ORGANISATION:
        return f"organisation:{membership.organisation.strip().lower()}"
    return f"person:{membership.user_id}"


def _evidence(request: HttpRequest) -> library.BoardEvidence:
    """The board's evidence; the round's risk figures only where this person may see them."""
    assessment = request.assessment
    visible = request.membership.role == Role.ANALYST or assessment.round_state == Assessment.RoundState.RELEASED
    scores = submitted_scores(assessment) if visible else []
    results = library.round_frame(assessment, scores) if scores else None
    if not visible:
        why = "Risk rank, score and class appear once the analyst releases the risk matrix."
    else:
        why = "Risk rank, score and class appear once at least one partner has submitted scores."
    accepted = assessment.survey_responses.filter(status=SurveyResponse.Status.ACCEPTED)
    latest = accepted.order_by("-id").values_list("id", flat=True).first()
    concerns = None
    if latest is not None:  # analysed once per change of the accepted responses
        concerns = partial(library.survey_concerns, assessment, partial(web_responses, assessment), (accepted.count(), latest))
    return library.board_evidence(assessment, results, "" if results is not None else why, concerns)


def candidates(request: HttpRequest) -> list:
    """The issues on the ballot: the suggested shortlist when it has two or more, else every issue."""
    register = library.issue_register(request.assessment)
    shortlist = library.shortlist(request.assessment, _evidence(request).issues)
    chosen = shortlist.filter(shortlist["suggestion"] == "priority candidate")["issue_id"].to_list()
    return [register.get(i) for i in chosen] if len(chosen) >= 2 else list(register.issues)


@for_roles(*EVERYONE)
def focus(request: HttpRequest, slug: str) -> HttpResponse:
    assessment = request.assessment
    evidence = _evidence(request)
    board = library.evidence_board(evidence.issues)
    ballot = Ballot.objects.filter(assessment=assessment, voter=voter_key(assessment, request.membership)).first()
    return render(request, "web/focus.html", {
        "board": board, "missing": evidence.missing, "ballot": ballot, "votes": assessment.ballots.count(),
        "decided": hasattr(assessment, "decision"), "membership": request.membership,
        "nav_items": navigation(request, "focus"),
    })


@for_roles(Role.SCORER)
def vote(request: HttpRequest, slug: str) -> HttpResponse:
    """A ranked ballot. Voting again replaces the earlier ballot: never two for one voter."""
    assessment = request.assessment
    on_ballot = candidates(request)
    if hasattr(assessment, "decision"):
        messages.success(request, "The focus group has recorded its decision; voting is closed")
        return redirect("web:focus", slug)
    key = voter_key(assessment, request.membership)
    existing = Ballot.objects.filter(assessment=assessment, voter=key).first()
    if request.method == "POST":
        form = BallotForm(request.POST, issues=on_ballot)
        if form.is_valid():
            ranking = form.cleaned_data["ranking"]
            with transaction.atomic():
                Ballot.objects.update_or_create(
                    assessment=assessment, voter=key, defaults={"ranking": ranking, "membership": request.membership}
                )
                record(request, "vote", key, existing.ranking if existing else "", ranking, "")
            messages.success(request, "Your vote has been recorded")
            return redirect("web:focus", slug)
    else:
        initial = {issue_id: str(n) for n, issue_id in enumerate(existing.ranking, 1)} if existing else {}
        form = BallotForm(initial=initial, issues=on_ballot)
    return render(request, "web/vote.html", {
        "form": form, "membership": request.membership, "nav_items": navigation(request, "focus"),
        "by_organisation": assessment.vote_by == Assessment.VoteBy.ORGANISATION,
    })


@for_roles(*EVERYONE)
def result(request: HttpRequest, slug: str) -> HttpResponse:
    """The count of the ballots and the recorded decision; the analyst records the decision here."""
    assessment = request.assessment
    ballots = [(b.membership.organisation, b.voter, b.ranking) for b in assessment.ballots.select_related("membership")]
    count, missing = None, ""
    if ballots:
        names = [issue.id for issue in candidates(request)]
        ranked = [i for _, _, ranking in ballots for i in ranking]
        try:
            count = library.count_votes(assessment, ballots, list(dict.fromkeys(names + ranked)))
        except CspkitError as exc:  # e.g. fewer than two issues on the ballot: cspkit.priorities' reason
            missing = exc.message
    issues = library.issue_register(assessment).issues
    names = {issue.id: issue.name for issue in issues}
    decision = Decision.objects.filter(assessment=assessment).first()
    form = None
    if request.membership.role == Role.ANALYST:
        initial = ({"priorities": decision.priorities, "knowledge_gaps": decision.knowledge_gaps,
                    "rationale": decision.rationale, "how_we_will_learn": decision.how_we_will_learn} if decision else {})
        form = DecisionForm(request.POST or None, initial=initial, issues=issues)
        if request.method == "POST" and form.is_valid():
            with transaction.atomic():
                new = {k: form.cleaned_data[k] for k in ("priorities", "knowledge_gaps", "rationale", "how_we_will_learn")}
                Decision.objects.update_or_create(assessment=assessment, defaults={**new, "recorded_by": request.user})
                old = {"priorities": decision.priorities, "knowledge_gaps": decision.knowledge_gaps} if decision else ""
                record(request, "decision", assessment.slug, old, new, new["rationale"])
            messages.success(request, "The decision has been recorded")
            return redirect("web:focus_result", slug)
    status = 400 if form is not None and form.errors else 200
    return render(request, "web/focus_result.html", {
        "count": count, "missing": missing, "ballots": len(ballots), "decision": decision, "form": form,
        "names": names, "membership": request.membership, "nav_items": navigation(request, "focus"),
        "decision_priorities": [names.get(i, i) for i in decision.priorities] if decision else [],
        "decision_gaps": [names.get(i, i) for i in decision.knowledge_gaps] if decision else [],
    }, status=status)
