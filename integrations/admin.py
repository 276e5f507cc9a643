"""Admin console: webhooks of every team and their delivery log (read-only)."""

from __future__ import annotations

from django.contrib import admin

from integrations.models import Delivery, Webhook


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    fields = ["created_at", "event_kind", "attempt", "outcome", "status_code", "latency_ms", "error"]
    readonly_fields = fields
    ordering = ["-created_at", "-id"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-created_at", "-id")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ["url", "team", "is_active", "consecutive_failures", "last_success_at", "last_failure_at", "created_at"]
    list_filter = ["is_active", "team"]
    search_fields = ["url", "description", "team__name", "team__slug"]
    # The secret signs deliveries; nobody needs to read it back here.
    exclude = ["secret"]
    readonly_fields = ["team", "created_by", "created_at", "consecutive_failures", "disabled_at",
                       "last_success_at", "last_failure_at"]
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The log is evidence of what was sent: it is not edited by hand."""

    list_display = ["created_at", "webhook", "event_kind", "upload_id", "attempt", "outcome", "status_code",
                    "latency_ms", "error"]
    list_filter = ["outcome", "event_kind", "webhook__team"]
    search_fields = ["webhook__url", "delivery_id", "error"]
    date_hierarchy = "created_at"
    list_select_related = ["webhook__team"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
