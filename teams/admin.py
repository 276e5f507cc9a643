"""Admin console for teams, accounts and the audit log.

The admin is the only place that crosses teams. Every moderation action is
written to the audit log through ``teams.audit.record``.
"""

from __future__ import annotations

import csv
import json

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Count
from django.http import HttpResponse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from ocrspace.spreadsheets import csv_safe

from teams import access_tokens, audit
from teams.models import AccessToken, AuditEntry, Invitation, Membership, Team


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "managed_by", "joined_at", "last_used_at"]
    readonly_fields = ["managed_by", "joined_at", "last_used_at"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "retention_days", "max_queued_uploads", "max_stored_bytes", "member_count",
                    "created_at"]
    search_fields = ["name", "slug"]
    list_filter = ["retention_days", "created_at"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_total=Count("memberships"))

    @admin.display(description="members", ordering="member_total")
    def member_count(self, team: Team) -> int:
        return team.member_total


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "role", "managed_by", "joined_at", "last_used_at"]
    list_filter = ["role", "managed_by", "team"]
    search_fields = ["user__username", "user__email", "team__name"]
    autocomplete_fields = ["user", "team"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["team", "role", "email", "created_by", "created_at", "expires_at", "accepted_by", "revoked_at"]
    list_filter = ["role", "team"]
    search_fields = ["team__name", "email"]
    readonly_fields = ["token", "accepted_by", "accepted_at"]


@admin.register(AccessToken)
class AccessTokenAdmin(admin.ModelAdmin):
    """Tokens are made by their users (page, API or ``create_token``); the
    admin sees them and can revoke them, never their secrets."""

    list_display = ["name", "user", "prefix", "scopes", "created_at", "expires_at", "revoked_at", "last_used_at",
                    "last_used_ip"]
    list_filter = ["revoked_at", "expires_at"]
    search_fields = ["name", "prefix", "user__username"]
    fields = list_display + ["teams"]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset) -> None:
        tokens = list(queryset.filter(revoked_at=None))
        for token in tokens:
            access_tokens.revoke_token(request.user, token)
        self.message_user(request, f"{len(tokens)} token(s) revoked.", messages.SUCCESS)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: an audit log that can be edited proves nothing."""

    list_display = ["created_at", "actor_name", "action", "target_type", "target_repr", "team", "address"]
    list_filter = ["action", "target_type", "team"]
    search_fields = ["actor_name", "target_repr", "target_id", "action"]
    date_hierarchy = "created_at"
    actions = ["export_csv"]
    CSV_COLUMNS = ["created_at", "actor_name", "action", "team", "target_type", "target_id", "target_repr", "details"]

    @admin.display(description="address")
    def address(self, entry: AuditEntry) -> str:
        return (entry.details or {}).get("ip") or ""

    @admin.action(description="Export the selected entries as CSV")
    def export_csv(self, request, queryset) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
        writer = csv.writer(response)
        writer.writerow(self.CSV_COLUMNS)
        for entry in queryset.select_related("team").order_by("created_at", "pk").iterator():
            values = [entry.created_at.isoformat(), entry.actor_name, entry.action, entry.team.slug if entry.team else "",
                      entry.target_type, entry.target_id, entry.target_repr, json.dumps(entry.details, ensure_ascii=False)]
            writer.writerow([csv_safe(value) for value in values])
        return response

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# django-otp's own admin pages show a device's key and QR code: staff could
# copy someone's second factor. Staff see who has one and can delete it (a
# user who lost the phone and the recovery codes), nothing more.
for device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)


@admin.register(TOTPDevice)
class AuthenticatorAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__username"]
    fields = list_display
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def delete_model(self, request, obj) -> None:
        audit.record(request.user, "2fa.reset", obj.user, user=obj.user.get_username())
        StaticDevice.objects.filter(user=obj.user).delete()
        super().delete_model(request, obj)


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class OcrspaceUserAdmin(UserAdmin):
    list_display = ["username", "email", "is_active", "is_staff", "date_joined", "last_login"]
    actions = ["deactivate_users", "activate_users"]

    @admin.action(description="Deactivate selected users (they can no longer log in)")
    def deactivate_users(self, request, queryset):
        changed = 0
        for user in queryset.filter(is_active=True).exclude(pk=request.user.pk):
            user.is_active = False
            user.save(update_fields=["is_active"])
            audit.record(request.user, "user.deactivate", user)
            changed += 1
        self.message_user(request, f"{changed} user(s) deactivated.", messages.SUCCESS)

    @admin.action(description="Reactivate selected users")
    def activate_users(self, request, queryset):
        changed = 0
        for user in queryset.filter(is_active=False):
            user.is_active = True
            user.save(update_fields=["is_active"])
            audit.record(request.user, "user.activate", user)
            changed += 1
        self.message_user(request, f"{changed} user(s) reactivated.", messages.SUCCESS)
