"""Where the app's email (password resets and invitations) goes, read from the environment.

``EMAIL_URL`` names the backend in one value, as dj-email-url reads it:

- ``smtp://user:password@host:587`` (STARTTLS), ``smtps://user:password@host:465`` (TLS from the start);
- ``console://`` prints each email to the server's standard output (the laptop default);
- ``file:///absolute/folder`` writes each email as a file in that folder;
- ``memory://`` keeps them in memory (tests).

Without ``EMAIL_URL``, Django's own variables apply (``EMAIL_HOST``, ``EMAIL_PORT``, ``EMAIL_HOST_USER``,
``EMAIL_HOST_PASSWORD``, ``EMAIL_USE_TLS``, ``EMAIL_USE_SSL``): SMTP when ``EMAIL_HOST`` is set, the
console otherwise. ``DEFAULT_FROM_EMAIL`` is the sender.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import unquote, urlparse

from cspkit.errors import ConfigError

SMTP = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def email_settings(environ: Mapping[str, str]) -> dict:
    """Django's EMAIL_* settings from ``EMAIL_URL`` or the separate EMAIL_* variables."""
    sender = {"DEFAULT_FROM_EMAIL": environ.get("DEFAULT_FROM_EMAIL", "cspkit@localhost")}
    url = environ.get("EMAIL_URL", "").strip()
    if not url:
        host = environ.get("EMAIL_HOST", "").strip()
        if not host:
            return {**sender, "EMAIL_BACKEND": CONSOLE}
        return {
            **sender, "EMAIL_BACKEND": SMTP, "EMAIL_HOST": host, "EMAIL_PORT": int(environ.get("EMAIL_PORT", "25")),
            "EMAIL_HOST_USER": environ.get("EMAIL_HOST_USER", ""),
            "EMAIL_HOST_PASSWORD": environ.get("EMAIL_HOST_PASSWORD", ""),
            "EMAIL_USE_TLS": _flag(environ.get("EMAIL_USE_TLS")), "EMAIL_USE_SSL": _flag(environ.get("EMAIL_USE_SSL")),
        }
    parsed = urlparse(url)
    if parsed.scheme == "console":
        return {**sender, "EMAIL_BACKEND": CONSOLE}
    if parsed.scheme == "memory":
        return {**sender, "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if parsed.scheme == "file":
        return {**sender, "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "EMAIL_FILE_PATH": unquote(parsed.path)}
    if parsed.scheme in {"smtp", "smtps"}:
        ssl = parsed.scheme == "smtps"
        return {
            **sender, "EMAIL_BACKEND": SMTP, "EMAIL_HOST": parsed.hostname or "localhost",
            "EMAIL_PORT": parsed.port or (465 if ssl else 587),
            "EMAIL_HOST_USER": unquote(parsed.username or ""), "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
            "EMAIL_USE_SSL": ssl, "EMAIL_USE_TLS": not ssl,
        }
    raise ConfigError(f"EMAIL_URL must start smtp://, smtps://, console://, file:// or memory://, not {parsed.scheme}://")
