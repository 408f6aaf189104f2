"""A missing or broken assessment.toml never gives a server error: every page says what is wrong
(the file and the reason for the assessment's analysts; a plain notice for everyone else and for
residents), logs one line, and Django admin refuses to link such a file."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from tests.web.test_permissions import PAGES

from cspkit.web import library
from cspkit.web.models import Assessment

BROKEN = {
    "missing": lambda folder: folder / "no-such-folder" / "assessment.toml",
    "not TOML": lambda folder: _write(folder / "assessment.toml", "[assessment\narea_codes = "),
    "no area codes": lambda folder: _write(folder / "assessment.toml", "[assessment]\nperiod_start = '2021-05'\n"),
    "register missing": lambda folder: _write(
        folder / "assessment.toml",
        '[assessment]\narea_codes = ["E06000056"]\nperiod_start = "2021-05"\nperiod_end = "2024-04"\n'
        '[risk]\nissues = "gone.toml"\n'),
}


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def link(assessment: Assessment, path: Path) -> Assessment:
    Assessment.objects.filter(pk=assessment.pk).update(config_path=str(path))
    library._config.cache_clear()
    return Assessment.objects.get(pk=assessment.pk)


@pytest.fixture(params=sorted(BROKEN))
def broken(request, assessment, tmp_path) -> Assessment:
    return link(assessment, BROKEN[request.param](tmp_path))


GETS = [(name, args) for name, args, method, _roles, _ok in PAGES if method == "get" and "JOB" not in args]


@pytest.mark.parametrize(("name", "args"), GETS)
def test_analyst_and_partner_pages_explain_a_broken_config_and_log_it(broken, clients, members, caplog, name, args):
    roles = next(r for n, _a, _m, r, _o in PAGES if n == name)
    who = min(roles, key=["analyst", "scorer", "viewer"].index)
    with caplog.at_level(logging.ERROR, logger="cspkit.web"):
        page = clients[who].get(reverse(f"web:{name}", args=["cb", *args]))
    assert page.status_code == 503
    text = BeautifulSoup(page.content, "html.parser").get_text(" ")
    if who == "analyst":
        assert broken.config_path in text and "cspkit serve --config" in text
    else:
        assert "not available" in text and broken.config_path not in text
    assert [r.getMessage() for r in caplog.records if "cannot be used" in r.getMessage()]


@pytest.mark.parametrize("kind", ["missing", "not TOML", "no area codes"])
def test_the_public_survey_says_it_is_not_available_without_the_file_path(assessment, tmp_path, caplog, kind):
    broken = link(assessment, BROKEN[kind](tmp_path))
    with caplog.at_level(logging.ERROR, logger="cspkit.web"):
        page = Client().get(reverse("web:survey_start", args=["cb"]))
    assert page.status_code == 503
    text = BeautifulSoup(page.content, "html.parser").get_text(" ")
    assert "Sorry, this page is not available at the moment" in text and broken.config_path not in text
    assert any("assessment cb: its config file" in r.getMessage() for r in caplog.records)


def test_the_public_survey_stays_open_when_only_the_risk_register_is_broken(assessment, tmp_path):
    link(assessment, BROKEN["register missing"](tmp_path))
    assert Client().get(reverse("web:survey_start", args=["cb"])).status_code == 200


def test_admin_refuses_a_config_path_it_cannot_read(assessment, tmp_path, small_assessment):
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "a-long-test-password-42")
    client = Client()
    client.force_login(admin)
    url = reverse("admin:web_assessment_change", args=[assessment.pk])
    form = {"slug": "cb", "name": "Central Bedfordshire 2025", "round_state": "open", "vote_by": "organisation",
            "survey_open": "on", "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"}
    missing = str(tmp_path / "nowhere" / "assessment.toml")
    page = client.post(url, {**form, "config_path": missing})
    assert page.status_code == 200
    error = BeautifulSoup(page.content, "html.parser").select_one(".errorlist")
    assert error is not None and "there is no such file" in error.get_text()
    assert Assessment.objects.get(pk=assessment.pk).config_path == small_assessment.config_path
    assert client.post(url, {**form, "config_path": small_assessment.config_path}).status_code == 302
