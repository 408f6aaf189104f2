"""The full role-by-page permission matrix: every URL of an assessment, for anonymous visitors,
a scorer of another assessment, and each role, with the status each must get."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cspkit.web.models import DocumentJob

ANALYST, SCORER, VIEWER = "analyst", "scorer", "viewer"
ALL = {ANALYST, SCORER, VIEWER}

# (url name, extra args, method, roles allowed, status for an allowed role)
PAGES = [
    ("dashboard", [], "get", ALL, 200),
    ("boundaries", [], "get", ALL, 200),
    ("chart", ["recorded-crime"], "get", ALL, 404),  # no warehouse linked here: not found, after the role check
    ("scoring", [], "get", {SCORER}, 200),
    ("score_issue", ["burglary"], "get", {SCORER}, 302),  # to the first part not yet scored
    ("score_part", ["burglary", "harm"], "get", {SCORER}, 200),
    ("submit_scores", [], "post", {SCORER}, 302),
    ("round", [], "get", {ANALYST}, 200),
    ("audit", [], "get", {ANALYST}, 200),
    ("change_round", ["lock"], "post", {ANALYST}, 302),
    ("results", [], "get", ALL, 200),
    ("focus", [], "get", ALL, 200),
    ("vote", [], "get", {SCORER}, 200),
    ("focus_result", [], "get", ALL, 200),
    ("invite", [], "get", {ANALYST}, 200),
    ("resend_invitation", ["SCORER"], "post", {ANALYST}, 302),
    ("remove_member", ["SCORER"], "post", {ANALYST}, 302),
    ("survey_admin", [], "get", {ANALYST}, 200),
    ("survey_review", [], "post", {ANALYST}, 302),
    ("survey_export", [], "get", {ANALYST}, 200),
    ("documents", [], "get", ALL, 200),
    ("build", [], "post", {ANALYST}, 302),
    ("job", ["JOB"], "get", ALL, 200),
    ("download", ["JOB", "assessment.txt"], "get", ALL, 200),
]
WHO = ["anonymous", "outsider", "viewer", "scorer", "analyst"]


def _expected(who: str, allowed: set[str], ok: int) -> int:
    if who == "anonymous":
        return 302  # to the sign-in page
    if who == "outsider":
        return 404  # another assessment's member learns nothing about this one
    return ok if who in allowed else 403


@pytest.fixture
def built_job(small_assessment, members, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    job = DocumentJob.objects.create(
        assessment=small_assessment, requested_by=members["analyst"].user, status=DocumentJob.Status.DONE,
        outputs=["assessment.txt"],
    )
    folder = tmp_path / "media" / small_assessment.slug / str(job.pk)
    folder.mkdir(parents=True)
    (folder / "assessment.txt").write_text("the document", encoding="utf-8")
    return job


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(("name", "args", "method", "allowed", "ok"), PAGES, ids=[p[0] for p in PAGES])
def test_permission_matrix(clients, members, small_assessment, built_job, who, name, args, method, allowed, ok):
    replace = {"JOB": built_job.pk, "SCORER": members["scorer"].pk}
    args = [replace.get(a, a) for a in args]
    url = reverse(f"web:{name}", args=[small_assessment.slug, *args])
    response = getattr(clients[who], method)(url)
    assert response.status_code == _expected(who, allowed, ok), f"{who} {method.upper()} {url}"
    if who == "anonymous":
        assert response["Location"].startswith(reverse("web:login"))


def test_every_assessment_url_is_in_the_matrix():
    """A new page cannot be added without deciding who may see it."""
    resolver = get_resolver()

    def names(patterns, inside_assessment=False):
        for p in patterns:
            if isinstance(p, URLResolver):
                nested = inside_assessment or str(p.pattern) == "a/<slug:slug>/"
                yield from names(p.url_patterns, nested)
            elif isinstance(p, URLPattern) and inside_assessment:
                yield p.name

    assert set(names(resolver.url_patterns)) == {p[0] for p in PAGES}


def test_every_assessment_view_declares_its_roles():
    from cspkit.web import urls

    for pattern in urls.assessment_urls:
        assert getattr(pattern.callback, "allowed_roles", None), f"{pattern.name} has no role check"


@pytest.mark.parametrize("method", ["get", "post"])
def test_get_only_and_post_only_pages_refuse_the_other_method(clients, small_assessment, method):
    posts = {"submit_scores": "scorer", "change_round": "analyst", "survey_review": "analyst", "build": "analyst"}
    for name, who in posts.items():
        args = [small_assessment.slug] + (["lock"] if name == "change_round" else [])
        if method == "get":
            assert clients[who].get(reverse(f"web:{name}", args=args)).status_code == 405


def test_public_pages_need_no_sign_in(client, assessment):
    for name in ("accessibility", "privacy", "login", "password_reset", "password_reset_done", "password_reset_complete"):
        assert client.get(reverse(f"web:{name}")).status_code == 200
    assert client.get(reverse("web:survey_start", args=[assessment.slug])).status_code == 200
    assert client.get(reverse("web:home")).status_code == 302
