"""What the web app stores: assessments, who belongs to them, scores and their audit trail,
survey responses, ballots, the focus group's decision and document builds.

Scores and answers are stored as plain values keyed by the library's own identifiers (issue,
criterion, question ids), so the library reads them exactly as it reads a workbook or an import.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class Assessment(models.Model):
    """One partnership's strategic assessment: the unit every permission is checked against."""

    class RoundState(models.TextChoices):
        OPEN = "open", "Open for scoring"
        LOCKED = "locked", "Locked"
        RELEASED = "released", "Locked and released to partners"

    class VoteBy(models.TextChoices):
        ORGANISATION = "organisation", "One vote per organisation"
        PERSON = "person", "One vote per person"

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    csp_name = models.CharField(max_length=200, blank=True)
    area_code = models.CharField(max_length=9, blank=True, help_text="The CSP's district code, when there is no config file.")
    config_path = models.CharField(
        max_length=500, blank=True, help_text="assessment.toml of this assessment (for its warehouse and outputs)."
    )
    round_state = models.CharField(max_length=10, choices=RoundState.choices, default=RoundState.OPEN)
    vote_by = models.CharField(max_length=12, choices=VoteBy.choices, default=VoteBy.ORGANISATION)
    survey_open = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """A config path is kept only when the file, and the method, issues and questionnaire it
        names, can be read (Django admin and ``cspkit serve --config`` both check it here)."""
        from cspkit.web import library

        if self.config_path:
            self.config_path = str(Path(self.config_path).expanduser().resolve())
            problem = library.config_problem(self)
            if problem:
                raise ValidationError({"config_path": problem})


class Role(models.TextChoices):
    ANALYST = "analyst", "Analyst"
    SCORER = "scorer", "Partner scorer"
    VIEWER = "viewer", "Viewer"


class Membership(models.Model):
    """A person's role in one assessment, on behalf of one partner organisation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices)
    organisation = models.CharField(max_length=200)
    submitted_at = models.DateTimeField(null=True, blank=True, help_text="When the scorer submitted their scores.")

    class Meta:
        constraints = (models.UniqueConstraint(fields=["user", "assessment"], name="one_role_per_assessment"),)

    def __str__(self) -> str:
        return f"{self.user} ({self.role}, {self.organisation})"


class Score(models.Model):
    """One scorer's current level for one criterion of one issue (drafts until submitted)."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="scores")
    issue_id = models.CharField(max_length=100)
    criterion_id = models.CharField(max_length=100)
    value = models.FloatField()
    suggested = models.FloatField(null=True, blank=True, help_text="The data-suggested level when the score was given.")
    reason = models.TextField(blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["membership", "issue_id", "criterion_id"], name="one_score_per_criterion"),
        )


class AppendOnly(models.Model):
    """A record that can be added but never changed or removed: the audit trail's guarantee."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise PermissionError(f"{type(self).__name__} records cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(f"{type(self).__name__} records cannot be deleted")


class AuditEntry(AppendOnly):
    """Who changed what, when, from what to what, and why."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="audit")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    organisation = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=40)
    subject = models.CharField(max_length=250, blank=True)
    old = models.TextField(blank=True)
    new = models.TextField(blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ("-at", "-id")


class LoginFailure(models.Model):
    """A failed login, keyed by a hash of username and address, for the login throttle."""

    key = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)


class SurveyResponse(models.Model):
    """One resident's submitted questionnaire; its answers are rows of SurveyAnswer (long form)."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        HELD = "held", "Held for review"
        REJECTED = "rejected", "Rejected after review"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="survey_responses")
    token = models.CharField(max_length=64, unique=True, help_text="Idempotency token: one response per form.")
    client_key = models.CharField(max_length=32, db_index=True, help_text="Keyed hash of the address, for flood control.")
    started = models.DateTimeField()
    submitted = models.DateTimeField(auto_now_add=True, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACCEPTED)
    held_reason = models.CharField(max_length=100, blank=True)


class SurveyAnswer(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question_id = models.CharField(max_length=100)
    value = models.TextField()


class Ballot(models.Model):
    """A ranked vote: one per organisation or per person, as the assessment is set."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="ballots")
    voter = models.CharField(max_length=250, help_text="Organisation name or user id, by the assessment's rule.")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT)
    ranking = models.JSONField(help_text="Issue ids, most preferred first.")
    cast = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = (models.UniqueConstraint(fields=["assessment", "voter"], name="one_ballot_per_voter"),)


class Decision(models.Model):
    """The focus group's agreed priorities and knowledge gaps, in the partnership's words."""

    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="decision")
    priorities = models.JSONField(default=list)
    knowledge_gaps = models.JSONField(default=list)
    rationale = models.TextField()
    how_we_will_learn = models.TextField(blank=True, help_text="How the partnership will learn about its knowledge gaps.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    recorded = models.DateTimeField(auto_now=True)


class DocumentJob(models.Model):
    """A request to rebuild the assessment's documents, run by a worker in the background."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Building"
        DONE = "done", "Finished"
        FAILED = "failed", "Failed"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="jobs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    requested = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done.")
    message = models.TextField(blank=True)
    outputs = models.JSONField(default=list, help_text="File names of the built documents.")
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-requested", "-id")
