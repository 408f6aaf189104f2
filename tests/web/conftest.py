"""Django for the web tests only: settings are chosen here, not in pyproject.toml, so the rest of
the suite never loads Django. Runs on SQLite by default and on PostgreSQL when DATABASE_URL is
set (scripts/with-postgres.sh)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import django
import pytest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cspkit.web.settings")
os.environ.setdefault("CSPKIT_WEB_HOME", tempfile.mkdtemp(prefix="cspkit-web-test-"))
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-use-anywhere-else-0123456789")
django.setup()

from django.conf import settings as django_settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402

from cspkit.web.models import Assessment, Membership, Role  # noqa: E402

PASSWORD = "a-long-test-password-42"
# Real deployments hash with Argon2id (settings.PASSWORD_HASHERS); tests use a fast hasher so that hundreds of
# test users do not take minutes.
django_settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_minimum_time(settings):
    """Residents in tests answer instantly; the minimum-time check has its own test."""
    settings.SURVEY_MINIMUM_SECONDS = 0


@pytest.fixture
def assessment(db) -> Assessment:
    return Assessment.objects.create(slug="cb", name="Central Bedfordshire 2025", csp_name="Central Bedfordshire CSP",
                                     area_code="E06000056")


@pytest.fixture
def other_assessment(db) -> Assessment:
    return Assessment.objects.create(slug="luton", name="Luton 2025", area_code="E06000032")


def make_member(assessment: Assessment, username: str, role: str, organisation: str) -> Membership:
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    return Membership.objects.create(user=user, assessment=assessment, role=role, organisation=organisation)


@pytest.fixture
def members(assessment, other_assessment) -> dict[str, Membership]:
    """One person per role, plus a scorer who belongs to another assessment only."""
    return {
        "analyst": make_member(assessment, "ana", Role.ANALYST, "Central Bedfordshire Council"),
        "scorer": make_member(assessment, "sam", Role.SCORER, "Bedfordshire Police"),
        "scorer2": make_member(assessment, "fay", Role.SCORER, "Bedfordshire Fire and Rescue"),
        "viewer": make_member(assessment, "val", Role.VIEWER, "Public Health"),
        "outsider": make_member(other_assessment, "oli", Role.SCORER, "Luton Council"),
    }


def client_for(membership: Membership | None, **kwargs) -> Client:
    client = Client(**kwargs)
    if membership is not None:
        client.force_login(membership.user)
    return client


@pytest.fixture
def clients(members) -> dict[str, Client]:
    return {"anonymous": client_for(None), **{name: client_for(m) for name, m in members.items()}}


SMALL_REGISTER = """
[register]
id = "test-issues"
version = "1"

[[issues]]
id = "burglary"
name = "Burglary"
description = "Burglary of homes and businesses."
crime_categories = ["Burglary"]

[[issues]]
id = "asb"
name = "Anti-social behaviour"
crime_categories = ["Anti-social behaviour"]

[[issues]]
id = "cyber_fraud"
name = "Cyber-crime and fraud"
"""


@pytest.fixture
def small_assessment(assessment, tmp_path) -> Assessment:
    """The assessment linked to an assessment.toml whose register has three issues (fast rounds)."""
    (tmp_path / "issues.toml").write_text(SMALL_REGISTER, encoding="utf-8")
    (tmp_path / "assessment.toml").write_text(
        '[assessment]\narea_codes = ["E06000056"]\nperiod_start = "2021-05"\nperiod_end = "2024-04"\n'
        '[risk]\nissues = "issues.toml"\n',
        encoding="utf-8",
    )
    assessment.config_path = str(tmp_path / "assessment.toml")
    assessment.save()
    return assessment


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory) -> Path:
    """A real warehouse: the demo's police.uk downloads (Bedfordshire) and the bundled reference data."""
    from cspkit.data import warehouse
    from cspkit.data.geography import ensure_reference
    from cspkit.data.police import ingest_police

    path = tmp_path_factory.mktemp("warehouse") / "warehouse.duckdb"
    with warehouse.write(path) as con:
        ensure_reference(con)
    ingest_police(path, [Path(__file__).resolve().parents[2] / "demo" / "police"])
    return path


def link_warehouse(assessment: Assessment, warehouse: Path) -> Assessment:
    """Point the assessment's assessment.toml at a real warehouse (24 months) and the demo horizon register."""
    from cspkit.web import library

    Path(assessment.config_path).write_text(
        '[assessment]\narea_codes = ["E06000056"]\nperiod_start = "2022-05"\nperiod_end = "2024-04"\n'
        f'warehouse = "{warehouse}"\n[risk]\nissues = "issues.toml"\n[horizon]\nregister = "demo"\n',
        encoding="utf-8",
    )
    library._config.cache_clear()
    return assessment


@pytest.fixture
def warehouse_assessment(small_assessment, demo_warehouse) -> Assessment:
    """The small assessment with a real warehouse and the demo horizon register linked."""
    return link_warehouse(small_assessment, demo_warehouse)
