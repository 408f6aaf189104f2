"""WSGI entry point for gunicorn: ``gunicorn cspkit.web.wsgi`` (see docs/web.md)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cspkit.web.settings")
application = get_wsgi_application()
