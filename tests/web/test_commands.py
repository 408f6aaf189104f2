"""The web app's management commands: linking an assessment.toml without Django admin, and a
plain "run this first" instead of a traceback when the database is not set up."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cspkit.config import load_config
from cspkit.web.models import Assessment

DEMO = Path(__file__).resolve().parents[2] / "demo" / "assessment.toml"


def test_link_assessment_creates_the_assessment_from_the_file(db):
    out = StringIO()
    call_command("link_assessment", str(DEMO), assessment="demo", stdout=out)
    found = Assessment.objects.get(slug="demo")
    config = load_config(DEMO)
    assert (found.config_path, found.name, found.area_code) == (str(DEMO), config.name, config.area_codes[0])
    assert "Created assessment demo" in out.getvalue()
    assert "add_member demo USERNAME --role analyst" in out.getvalue()


def test_link_assessment_points_an_existing_assessment_at_another_file(small_assessment):
    before = small_assessment.config_path
    out = StringIO()
    call_command("link_assessment", str(DEMO), assessment="cb", stdout=out)
    assert Assessment.objects.get(slug="cb").config_path == str(DEMO)
    assert f"it was linked to {before}" in out.getvalue()


@pytest.mark.parametrize("text", [None, "[assessment\n", '[assessment]\narea_codes = ["E06000056"]\nperiod_start = "2021-05"\n'
                                  'period_end = "2024-04"\n[survey]\nquestionnaire = "gone.toml"\n'])
def test_link_assessment_refuses_a_file_it_cannot_read_and_creates_nothing(db, tmp_path, text):
    path = tmp_path / "assessment.toml"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match="cannot link this file"):
        call_command("link_assessment", str(path), assessment="new")
    assert not Assessment.objects.exists()


def _run_web_command(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CSPKIT_WEB_HOME": str(home), "SECRET_KEY": "test-only"}
    env.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "cspkit.web", *args], env=env, capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.mark.parametrize("command", [
    ["add_member", "cb", "ana", "--role", "analyst", "--organisation", "Council", "--password-env", "UNSET"],
    ["link_assessment", str(DEMO)],
    ["run_document_jobs", "--once"],
    ["createsuperuser", "--noinput", "--username", "root", "--email", "root@example.org"],
    ["changepassword", "root"],
])
def test_commands_before_the_database_exists_say_what_to_run_first(tmp_path, command):
    result = _run_web_command(tmp_path, *command)
    assert result.returncode == 1
    assert "Run 'python -m cspkit.web migrate' first" in result.stderr
    assert "Traceback" not in result.stderr
