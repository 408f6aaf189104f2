"""The document-build worker for a deployment with several app servers: run one or more of these."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from cspkit.web import jobs
from cspkit.web.management.database import require_migrated


class Command(BaseCommand):
    help = "Build queued documents. Runs until stopped, or once with --once."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="Build what is queued now, then stop")
        parser.add_argument("--poll", type=float, default=5.0, help="Seconds between looks at the queue")

    def handle(self, *args, **options) -> None:
        require_migrated()
        while True:
            built = jobs.run_pending()
            if built:
                self.stdout.write(f"Built {built} document job(s)")
            if options["once"]:
                return
            time.sleep(options["poll"])
