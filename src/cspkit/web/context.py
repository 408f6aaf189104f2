"""Template context shared by every page."""

from django.http import HttpRequest


def service(request: HttpRequest) -> dict:
    return {"service_name": "Community safety assessment"}
