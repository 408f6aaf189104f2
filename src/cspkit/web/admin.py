"""Django admin: where the analyst (or a county administrator) creates accounts and memberships.
Audit entries are shown read-only: they cannot be edited or deleted here either."""

from typing import ClassVar

from django.contrib import admin

from cspkit.web.models import Assessment, AuditEntry, Ballot, Decision, DocumentJob, Membership, SurveyResponse


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    fields = ("user", "role", "organisation", "submitted_at")


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "round_state", "vote_by", "survey_open")
    prepopulated_fields: ClassVar = {"slug": ("name",)}
    inlines: ClassVar = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "assessment", "role", "organisation", "submitted_at")
    list_filter = ("assessment", "role")


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "assessment", "user", "organisation", "action", "subject", "old", "new")
    list_filter = ("assessment", "action")

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


admin.site.register([Ballot, Decision, DocumentJob])


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    list_display = ("id", "assessment", "submitted", "status", "held_reason")
    list_filter = ("assessment", "status")
    exclude = ("client_key",)
