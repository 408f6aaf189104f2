"""``python -m cspkit.web COMMAND``: Django's management commands with cspkit's settings, e.g.
``migrate``, ``createsuperuser``, ``add_member``, ``link_assessment`` and ``run_document_jobs``
(see docs/web.md). A command that fails because the database is not set up (or cannot be reached)
says what to run first instead of printing a traceback."""

import os
import sys

from django.core.management import execute_from_command_line
from django.core.management.base import CommandError
from django.db import DatabaseError

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cspkit.web.settings")
    try:
        execute_from_command_line([f"{sys.executable} -m cspkit.web", *sys.argv[1:]])
    except DatabaseError:
        from cspkit.web.management.database import require_migrated

        try:
            require_migrated()
        except CommandError as exc:
            sys.exit(f"CommandError: {exc}")
        raise  # the database is set up: a real error, shown in full
