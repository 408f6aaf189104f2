"""The security pieces Django 5.2 does not provide itself: a Content-Security-Policy header and a
log filter that keeps personal data out of logs. Everything else (HSTS, X-Frame-Options,
referrer policy, CSRF) is Django's own, switched on in settings."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_IPV4 = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")
_IPV6 = re.compile(r"\b(?:[0-9a-fA-F]{1,4}:){2,7}[0-9a-fA-F]{1,4}\b")
_QUERY = re.compile(r"\?\S*")
# A password reset or invitation link carries its one-time token in the path.
_RESET_TOKEN = re.compile(r"(/accounts/reset/)[^/\s]+/[^/\s]+/")


class ContentSecurityPolicyMiddleware:
    """Send ``Content-Security-Policy`` built from ``settings.CSP_POLICY`` on every response.

    The app uses no inline script or style, so the policy can be strict: only our own origin.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = "; ".join(f"{name} {value}" for name, value in settings.CSP_POLICY.items())

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.header)
        return response


class NoPersonalDataFilter(logging.Filter):
    """Blank out email and IP addresses, query strings and password reset tokens in every log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        for pattern, replacement in ((_EMAIL, "[email]"), (_IPV4, "[address]"), (_IPV6, "[address]"), (_QUERY, "?[query]"),
                                    (_RESET_TOKEN, r"\1[token]/")):
            message = pattern.sub(replacement, message)
        record.msg, record.args = message, None
        return True


def client_key(request: HttpRequest) -> str:
    """A keyed hash of the client's address: enough to count floods, useless to identify anyone."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "") if settings.BEHIND_TLS else ""
    address = forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "")
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]
