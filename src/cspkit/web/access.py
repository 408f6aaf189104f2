"""One permission check used by every assessment page: signed in, a member of this assessment,
and in one of the roles the page allows. Non-members get 404 so an assessment's existence is not
revealed; members in the wrong role get 403; members of an assessment whose assessment.toml cannot
be read get the page that says so (``cspkit.web.errors``)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from cspkit.web import library
from cspkit.web.models import Membership, Role

EVERYONE = (Role.ANALYST, Role.SCORER, Role.VIEWER)


def for_roles(*roles: str) -> Callable:
    """Decorate a view taking ``(request, slug, ...)``; it receives ``request.assessment`` and ``request.membership``."""
    allowed = set(roles or EVERYONE)

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, slug: str, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            # One query: the membership with its assessment and user (no membership, or no such
            # assessment, is the same 404).
            membership = (Membership.objects.select_related("assessment", "user")
                          .filter(user=request.user, assessment__slug=slug).first())
            if membership is None:
                raise Http404("No such assessment")
            assessment = membership.assessment
            if membership.role not in allowed:
                raise PermissionDenied("Your role cannot use this page")
            library.check_config(assessment)  # a missing or broken assessment.toml: cspkit.web.errors' page
            request.assessment = assessment
            request.membership = membership
            return view(request, slug, *args, **kwargs)

        wrapper.allowed_roles = frozenset(allowed)  # read by the permission-matrix test
        return wrapper

    return decorator


def navigation(request: HttpRequest, current: str) -> list[dict]:
    """The service navigation for an assessment page, showing only what this role may open."""
    slug = request.assessment.slug
    role = request.membership.role
    items: list[tuple[str, str, Iterable[str]]] = [
        ("dashboard", "Dashboard", EVERYONE),
        ("scoring", "Score issues", (Role.SCORER,)),
        ("round", "Scoring round", (Role.ANALYST,)),
        ("results", "Risk matrix", EVERYONE),
        ("focus", "Focus group", EVERYONE),
        ("survey_admin", "Survey responses", (Role.ANALYST,)),
        ("documents", "Documents", EVERYONE),
        ("invite", "Invite a partner", (Role.ANALYST,)),
    ]
    return [
        {"href": reverse(f"web:{name}", args=[slug]), "text": text, "active": name == current}
        for name, text, roles in items
        if role in roles
    ]
