"""One place that turns a missing or broken assessment.toml into a page: a clear explanation (with
the file and the reason for the assessment's analysts, a plain notice for everyone else, residents
included), HTTP 503 and one log line, never a server error."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cspkit.web.library import ConfigProblem
from cspkit.web.models import Membership, Role

log = logging.getLogger("cspkit.web")


class ConfigProblemMiddleware:
    """Catch ``library.ConfigProblem`` from any view (analyst pages and the public survey alike)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ConfigProblem):
            return None
        log.error("assessment %s: its config file %s cannot be used: %s", exception.slug, exception.path, exception.reason)
        analyst = request.user.is_authenticated and Membership.objects.filter(
            user=request.user, assessment__slug=exception.slug, role=Role.ANALYST).exists()
        return render(request, "web/config_problem.html", {"problem": exception if analyst else None}, status=503)
