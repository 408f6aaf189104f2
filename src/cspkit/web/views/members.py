"""The analyst manages who takes part: invites partners (an account with no password yet, a role
in this assessment, and an email with a one-time link to choose a password, from Django's default
token generator and the password reset confirm view), resends invitations and removes members."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.views.decorators.http import require_POST

from cspkit.web.access import for_roles, navigation
from cspkit.web.audit import record
from cspkit.web.forms import InviteForm
from cspkit.web.models import Ballot, Membership, Role


class InvitationNotSent(Exception):
    """The email backend refused the invitation."""


def _invite(request: HttpRequest, email: str, organisation: str, role: str) -> Membership:
    """Create (or find) the account, give it the role, and email the link; all or nothing."""
    users = get_user_model()
    user = users.objects.filter(email__iexact=email).first()
    if user is None:
        user = users(username=email.lower(), email=email)
        user.set_unusable_password()  # no one can sign in until the partner chooses a password
        user.save()
    membership = Membership.objects.create(user=user, assessment=request.assessment, role=role, organisation=organisation)
    _send_invitation(request, membership)
    record(request, "invite", user.get_username(), "", f"{role} for {organisation}", "")
    return membership


def _send_invitation(request: HttpRequest, membership: Membership) -> None:
    """Email the invitation, with a fresh one-time set-password link while the person has no password."""
    user = membership.user
    link = ""
    if not user.has_usable_password():
        token = default_token_generator.make_token(user)
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        link = request.build_absolute_uri(reverse("web:password_reset_confirm", args=[uid, token]))
    context = {
        "assessment": request.assessment, "role": Role(membership.role).label, "organisation": membership.organisation,
        "link": link, "invited_by": request.user.get_full_name() or request.user.get_username(),
        "username": user.get_username(), "sign_in": request.build_absolute_uri(reverse("web:login")),
    }
    try:
        send_mail(
            render_to_string("web/email/invitation_subject.txt", context).strip(),
            render_to_string("web/email/invitation.txt", context),
            None, [user.email],
        )
    except OSError as exc:  # SMTP refused or unreachable: the caller's transaction rolls back
        raise InvitationNotSent(str(exc)) from exc


def _member(request: HttpRequest, member_id: int) -> Membership:
    """A membership of this assessment (another assessment's is 404, like everything else of it)."""
    return get_object_or_404(Membership.objects.select_related("user"), pk=member_id, assessment=request.assessment)


@for_roles(Role.ANALYST)
def invite(request: HttpRequest, slug: str) -> HttpResponse:
    """Invite a partner as a scorer or a viewer of this assessment."""
    assessment = request.assessment
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if Membership.objects.filter(assessment=assessment, user__email__iexact=email).exists():
            form.add_error("email", "This person is already a member of this assessment")
        else:
            try:
                with transaction.atomic():
                    _invite(request, email, form.cleaned_data["organisation"], form.cleaned_data["role"])
            except InvitationNotSent:
                form.add_error("email", "The invitation email could not be sent. Try again later, or ask your "
                                        "administrator to check the email settings")
            else:
                messages.success(request, f"Invitation sent to {email}")
                return redirect("web:invite", slug)
    members = assessment.memberships.select_related("user").order_by("role", "organisation", "user__username")
    return render(request, "web/invite.html", {
        "form": form, "members": members, "membership": request.membership, "nav_items": navigation(request, "invite"),
    }, status=400 if form.errors else 200)


@for_roles(Role.ANALYST)
@require_POST
def resend(request: HttpRequest, slug: str, member_id: int) -> HttpResponse:
    """Send the invitation again, with a new link (the old one stops working once a password is set)."""
    member = _member(request, member_id)
    if member.user.has_usable_password():
        messages.info(request, f"{member.user.get_username()} has already chosen a password")
        return redirect("web:invite", slug)
    try:
        with transaction.atomic():
            _send_invitation(request, member)
            record(request, "resend invitation", member.user.get_username(), "", member.role, "")
    except InvitationNotSent:
        messages.error(request, "The invitation email could not be sent. Try again later, or ask your administrator "
                                "to check the email settings")
    else:
        messages.success(request, f"Invitation sent again to {member.user.email}")
    return redirect("web:invite", slug)


@for_roles(Role.ANALYST)
@require_POST
def remove(request: HttpRequest, slug: str, member_id: int) -> HttpResponse:
    """Take someone off this assessment. Their account stays (they may belong to others), and a
    member whose scores or vote are part of the record stays on it: removing them would rewrite it."""
    member = _member(request, member_id)
    name = member.user.get_username()
    if member.pk == request.membership.pk:
        messages.error(request, "You cannot remove yourself: ask another analyst, or use Django admin")
    elif member.scores.exists() or Ballot.objects.filter(membership=member).exists():
        messages.error(request, f"{name} has scores or a vote in this assessment, so they stay on its record")
    else:
        with transaction.atomic():
            member.delete()
            record(request, "remove member", name, f"{member.role} for {member.organisation}", "", "")
        messages.success(request, f"{name} is no longer a member of this assessment")
    return redirect("web:invite", slug)
