"""Create (or update) an account and give it a role in an assessment: the admin-created accounts
of a partnership that has no single sign-on."""

from __future__ import annotations

import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cspkit.web.management.database import require_migrated
from cspkit.web.models import Assessment, Membership, Role


class Command(BaseCommand):
    help = "Add a person to an assessment as analyst, scorer or viewer (creating the assessment and account if needed)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("assessment", help="The assessment's short name (slug), e.g. central-beds-2025")
        parser.add_argument("username")
        parser.add_argument("--role", choices=Role.values, required=True)
        parser.add_argument("--organisation", required=True, help="The partner organisation they act for")
        parser.add_argument("--email", default="")
        parser.add_argument("--name", default="", help="The assessment's full name, when creating it")
        parser.add_argument(
            "--password-env", default="", help="Read the password from this environment variable instead of asking"
        )

    def handle(self, *args, **options) -> None:
        require_migrated()
        users = get_user_model()
        with transaction.atomic():
            assessment, created = Assessment.objects.get_or_create(
                slug=options["assessment"], defaults={"name": options["name"] or options["assessment"]}
            )
            if created:
                self.stdout.write(f"Created assessment {assessment.slug}")
            user, new_user = users.objects.get_or_create(username=options["username"], defaults={"email": options["email"]})
            if new_user:
                password = os.environ.get(options["password_env"], "") if options["password_env"] else ""
                password = password or getpass.getpass(f"Password for {user.username}: ")
                try:
                    validate_password(password, user)
                except ValidationError as exc:
                    raise CommandError("; ".join(exc.messages)) from exc
                user.set_password(password)
                user.save()
            Membership.objects.update_or_create(
                user=user, assessment=assessment,
                defaults={"role": options["role"], "organisation": options["organisation"]},
            )
        self.stdout.write(f"{user.username} is {options['role']} for {options['organisation']} in {assessment.slug}")
