"""Signing in (with the failed-attempt throttle), accounts made by the management command,
security headers, database settings from the environment and logs without personal data."""

from __future__ import annotations

import logging

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from tests.web.conftest import PASSWORD

from cspkit.errors import ConfigError
from cspkit.web.models import LoginFailure, Membership
from cspkit.web.security import NoPersonalDataFilter
from cspkit.web.settings import database_from_url


def sign_in(client: Client, username: str, password: str):
    return client.post(reverse("web:login"), {"username": username, "password": password})


def test_sign_in_and_wrong_password(members):
    client = Client()
    page = sign_in(client, "sam", "wrong")
    assert page.status_code == 200
    html = BeautifulSoup(page.content, "html.parser")
    assert "Enter a correct username and password" in html.select_one(".govuk-error-summary").get_text()
    assert sign_in(client, "sam", PASSWORD).status_code == 302
    assert client.get(reverse("web:home")).status_code == 200


def test_older_hashes_are_rehashed_with_our_argon2id_settings_at_sign_in(members, settings):
    from cspkit.web import settings as web_settings

    settings.PASSWORD_HASHERS = web_settings.PASSWORD_HASHERS
    user = members["scorer"].user
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save()
    assert sign_in(Client(), "sam", PASSWORD).status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert sign_in(Client(), "sam", PASSWORD).status_code == 302  # the new hash verifies
    stock = Argon2PasswordHasher()  # Django's own Argon2 settings: verified, then rehashed with ours
    user.password = stock.encode(PASSWORD, stock.salt())
    user.save()
    assert "m=102400" in user.password
    assert sign_in(Client(), "sam", PASSWORD).status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_too_many_failures_lock_the_username_from_that_address(members, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    client = Client(REMOTE_ADDR="192.0.2.1")
    for _ in range(3):
        assert sign_in(client, "sam", "wrong").status_code == 200
    locked = sign_in(client, "sam", PASSWORD)  # even the right password is refused while locked
    assert locked.status_code == 429
    assert "Too many attempts" in locked.content.decode()
    assert sign_in(Client(REMOTE_ADDR="192.0.2.2"), "sam", PASSWORD).status_code == 302  # another address
    assert sign_in(Client(REMOTE_ADDR="192.0.2.1"), "val", PASSWORD).status_code == 302  # another user
    assert not LoginFailure.objects.filter(key__contains="sam").exists()  # keys are hashes


def test_lock_expires(members, settings):
    settings.LOGIN_FAILURE_LIMIT = 1
    client = Client()
    sign_in(client, "sam", "wrong")
    assert sign_in(client, "sam", PASSWORD).status_code == 429
    settings.LOGIN_LOCK_MINUTES = 0
    assert sign_in(client, "sam", PASSWORD).status_code == 302


def test_sign_out_needs_a_post(clients):
    assert clients["scorer"].get(reverse("web:logout")).status_code == 200
    assert clients["scorer"].get(reverse("web:home")).status_code == 200
    clients["scorer"].post(reverse("web:logout"))
    assert clients["scorer"].get(reverse("web:home")).status_code == 302


def test_add_member_command_creates_a_hashed_account(db, monkeypatch):
    monkeypatch.setenv("NEW_PASSWORD", "a-perfectly-fine-password-7")
    call_command("add_member", "beds", "kim", "--role", "scorer", "--organisation", "Probation",
                 "--password-env", "NEW_PASSWORD", "--name", "Bedford 2025")
    user = get_user_model().objects.get(username="kim")
    assert user.password != "a-perfectly-fine-password-7" and user.check_password("a-perfectly-fine-password-7")
    membership = Membership.objects.get(user=user)
    assert (membership.assessment.slug, membership.role, membership.organisation) == ("beds", "scorer", "Probation")


def test_add_member_refuses_a_weak_password(db, monkeypatch):
    from django.core.management.base import CommandError

    monkeypatch.setenv("NEW_PASSWORD", "123")
    with pytest.raises(CommandError, match="too short"):
        call_command("add_member", "beds", "kim", "--role", "viewer", "--organisation", "X", "--password-env", "NEW_PASSWORD")


def test_security_headers(client, assessment):
    response = client.get(reverse("web:survey_start", args=["cb"]))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in response


def test_hsts_behind_tls(assessment):
    with override_settings(SECURE_HSTS_SECONDS=31_536_000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True):
        response = Client().get(reverse("web:survey_start", args=["cb"]), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_no_inline_scripts_or_styles_so_the_strict_csp_holds(clients, assessment):
    for url in (reverse("web:dashboard", args=["cb"]), reverse("web:survey_start", args=["cb"]), reverse("web:login")):
        html = BeautifulSoup(clients["analyst"].get(url).content, "html.parser")
        assert all(script.get("src") for script in html.select("script")), url
        assert not html.select("style") and not html.select("[style]"), url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://csp:s%40cret@db.example:5433/cspkit",
         {"ENGINE": "django.db.backends.postgresql", "NAME": "cspkit", "USER": "csp", "PASSWORD": "s@cret",
          "HOST": "db.example", "PORT": "5433"}),
        ("sqlite:////var/lib/cspkit/web.sqlite3",
         {"ENGINE": "django.db.backends.sqlite3", "NAME": "/var/lib/cspkit/web.sqlite3"}),
    ],
)
def test_database_url(url, expected):
    config = database_from_url(url)
    assert {k: config[k] for k in expected} == expected


def test_database_url_unknown_scheme():
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        database_from_url("mysql://x/y")


def test_log_lines_lose_addresses_and_emails():
    args = ("203.0.113.5", "a@b.org", "q")
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "login from %s by %s at /a?u=%s", args, None)
    NoPersonalDataFilter().filter(record)
    assert record.getMessage() == "login from [address] by [email] at /a?[query]"
