"""Signing in and out (with a throttle on failed attempts), the home page and the static pages."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cspkit.web.forms import SignInForm
from cspkit.web.models import LoginFailure
from cspkit.web.security import client_key


def _failure_key(request: HttpRequest) -> str:
    username = request.POST.get("username", "").strip().lower()
    return hashlib.sha256(f"{username}|{client_key(request)}".encode()).hexdigest()


class ThrottledLoginView(LoginView):
    """Django's sign-in, refusing a username from an address after too many failures in a period."""

    template_name = "web/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        key = _failure_key(request)
        since = timezone.now() - timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
        if LoginFailure.objects.filter(key=key, at__gte=since).count() >= settings.LOGIN_FAILURE_LIMIT:
            return render(request, "web/login_locked.html", {"minutes": settings.LOGIN_LOCK_MINUTES}, status=429)
        response = super().post(request, *args, **kwargs)
        if response.status_code == 200:  # the form was shown again: a failed attempt
            LoginFailure.objects.create(key=key)
        else:
            LoginFailure.objects.filter(key=key).delete()
        return response


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
