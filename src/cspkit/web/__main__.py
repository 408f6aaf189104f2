"""``python -m cspkit.web COMMAND``: Django's management commands with cspkit's settings, e.g.
``migrate``, ``createsuperuser``, ``add_member`` and ``run_document_jobs`` (see docs/web.md)."""

import os
import sys

from django.core.management import execute_from_command_line

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cspkit.web.settings")
    execute_from_command_line([f"{sys.executable} -m cspkit.web", *sys.argv[1:]])
