"""Link an assessment.toml to an assessment (created if new) without Django admin: what
``cspkit serve --config`` does, for a gunicorn deployment."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from cspkit.errors import CspkitError
from cspkit.web.linking import link_assessment
from cspkit.web.management.database import require_migrated


class Command(BaseCommand):
    help = "Link an assessment.toml to an assessment of the web app, creating the assessment if it is new."

    def add_arguments(self, parser) -> None:
        parser.add_argument("config", help="The assessment.toml (or the folder holding it)")
        parser.add_argument("--assessment", default="", help="Short name (slug); default: made from the config's name")

    def handle(self, *args, **options) -> None:
        require_migrated()
        try:
            linked = link_assessment(options["config"], options["assessment"])
        except CspkitError as exc:
            raise CommandError(str(exc)) from exc
        found = linked.assessment
        verb = "Created assessment" if linked.created else "Linked assessment"
        before = f" (it was linked to {linked.replaced})" if linked.replaced else ""
        self.stdout.write(f"{verb} {found.slug} ({found.name}) to {found.config_path}{before}.")
        if not found.memberships.exists():
            self.stdout.write(f"Add its first analyst: python -m cspkit.web add_member {found.slug} USERNAME "
                              "--role analyst --organisation ORG")
