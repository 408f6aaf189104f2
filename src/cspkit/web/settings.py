"""Django settings, read from the environment so one build serves a laptop and a county.

Nothing here needs editing to deploy: every setting that differs between a laptop and a server
comes from an environment variable (see docs/web.md).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlparse

from cspkit.errors import ConfigError

WEB_DIR = Path(__file__).resolve().parent


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def working_folder() -> Path:
    """Where the laptop defaults (SQLite file, secret key, built documents) live."""
    return Path(os.environ.get("CSPKIT_WEB_HOME", Path.cwd() / "cspkit-web")).expanduser().resolve()


def _secret_key() -> str:
    """SECRET_KEY from the environment; on a laptop, generated once and kept beside the database."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = working_folder() / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key, encoding="utf-8")
    path.chmod(0o600)
    return key


def database_from_url(url: str | None) -> dict:
    """Django's DATABASES['default'] from DATABASE_URL (postgres://... or sqlite:///path); SQLite when unset."""
    if not url:
        path = os.environ.get("CSPKIT_WEB_DB") or str(working_folder() / "cspkit-web.sqlite3")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        # WAL lets readers work while a response is written; IMMEDIATE transactions queue writers
        # instead of failing with "database is locked" when many partners save at once.
        options = {"timeout": 20, "transaction_mode": "IMMEDIATE",
                   "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
        # Each server thread keeps its connection: opening one (and registering Django's SQL
        # functions on it) cost more than the queries of a typical page.
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path, "OPTIONS": options,
                "CONN_MAX_AGE": None, "CONN_HEALTH_CHECKS": True}
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        # sqlite:///relative.db and sqlite:////absolute/path.db, as dj-database-url reads them
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": unquote(parsed.path[1:]) or ":memory:"}
    if parsed.scheme not in {"postgres", "postgresql"}:
        raise ConfigError(f"DATABASE_URL must start postgresql:// or sqlite:///, not {parsed.scheme}://")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parsed.path.lstrip("/")),
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": parsed.hostname or "",
        "PORT": str(parsed.port or ""),
        "CONN_MAX_AGE": int(os.environ.get("CSPKIT_DB_CONN_MAX_AGE", "60")),
        "CONN_HEALTH_CHECKS": True,
    }


SECRET_KEY = _secret_key()
DEBUG = _flag("DEBUG")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "cspkit.web.apps.WebConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "cspkit.web.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "cspkit.web.errors.ConfigProblemMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "cspkit.web.urls"
WSGI_APPLICATION = "cspkit.web.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cspkit.web.context.service",
            ],
        },
    },
]

DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2id (memory-hard; settings and reasons in cspkit.web.hashers) for new and upgraded passwords;
# the other hashers stay so that older hashes still verify and are upgraded at the next sign-in.
PASSWORD_HASHERS = [
    "cspkit.web.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = os.environ.get("STATIC_ROOT") or None
# The vendored GOV.UK Frontend and Leaflet files ship inside the package; WhiteNoise serves them
# straight from there, so neither a laptop nor a worker needs collectstatic or npm.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = Path(os.environ.get("CSPKIT_WEB_MEDIA") or working_folder() / "documents")

# Security headers. HSTS and secure cookies only when the site is served over TLS.
BEHIND_TLS = _flag("SECURE_SSL_REDIRECT") or _flag("CSPKIT_BEHIND_TLS")
SECURE_SSL_REDIRECT = _flag("SECURE_SSL_REDIRECT")
SECURE_HSTS_SECONDS = 31_536_000 if BEHIND_TLS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = BEHIND_TLS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS else None
SESSION_COOKIE_SECURE = BEHIND_TLS
CSRF_COOKIE_SECURE = BEHIND_TLS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSP_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

# Throttles (see docs/web.md). Failed logins per username and address before a lock.
LOGIN_FAILURE_LIMIT = int(os.environ.get("CSPKIT_LOGIN_FAILURE_LIMIT", "5"))
LOGIN_LOCK_MINUTES = int(os.environ.get("CSPKIT_LOGIN_LOCK_MINUTES", "15"))
# Survey responses per address per hour before further ones are held for review (a library or
# council office shares one address, so the rate is generous and nothing is thrown away).
SURVEY_RESPONSES_PER_HOUR = int(os.environ.get("CSPKIT_SURVEY_RESPONSES_PER_HOUR", "60"))
SURVEY_MINIMUM_SECONDS = float(os.environ.get("CSPKIT_SURVEY_MINIMUM_SECONDS", "5"))
# Start the document-build worker thread inside `cspkit serve` (a county runs `cspkit-web worker`).
CSPKIT_WORKER_IN_PROCESS = _flag("CSPKIT_WORKER_IN_PROCESS", True)

# Logs say what happened, never to whom: no addresses, usernames or answers (see security.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_personal_data": {"()": "cspkit.web.security.NoPersonalDataFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["no_personal_data"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("CSPKIT_LOG_LEVEL", "INFO")},
    "loggers": {"django.server": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

# Email for password resets and invitations: EMAIL_URL or Django's EMAIL_* variables (see mail.py).
from cspkit.web.mail import email_settings  # noqa: E402

globals().update(email_settings(os.environ))
