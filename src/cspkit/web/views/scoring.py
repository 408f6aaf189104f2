"""Risk matrix scoring: a scorer's issues, one criterion group of one issue per page (a partner
scoring 26 issues on 11 criteria sees a short page at a time, with progress), drafts and
submission; the analyst's view of the round (progress, the aggregated matrix from cspkit.risk),
locking and releasing."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cspkit.web import library
from cspkit.web.access import EVERYONE, for_roles, navigation
from cspkit.web.audit import record
from cspkit.web.forms import IssueScoreForm, reason_field_name
from cspkit.web.models import Assessment, Membership, Role, Score


def _scores_by_issue(membership: Membership) -> dict[str, dict[str, Score]]:
    found: dict[str, dict[str, Score]] = {}
    for score in membership.scores.all():
        found.setdefault(score.issue_id, {})[score.criterion_id] = score
    return found


def _can_edit(request: HttpRequest) -> bool:
    return request.assessment.round_state == Assessment.RoundState.OPEN and request.membership.submitted_at is None


@for_roles(Role.SCORER)
def scoring(request: HttpRequest, slug: str) -> HttpResponse:
    """The scorer's task list: every issue with how far they have got."""
    criteria = library.scoring_method(request.assessment).criteria
    issues = library.issue_register(request.assessment).issues
    scored = _scores_by_issue(request.membership)
    rows = [
        {"issue": issue, "done": len(scored.get(issue.id, {})), "total": len(criteria)}
        for issue in issues
    ]
    completed = sum(row["done"] == row["total"] for row in rows)
    return render(request, "web/scoring.html", {
        "rows": rows, "complete": completed == len(rows), "completed": completed, "can_edit": _can_edit(request),
        "membership": request.membership,
        "nav_items": navigation(request, "scoring"), "error": request.GET.get("incomplete") == "1",
    })


def _parts(method) -> list:
    """The pages of one issue: the method's criterion groups that have criteria, in the method's order."""
    return [group for group in method.groups if group.criteria]


@for_roles(Role.SCORER)
def score_issue(request: HttpRequest, slug: str, issue_id: str) -> HttpResponse:
    """An issue's first page not yet fully scored (its first page once all are)."""
    if issue_id not in {issue.id for issue in library.issue_register(request.assessment).issues}:
        raise Http404("No such issue")
    parts = _parts(library.scoring_method(request.assessment))
    scored = set(request.membership.scores.filter(issue_id=issue_id).values_list("criterion_id", flat=True))
    part = next((p for p in parts if not set(p.criteria) <= scored), parts[0])
    return redirect("web:score_part", slug, issue_id, part.id)


@for_roles(Role.SCORER)
def score_part(request: HttpRequest, slug: str, issue_id: str, part_id: str) -> HttpResponse:
    """One criterion group of one issue per page (harm, likelihood, ...): a level for each of its
    criteria, reasons for overrides; save a draft or continue to the next part, then the next issue."""
    method = library.scoring_method(request.assessment)
    issues = list(library.issue_register(request.assessment).issues)
    issue = next((i for i in issues if i.id == issue_id), None)
    parts = _parts(method)
    part = next((p for p in parts if p.id == part_id), None)
    if issue is None or part is None:
        raise Http404("No such issue or part")
    criteria = [method.criterion(c) for c in part.criteria]
    suggestions = library.suggested_scores(request.assessment).get(issue_id, {})

    def check_reason(criterion, value, suggestion, reason) -> str | None:
        return library.score_problem(request.assessment, request.membership, issue_id, criterion, value, suggestion, reason)

    editable = _can_edit(request)
    draft = request.POST.get("action") == "draft"
    form_args = {"criteria": criteria, "suggestions": suggestions, "check_reason": check_reason}
    if request.method == "POST" and editable:
        form = IssueScoreForm(request.POST, complete=not draft, **form_args)
        if form.is_valid():
            _save_scores(request, issue_id, criteria, suggestions, form.cleaned_data)
            if draft:
                messages.success(request, f"Draft saved for {issue.name}: {part.name.lower()}")
                return redirect("web:score_part", slug, issue_id, part_id)
            return _next_page(slug, issues, issue, parts, part)
    else:
        initial = {}
        for score in request.membership.scores.filter(issue_id=issue_id, criterion_id__in=part.criteria):
            initial[score.criterion_id] = f"{score.value:g}"
            initial[reason_field_name(score.criterion_id)] = score.reason
        form = IssueScoreForm(initial=initial, complete=True, **form_args)
    scored = set(request.membership.scores.filter(issue_id=issue_id).values_list("criterion_id", flat=True))
    progress = [
        {"part": p, "done": len(set(p.criteria) & scored), "total": len(p.criteria), "current": p.id == part_id}
        for p in parts
    ]
    status = 200 if request.method == "GET" or editable else 409
    return render(request, "web/score_issue.html", {
        "form": form, "issue": issue, "part": part, "editable": editable, "membership": request.membership,
        "position": issues.index(issue) + 1, "count": len(issues), "part_position": parts.index(part) + 1,
        "part_count": len(parts), "progress": progress, "nav_items": navigation(request, "scoring"),
    }, status=status)


def _next_page(slug: str, issues: list, issue, parts: list, part) -> HttpResponse:
    """After "Save and continue": the issue's next part, else the next issue's first, else the task list."""
    if part is not parts[-1]:
        return redirect("web:score_part", slug, issue.id, parts[parts.index(part) + 1].id)
    following = issues[issues.index(issue) + 1:]
    return redirect("web:score_part", slug, following[0].id, parts[0].id) if following else redirect("web:scoring", slug)


def _save_scores(request: HttpRequest, issue_id: str, criteria, suggestions, cleaned: dict) -> None:
    """Upsert the page's changed scores in one statement and audit each change (old values read
    inside the transaction, so two tabs saving at once still audit what each replaced)."""
    with transaction.atomic():
        existing = {s.criterion_id: s for s in Score.objects.select_for_update().filter(
            membership=request.membership, issue_id=issue_id)}
        changed = []
        for criterion in criteria:
            value = cleaned.get(criterion.id)
            if value in (None, ""):
                continue
            reason = cleaned.get(reason_field_name(criterion.id), "") or ""
            old = existing.get(criterion.id)
            if old is not None and old.value == value and old.reason == reason:
                continue
            suggestion = suggestions.get(criterion.id)
            changed.append(Score(membership=request.membership, issue_id=issue_id, criterion_id=criterion.id,
                                 value=value, reason=reason, suggested=suggestion.value if suggestion else None))
            record(request, "score", f"{issue_id}/{criterion.id}", f"{old.value:g}" if old else "", f"{value:g}", reason)
        Score.objects.bulk_create(changed, update_conflicts=True, unique_fields=["membership", "issue_id", "criterion_id"],
                                  update_fields=["value", "reason", "suggested", "updated"])


@for_roles(Role.SCORER)
@require_POST
def submit_scores(request: HttpRequest, slug: str) -> HttpResponse:
    if not _can_edit(request):
        return redirect("web:scoring", slug)
    criteria = library.scoring_method(request.assessment).criteria
    issues = library.issue_register(request.assessment).issues
    scored = _scores_by_issue(request.membership)
    if any(len(scored.get(issue.id, {})) < len(criteria) for issue in issues):
        return redirect(reverse("web:scoring", args=[slug]) + "?incomplete=1")
    with transaction.atomic():
        Membership.objects.filter(pk=request.membership.pk).update(submitted_at=timezone.now())
        record(request, "submit scores", request.membership.organisation, "", "submitted", "")
    messages.success(request, "Your scores have been sent to the analyst")
    return redirect("web:scoring", slug)


def _all_scores(assessment: Assessment, submitted_only: bool) -> list[dict]:
    scores = Score.objects.filter(membership__assessment=assessment).select_related("membership__user")
    if submitted_only:
        scores = scores.filter(membership__submitted_at__isnull=False)
    return [
        {
            "scorer": s.membership.user.get_username(), "organisation": s.membership.organisation,
            "issue_id": s.issue_id, "criterion_id": s.criterion_id, "value": s.value, "suggested": s.suggested,
            "reason": s.reason,
        }
        for s in scores
    ]


@for_roles(Role.ANALYST)
def round_view(request: HttpRequest, slug: str) -> HttpResponse:
    """The analyst's view: who has scored what, and the aggregated matrix of submitted scores."""
    assessment = request.assessment
    total = len(library.scoring_method(assessment).criteria) * len(library.issue_register(assessment).issues)
    progress = [
        {"membership": m, "done": m.scores.count(), "total": total}
        for m in assessment.memberships.filter(role=Role.SCORER).select_related("user").order_by("organisation")
    ]
    results, missing = _results(assessment)
    return render(request, "web/round.html", {
        "progress": progress, "results": results, "missing": missing, "membership": request.membership,
        "nav_items": navigation(request, "round"),
    })


def submitted_scores(assessment: Assessment) -> list[dict]:
    return _all_scores(assessment, submitted_only=True)


def _results(assessment: Assessment):
    """The aggregated matrix from cspkit.risk, or why there is none yet."""
    scores = submitted_scores(assessment)
    if not scores:
        return None, "No scorer has submitted yet."
    return library.round_results(assessment, scores), ""


@for_roles(Role.ANALYST)
@require_POST
def change_round(request: HttpRequest, slug: str, action: str) -> HttpResponse:
    """Lock the round (no more scoring) or release the locked results to every partner."""
    moves = {
        "lock": (Assessment.RoundState.OPEN, Assessment.RoundState.LOCKED, "The round is locked"),
        "release": (Assessment.RoundState.LOCKED, Assessment.RoundState.RELEASED, "The results are released to partners"),
    }
    if action not in moves:
        raise Http404("No such round action")
    before, after, notice = moves[action]
    with transaction.atomic():
        changed = Assessment.objects.filter(pk=request.assessment.pk, round_state=before).update(round_state=after)
        if changed:
            record(request, f"{action} round", request.assessment.slug, before, after, "")
            messages.success(request, notice)
    return redirect("web:round", slug)


@for_roles(Role.ANALYST)
def audit_log(request: HttpRequest, slug: str) -> HttpResponse:
    entries = request.assessment.audit.select_related("user")[:500]
    return render(request, "web/audit.html", {
        "entries": entries, "membership": request.membership, "nav_items": navigation(request, "round"),
    })


@for_roles(*EVERYONE)
def results(request: HttpRequest, slug: str) -> HttpResponse:
    """The risk matrix: the analyst always; partners only once the analyst releases it."""
    assessment = request.assessment
    visible = request.membership.role == Role.ANALYST or assessment.round_state == Assessment.RoundState.RELEASED
    table, missing = _results(assessment) if visible else (None, "")
    own = request.membership.scores.order_by("issue_id", "criterion_id") if request.membership.role == Role.SCORER else []
    return render(request, "web/results.html", {
        "visible": visible, "results": table, "missing": missing, "own": own, "membership": request.membership,
        "nav_items": navigation(request, "results"),
    })
