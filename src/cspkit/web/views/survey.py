"""The residents' survey as a public form (one question per page, no JavaScript needed), and the
analyst's page for the responses.

Protection without losing anyone's answers: a hidden honeypot field, a minimum time to complete,
and a generous hourly rate per address. A response that trips any of them is still stored, marked
"held for review", and the analyst accepts or rejects it; only accepted responses are analysed.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_POST

from cspkit.errors import CspkitError
from cspkit.safe_csv import safe_csv
from cspkit.survey.questionnaire import QuestionType
from cspkit.web import library
from cspkit.web.access import for_roles, navigation
from cspkit.web.audit import record
from cspkit.web.forms import HoneypotForm, QuestionForm
from cspkit.web.models import Assessment, Role, SurveyAnswer, SurveyResponse
from cspkit.web.security import client_key


def _open_survey(slug: str) -> Assessment:
    assessment = get_object_or_404(Assessment, slug=slug)
    if not assessment.survey_open:
        raise Http404("This survey is closed")
    return assessment


def _state(request: HttpRequest, slug: str) -> dict | None:
    return request.session.get(f"survey:{slug}")


def _questions(assessment: Assessment) -> list:
    return list(library.questionnaire(assessment).questions)


def start(request: HttpRequest, slug: str) -> HttpResponse:
    """The start page; starting creates the form's idempotency token and notes the time."""
    assessment = _open_survey(slug)
    questions = _questions(assessment)
    if request.method == "POST":
        request.session[f"survey:{slug}"] = {
            "token": secrets.token_urlsafe(24), "started": timezone.now().isoformat(), "answers": {},
        }
        return redirect("web:survey_question", slug, questions[0].id)
    return render(request, "web/survey_start.html", {"assessment": assessment, "count": len(questions)})


def question(request: HttpRequest, slug: str, question_id: str) -> HttpResponse:
    assessment = _open_survey(slug)
    state = _state(request, slug)
    if state is None:
        return redirect("web:survey_start", slug)
    questions = _questions(assessment)
    index = next((n for n, q in enumerate(questions) if q.id == question_id), None)
    if index is None:
        raise Http404("No such question")
    current = questions[index]
    if request.method == "POST":
        form = QuestionForm(request.POST, question=current, validate=library.validate_answer)
        if form.is_valid():
            state["answers"][current.id] = form.cleaned_data["answer"]
            request.session.modified = True
            if request.GET.get("change") or index + 1 == len(questions):
                return redirect("web:survey_check", slug)
            return redirect("web:survey_question", slug, questions[index + 1].id)
    else:
        form = QuestionForm(initial={"answer": state["answers"].get(current.id)}, question=current,
                            validate=library.validate_answer)
    back = questions[index - 1].id if index else None
    return render(request, "web/survey_question.html", {
        "assessment": assessment, "form": form, "question": current, "number": index + 1,
        "count": len(questions), "back": back,
    })


def check(request: HttpRequest, slug: str) -> HttpResponse:
    """Check your answers, then send: the one place a response is stored, and only with every
    required question answered, however the resident moved between the pages."""
    assessment = _open_survey(slug)
    state = _state(request, slug)
    questions = _questions(assessment)
    if request.method == "POST":
        form = HoneypotForm(request.POST)
        token = request.POST.get("token", "")
        if SurveyResponse.objects.filter(token=token).exists():
            return redirect("web:survey_done", slug)  # a second click or a resent form: already stored
        if state is None or not form.is_valid() or token != state["token"]:
            return redirect("web:survey_start", slug)
        if _unanswered(slug, questions, state):
            return _check_page(request, assessment, questions, state, status=400)
        stored, held_reason = _store(request, assessment, state, form.cleaned_data["website"])
        request.session.pop(f"survey:{slug}", None)
        request.session["survey_done"] = stored.token
        if held_reason == "flood":
            return render(request, "web/survey_held.html", {"assessment": assessment}, status=429)
        return redirect("web:survey_done", slug)
    if state is None:
        return redirect("web:survey_start", slug)
    return _check_page(request, assessment, questions, state)


def _unanswered(slug: str, questions: list, state: dict) -> list[dict]:
    """An error for each question whose answer cspkit.survey refuses now (a required question never
    reached, say), linking to that question's page."""
    errors = []
    for question in questions:
        try:
            library.validate_answer(question, state["answers"].get(question.id))
        except ValueError as exc:
            href = reverse("web:survey_question", args=[slug, question.id]) + "?change=1"
            errors.append({"href": href, "text": f"{question.text}: {exc}", "question": question.id})
    return errors


def _check_page(request: HttpRequest, assessment: Assessment, questions: list, state: dict,
                status: int = 200) -> HttpResponse:
    """Check your answers: each answer as it will be stored (free text with contact details taken out,
    and said so), and an error summary for any required question not yet answered."""
    errors = _unanswered(assessment.slug, questions, state)
    missing = {error["question"] for error in errors}
    rows = []
    for question in questions:
        answer = state["answers"].get(question.id)
        stored = library.stored_answer(question, answer)
        rows.append({
            "question": question, "answer": _display(question, answer, stored), "missing": question.id in missing,
            "redacted": question.type == QuestionType.free_text and bool(stored) and stored != [answer],
            "postcode": question.type == QuestionType.postcode and bool(answer),
        })
    form = HoneypotForm(initial={"token": state["token"]})
    return render(request, "web/survey_check.html", {
        "assessment": assessment, "rows": rows, "form": form, "errors": errors,
        "redacted": any(row["redacted"] for row in rows),
    }, status=status)


def _display(question, answer: object, stored: list[str]) -> str:
    """The answer as the resident will see it kept: option labels, and free text as stored."""
    labels = {option.code: option.label for option in question.options}
    if answer in (None, "", []):
        return "Not answered"
    if question.type == QuestionType.free_text:
        return stored[0]
    if isinstance(answer, list):
        return ", ".join(labels.get(a, a) for a in answer)
    return labels.get(answer, str(answer))


def _store(request: HttpRequest, assessment: Assessment, state: dict, honeypot: str) -> tuple[SurveyResponse, str]:
    """Store the response and its answers in long form; decide whether it is held for review."""
    key = client_key(request)
    questionnaire = library.questionnaire(assessment)
    started = parse_datetime(state["started"])
    recent = SurveyResponse.objects.filter(
        assessment=assessment, client_key=key, submitted__gte=timezone.now() - timedelta(hours=1)
    ).count()
    if honeypot:
        held = "honeypot"
    elif (timezone.now() - started).total_seconds() < settings.SURVEY_MINIMUM_SECONDS:
        held = "too fast"
    elif recent >= settings.SURVEY_RESPONSES_PER_HOUR:
        held = "flood"
    else:
        held = ""
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                assessment=assessment, token=state["token"], client_key=key, started=started,
                status=SurveyResponse.Status.HELD if held else SurveyResponse.Status.ACCEPTED, held_reason=held,
            )
            SurveyAnswer.objects.bulk_create(
                SurveyAnswer(response=response, question_id=question.id, value=value)
                for question in questionnaire.questions
                for value in library.stored_answer(question, state["answers"].get(question.id))
            )
    except IntegrityError:  # the same form sent twice at the same moment
        response = SurveyResponse.objects.get(token=state["token"])
    return response, held


def done(request: HttpRequest, slug: str) -> HttpResponse:
    assessment = get_object_or_404(Assessment, slug=slug)
    return render(request, "web/survey_done.html", {"assessment": assessment})


@for_roles(Role.ANALYST)
def responses(request: HttpRequest, slug: str) -> HttpResponse:
    """The analyst's view: counts by status, held responses to review, and the library's analysis."""
    assessment = request.assessment
    counts = {s: assessment.survey_responses.filter(status=s).count() for s in SurveyResponse.Status.values}
    held = (assessment.survey_responses.filter(status=SurveyResponse.Status.HELD)
            .values_list("held_reason", flat=True))
    held_by_reason = {reason: list(held).count(reason) for reason in set(held)}
    analysis, missing = None, ""
    if counts[SurveyResponse.Status.ACCEPTED]:
        try:
            analysis = library.survey_analysis(assessment, web_responses(assessment))
        except CspkitError as exc:  # e.g. too few responses to weight: the library's reason, shown as it is
            missing = exc.message
    else:
        missing = "No accepted responses yet."
    return render(request, "web/survey_admin.html", {
        "counts": counts, "held_by_reason": held_by_reason, "analysis": analysis, "missing": missing,
        "membership": request.membership, "nav_items": navigation(request, "survey_admin"),
    })


@for_roles(Role.ANALYST)
@require_POST
def review_held(request: HttpRequest, slug: str) -> HttpResponse:
    """Accept or reject every held response with one reason (e.g. all 'flood' from a library's PCs)."""
    reason, decision = request.POST.get("reason", ""), request.POST.get("decision", "")
    status = {"accept": SurveyResponse.Status.ACCEPTED, "reject": SurveyResponse.Status.REJECTED}.get(decision)
    if status is None:
        return redirect("web:survey_admin", slug)
    with transaction.atomic():
        changed = request.assessment.survey_responses.filter(
            status=SurveyResponse.Status.HELD, held_reason=reason).update(status=status)
        record(request, f"{decision} held responses", reason, "held", status, f"{changed} responses")
    messages.success(request, f"{changed} held responses marked {status}")
    return redirect("web:survey_admin", slug)


@for_roles(Role.ANALYST)
def export_responses(request: HttpRequest, slug: str) -> HttpResponse:
    """Accepted responses as a long-form CSV (response, question, answer), as the survey library reads them,
    with text that a spreadsheet would run as a formula led by an apostrophe."""
    frame = web_responses(request.assessment).answers
    response = HttpResponse(safe_csv(frame), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-survey-responses.csv"'
    return response


def web_responses(assessment: Assessment):
    """The accepted web responses as cspkit.survey's SurveyResponses: the export the library analyses."""
    accepted = assessment.survey_responses.filter(status=SurveyResponse.Status.ACCEPTED).order_by("id")
    answers: dict[int, dict[str, list[str]]] = {r.pk: {} for r in accepted}
    for response_id, question_id, value in SurveyAnswer.objects.filter(response__in=accepted).order_by("id").values_list(
        "response_id", "question_id", "value"
    ):
        answers[response_id].setdefault(question_id, []).append(value)
    times = [r.submitted for r in accepted]
    return library.survey_responses(assessment, list(answers.values()), [t.replace(tzinfo=None) for t in times])
