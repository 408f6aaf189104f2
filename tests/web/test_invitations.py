"""Password resets by email (Django's views and token generator, GOV.UK pages) and the analyst's
"invite a partner" page: an account with no password, a role, and a one-time set-password link."""

from __future__ import annotations

import logging
import re

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from tests.web.conftest import PASSWORD

from cspkit.errors import ConfigError
from cspkit.web.mail import CONSOLE, SMTP, email_settings
from cspkit.web.models import AuditEntry, Membership, Role
from cspkit.web.security import NoPersonalDataFilter

NEW_PASSWORD = "a-brand-new-long-password-7"


def link_in(message) -> str:
    return re.search(r"https?://\S+/accounts/reset/\S+/", message.body).group(0)


def choose_password(client: Client, link: str, password: str = NEW_PASSWORD):
    page = client.get(link)  # Django moves the token into the session and redirects
    assert page.status_code == 302
    return client.post(page["Location"], {"new_password1": password, "new_password2": password})


def sign_in(username: str, password: str, **client_kwargs):
    return Client(**client_kwargs).post(reverse("web:login"), {"username": username, "password": password})


# --- password reset ----------------------------------------------------------------------------


def test_password_reset_by_email_link(members):
    members["scorer"].user.email = "sam@example.org"
    members["scorer"].user.save()
    client = Client()
    response = client.post(reverse("web:password_reset"), {"email": "sam@example.org"})
    assert response.status_code == 302 and response["Location"] == reverse("web:password_reset_done")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["sam@example.org"]
    assert choose_password(client, link_in(mail.outbox[0]))["Location"] == reverse("web:password_reset_complete")
    assert sign_in("sam", NEW_PASSWORD).status_code == 302
    assert sign_in("sam", PASSWORD).status_code == 200  # the old password no longer works
    # The link works once.
    page = Client().get(link_in(mail.outbox[0]), follow=True)
    assert "This link has expired" in page.content.decode()


def test_password_reset_reveals_no_accounts(members):
    response = Client().post(reverse("web:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302 and response["Location"] == reverse("web:password_reset_done")
    assert mail.outbox == []


def test_password_reset_errors_are_govuk_errors(db):
    page = Client().post(reverse("web:password_reset"), {"email": "not an address"})
    html = BeautifulSoup(page.content, "html.parser")
    assert "Enter an email address in the correct format" in html.select_one(".govuk-error-summary").get_text()
    assert html.title.get_text().startswith("Error:")


def test_weak_new_password_is_refused_with_django_s_rules(members):
    members["viewer"].user.email = "val@example.org"
    members["viewer"].user.save()
    client = Client()
    client.post(reverse("web:password_reset"), {"email": "val@example.org"})
    page = choose_password(client, link_in(mail.outbox[0]), "password")
    assert page.status_code == 200
    summary = BeautifulSoup(page.content, "html.parser").select_one(".govuk-error-summary")
    assert "This password is too short" in summary.get_text()


def test_too_many_reset_requests_from_one_address_are_refused(members, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    client = Client(REMOTE_ADDR="192.0.2.7")
    for _ in range(2):
        assert client.post(reverse("web:password_reset"), {"email": "x@example.org"}).status_code == 302
    assert client.post(reverse("web:password_reset"), {"email": "x@example.org"}).status_code == 429


def test_login_throttle_still_applies_after_a_reset(members, settings):
    """Choosing a password does not sign anyone in: they sign in on the throttled page."""
    settings.LOGIN_FAILURE_LIMIT = 2
    members["scorer"].user.email = "sam@example.org"
    members["scorer"].user.save()
    client = Client(REMOTE_ADDR="192.0.2.8")
    for _ in range(2):
        sign_in("sam", "wrong", REMOTE_ADDR="192.0.2.8")
    client.post(reverse("web:password_reset"), {"email": "sam@example.org"})
    choose_password(client, link_in(mail.outbox[0]))
    assert client.get(reverse("web:home")).status_code == 302  # not signed in by the reset
    assert sign_in("sam", NEW_PASSWORD, REMOTE_ADDR="192.0.2.8").status_code == 429


def test_reset_tokens_never_reach_our_logs():
    line = '"GET /accounts/reset/MQ/c9x-abc123def/ HTTP/1.1" 302'
    record = logging.LogRecord("django.server", logging.INFO, "", 0, line, None, None)
    NoPersonalDataFilter().filter(record)
    assert "abc123def" not in record.getMessage() and "/accounts/reset/[token]/" in record.getMessage()


# --- invitations -------------------------------------------------------------------------------


def invite(client: Client, **fields):
    data = {"email": "pat@example.org", "organisation": "Bedfordshire Probation", "role": "scorer", **fields}
    return client.post(reverse("web:invite", args=["cb"]), data)


def test_analyst_invites_a_partner_who_chooses_a_password(clients, small_assessment):
    response = invite(clients["analyst"])
    assert response.status_code == 302
    user = get_user_model().objects.get(email="pat@example.org")
    assert not user.has_usable_password()  # no one can sign in before the partner chooses a password
    membership = Membership.objects.get(user=user)
    assert (membership.assessment, membership.role, membership.organisation) == (small_assessment, Role.SCORER,
                                                                                 "Bedfordshire Probation")
    assert mail.outbox[0].to == ["pat@example.org"] and "Central Bedfordshire 2025" in mail.outbox[0].subject
    assert AuditEntry.objects.filter(action="invite", subject="pat@example.org").exists()
    client = Client()
    choose_password(client, link_in(mail.outbox[0]))
    assert sign_in("pat@example.org", NEW_PASSWORD).status_code == 302
    page = client_after_sign_in("pat@example.org").get(reverse("web:scoring", args=["cb"]))
    assert page.status_code == 200  # the invited scorer can score


def client_after_sign_in(username: str) -> Client:
    client = Client()
    client.post(reverse("web:login"), {"username": username, "password": NEW_PASSWORD})
    return client


def test_invitation_link_is_refused_once_used(clients, small_assessment):
    invite(clients["analyst"])
    link = link_in(mail.outbox[0])
    choose_password(Client(), link)
    assert "This link has expired" in Client().get(link, follow=True).content.decode()


def test_inviting_an_existing_account_adds_the_role_without_a_password_link(clients, small_assessment, members):
    outsider = members["outsider"].user
    outsider.email = "oli@example.org"
    outsider.save()
    invite(clients["analyst"], email="OLI@example.org", role="viewer")
    assert Membership.objects.get(user=outsider, assessment=small_assessment).role == Role.VIEWER
    assert outsider.has_usable_password() and "/accounts/reset/" not in mail.outbox[0].body


def test_invite_form_errors(clients, small_assessment, members):
    members["scorer"].user.email = "sam@example.org"
    members["scorer"].user.save()
    for fields, message in [
        ({"email": ""}, "Enter the partner's email address"),
        ({"organisation": ""}, "Enter the partner's organisation"),
        ({"role": "analyst"}, "Select a valid choice"),
        ({"email": "sam@example.org"}, "already a member of this assessment"),
    ]:
        page = invite(clients["analyst"], **fields)
        assert page.status_code == 400
        assert message in BeautifulSoup(page.content, "html.parser").select_one(".govuk-error-summary").get_text()
    assert mail.outbox == [] and not get_user_model().objects.filter(email="pat@example.org").exists()


def test_a_failed_email_creates_no_account(clients, small_assessment, monkeypatch):
    from cspkit.web.views import members as members_view

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr(members_view, "send_mail", refuse)
    page = invite(clients["analyst"])
    assert page.status_code == 400 and "could not be sent" in page.content.decode()
    assert not get_user_model().objects.filter(email="pat@example.org").exists()
    assert not AuditEntry.objects.filter(action="invite").exists()


# --- email settings ----------------------------------------------------------------------------


@pytest.mark.parametrize(("environ", "expected"), [
    ({}, {"EMAIL_BACKEND": CONSOLE}),
    ({"EMAIL_URL": "console://"}, {"EMAIL_BACKEND": CONSOLE}),
    ({"EMAIL_URL": "smtp://u%40x:p%2Fw@mail.example.org:2525"},
     {"EMAIL_BACKEND": SMTP, "EMAIL_HOST": "mail.example.org", "EMAIL_PORT": 2525, "EMAIL_HOST_USER": "u@x",
      "EMAIL_HOST_PASSWORD": "p/w", "EMAIL_USE_TLS": True, "EMAIL_USE_SSL": False}),
    ({"EMAIL_URL": "smtps://mail.example.org"}, {"EMAIL_PORT": 465, "EMAIL_USE_SSL": True, "EMAIL_USE_TLS": False}),
    ({"EMAIL_URL": "file:///tmp/mail"}, {"EMAIL_FILE_PATH": "/tmp/mail"}),
    ({"EMAIL_HOST": "relay.internal", "EMAIL_PORT": "25", "EMAIL_USE_TLS": "1"},
     {"EMAIL_BACKEND": SMTP, "EMAIL_HOST": "relay.internal", "EMAIL_PORT": 25, "EMAIL_USE_TLS": True}),
    ({"DEFAULT_FROM_EMAIL": "safety@example.gov.uk"}, {"DEFAULT_FROM_EMAIL": "safety@example.gov.uk"}),
])
def test_email_settings_from_the_environment(environ, expected):
    found = email_settings(environ)
    assert {k: found[k] for k in expected} == expected


def test_email_url_unknown_scheme():
    with pytest.raises(ConfigError, match="EMAIL_URL"):
        email_settings({"EMAIL_URL": "carrier-pigeon://loft"})


def test_only_the_analyst_is_offered_the_invite_page(clients, small_assessment):
    invite_url = reverse("web:invite", args=["cb"])
    for who, offered in (("analyst", True), ("scorer", False), ("viewer", False)):
        html = BeautifulSoup(clients[who].get(reverse("web:dashboard", args=["cb"])).content, "html.parser")
        assert (html.select_one(f'a[href="{invite_url}"]') is not None) is offered, who


def test_only_the_analyst_has_the_invite_page_in_the_service_navigation(clients, small_assessment):
    from bs4 import BeautifulSoup

    for name, expected in (("analyst", True), ("scorer", False), ("viewer", False)):
        page = clients[name].get(reverse("web:dashboard", args=["cb"]))
        links = {a.get_text(strip=True) for a in BeautifulSoup(page.content, "html.parser").select("nav a")}
        assert ("Invite a partner" in links) is expected, name


def test_resending_an_invitation_sends_a_new_working_link(clients, small_assessment):
    invite(clients["analyst"])
    member = Membership.objects.get(user__email="pat@example.org")
    response = clients["analyst"].post(reverse("web:resend_invitation", args=["cb", member.pk]))
    assert response.status_code == 302 and len(mail.outbox) == 2
    assert AuditEntry.objects.filter(action="resend invitation", subject="pat@example.org").exists()
    choose_password(Client(), link_in(mail.outbox[1]))
    assert sign_in("pat@example.org", NEW_PASSWORD).status_code == 302
    clients["analyst"].post(reverse("web:resend_invitation", args=["cb", member.pk]))
    assert len(mail.outbox) == 2  # a password is chosen: nothing more to send


def test_removing_members(clients, small_assessment, members):
    from cspkit.web.models import Score

    invite(clients["analyst"])
    pat = Membership.objects.get(user__email="pat@example.org")

    def remove(membership):
        response = clients["analyst"].post(reverse("web:remove_member", args=["cb", membership.pk]), follow=True)
        banners = BeautifulSoup(response.content, "html.parser").select(".govuk-notification-banner")
        return " ".join(b.get_text(" ", strip=True) for b in banners)

    assert "no longer a member" in remove(pat)
    assert not Membership.objects.filter(pk=pat.pk).exists()
    assert get_user_model().objects.filter(email="pat@example.org").exists()  # the account stays
    assert AuditEntry.objects.filter(action="remove member", subject="pat@example.org").exists()
    Score.objects.create(membership=members["scorer"], issue_id="burglary", criterion_id="volume", value=3)
    assert "Important" in (refused := remove(members["scorer"])) and "stay on its record" in refused
    assert "cannot remove yourself" in remove(members["analyst"])
    assert Membership.objects.filter(pk__in=[members["scorer"].pk, members["analyst"].pk]).count() == 2
    other = clients["analyst"].post(reverse("web:remove_member", args=["cb", members["outsider"].pk]))
    assert other.status_code == 404 and Membership.objects.filter(pk=members["outsider"].pk).exists()
