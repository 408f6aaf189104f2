"""Write the audit trail: one append-only entry per change, saying who, when, old, new and why."""

from __future__ import annotations

from django.http import HttpRequest

from cspkit.web.models import AuditEntry


def record(request: HttpRequest, action: str, subject: str, old: object, new: object, reason: str) -> AuditEntry:
    return AuditEntry.objects.create(
        assessment=request.assessment,
        user=request.user,
        organisation=request.membership.organisation,
        action=action,
        subject=subject,
        old="" if old is None else str(old),
        new="" if new is None else str(new),
        reason=reason,
    )
