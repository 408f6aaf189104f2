"""Signing in and out (with a throttle on failed attempts), password resets by email (Django's
own views and token generator, GOV.UK templates), the home page and the static pages."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import (
    LoginView,
    PasswordResetCompleteView,
    PasswordResetConfirmView,
    PasswordResetDoneView,
    PasswordResetView,
)
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cspkit.web.forms import ChoosePasswordForm, ResetRequestForm, SignInForm
from cspkit.web.models import LoginFailure
from cspkit.web.security import client_key


def _failure_key(request: HttpRequest) -> str:
    username = request.POST.get("username", "").strip().lower()
    return hashlib.sha256(f"{username}|{client_key(request)}".encode()).hexdigest()


def _over_limit(key: str) -> bool:
    """Whether ``key`` (a hashed username and address, or address) has used up its attempts for now."""
    since = timezone.now() - timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
    return LoginFailure.objects.filter(key=key, at__gte=since).count() >= settings.LOGIN_FAILURE_LIMIT


class ThrottledLoginView(LoginView):
    """Django's sign-in, refusing a username from an address after too many failures in a period."""

    template_name = "web/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        key = _failure_key(request)
        if _over_limit(key):
            return render(request, "web/login_locked.html", {"minutes": settings.LOGIN_LOCK_MINUTES}, status=429)
        response = super().post(request, *args, **kwargs)
        if response.status_code == 200:  # the form was shown again: a failed attempt
            LoginFailure.objects.create(key=key)
        else:
            LoginFailure.objects.filter(key=key).delete()
        return response


class ResetRequestView(PasswordResetView):
    """Ask for a password reset link. The page says the same whether or not the address is known
    (so it reveals no accounts), and one address may ask only so often (the sign-in limits)."""

    template_name = "web/password_reset.html"
    email_template_name = "web/email/password_reset.txt"
    subject_template_name = "web/email/password_reset_subject.txt"
    form_class = ResetRequestForm
    success_url = reverse_lazy("web:password_reset_done")

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        key = hashlib.sha256(f"password reset|{client_key(request)}".encode()).hexdigest()
        if _over_limit(key):
            return render(request, "web/password_reset_locked.html", {"minutes": settings.LOGIN_LOCK_MINUTES}, status=429)
        LoginFailure.objects.create(key=key)
        return super().post(request, *args, **kwargs)


class ResetDoneView(PasswordResetDoneView):
    template_name = "web/password_reset_done.html"


class ChoosePasswordView(PasswordResetConfirmView):
    """Choose a password from a reset or invitation link (Django's default token generator: the
    link works once, and expires after PASSWORD_RESET_TIMEOUT). The person is not signed in here:
    they sign in on the throttled sign-in page afterwards."""

    template_name = "web/password_set.html"
    form_class = ChoosePasswordForm
    success_url = reverse_lazy("web:password_reset_complete")
    post_reset_login = False


class ResetCompleteView(PasswordResetCompleteView):
    template_name = "web/password_reset_complete.html"


@require_http_methods(["GET", "POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        logout(request)
        return redirect("web:login")
    return render(request, "web/logout.html")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    memberships = request.user.memberships.select_related("assessment").order_by("assessment__name")
    return render(request, "web/home.html", {"memberships": memberships})


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "web/accessibility.html")


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "web/privacy.html")
