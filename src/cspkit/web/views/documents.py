"""The dashboard (headline figures, charts, the LSOA map with its table) and the documents:
download links, and rebuilds requested here and run by the background worker."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cspkit.data.geography import MAP_ATTRIBUTION
from cspkit.errors import CspkitError
from cspkit.web import jobs, library
from cspkit.web.access import EVERYONE, for_roles, navigation
from cspkit.web.audit import record
from cspkit.web.models import DocumentJob, Role, SurveyResponse


@for_roles(*EVERYONE)
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    assessment = request.assessment
    progress = [
        ("Scorers who have submitted", assessment.memberships.filter(role=Role.SCORER, submitted_at__isnull=False).count()),
        ("Survey responses accepted", assessment.survey_responses.filter(status=SurveyResponse.Status.ACCEPTED).count()),
        ("Focus group votes", assessment.ballots.count()),
    ]
    try:
        headline, headline_missing = library.headline_figures(assessment), ""
    except (library.NotAvailable, CspkitError) as exc:  # no warehouse linked, or the analysis' own reason
        headline, headline_missing = [], str(exc)
    try:
        charts, charts_missing = library.dashboard_charts(assessment), ""
    except (library.NotAvailable, CspkitError) as exc:
        charts, charts_missing = [], str(exc)
    areas = library.map_areas(assessment)
    return render(request, "web/dashboard.html", {
        "progress": progress, "headline": headline, "headline_missing": headline_missing, "areas": areas,
        "map_attribution": MAP_ATTRIBUTION,
        "charts": charts, "charts_missing": charts_missing,
        "latest": assessment.jobs.filter(status=DocumentJob.Status.DONE).first(),
        "membership": request.membership, "nav_items": navigation(request, "dashboard"),
    })


@for_roles(*EVERYONE)
def chart(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """One dashboard chart as a PNG (drawn by the documents' own chart code, kept until the warehouse changes)."""
    try:
        png = library.chart_png(request.assessment, key)
    except (library.NotAvailable, CspkitError) as exc:
        raise Http404(str(exc)) from exc
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, max-age=300"
    return response


@for_roles(*EVERYONE)
def boundaries(request: HttpRequest, slug: str) -> HttpResponse:
    """The bundled LSOA boundaries of the area, for the map (no web tiles are ever fetched)."""
    geojson = library.area_boundaries(request.assessment)
    if geojson is None:
        raise Http404("No boundaries are bundled for this area")
    return HttpResponse(geojson, content_type="application/geo+json")


@for_roles(*EVERYONE)
def documents(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "web/documents.html", {
        "jobs": request.assessment.jobs.select_related("requested_by")[:10],
        "membership": request.membership, "nav_items": navigation(request, "documents"),
    })


@for_roles(Role.ANALYST)
@require_POST
def build(request: HttpRequest, slug: str) -> HttpResponse:
    """Queue a rebuild; a second request while one is waiting does not queue another."""
    waiting = request.assessment.jobs.filter(status__in=[DocumentJob.Status.QUEUED, DocumentJob.Status.RUNNING]).first()
    job = waiting or DocumentJob.objects.create(assessment=request.assessment, requested_by=request.user)
    if waiting is None:
        record(request, "build documents", f"job {job.pk}", "", "queued", "")
        messages.success(request, "The documents are being rebuilt")
    jobs.wake_worker()
    return redirect("web:job", slug, job.pk)


@for_roles(*EVERYONE)
def job(request: HttpRequest, slug: str, job_id: int) -> HttpResponse:
    """Progress of one build. While it runs the page reloads itself (an HTTP Refresh header, no
    JavaScript) unless the reader turns that off."""
    found = get_object_or_404(DocumentJob, pk=job_id, assessment=request.assessment)
    running = found.status in (DocumentJob.Status.QUEUED, DocumentJob.Status.RUNNING)
    auto = running and request.GET.get("auto") != "off"
    response = render(request, "web/job.html", {
        "job": found, "running": running, "auto": auto, "membership": request.membership,
        "nav_items": navigation(request, "documents"),
    })
    if auto:
        response["Refresh"] = "5"
    return response


@for_roles(*EVERYONE)
def download(request: HttpRequest, slug: str, job_id: int, name: str) -> FileResponse:
    found = get_object_or_404(DocumentJob, pk=job_id, assessment=request.assessment, status=DocumentJob.Status.DONE)
    if name not in found.outputs:
        raise Http404("No such document")
    path: Path = jobs.job_folder(found) / name
    if not path.is_file():
        raise Http404("The document file is missing; rebuild the documents")
    return FileResponse(path.open("rb"), as_attachment=True, filename=name)
