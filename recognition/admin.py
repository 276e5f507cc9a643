"""Moderation console for uploads: hide/unhide, delete with files, re-run.

Every action goes through ``recognition.services`` and is written to the
audit log. The image preview is served by a staff-only admin view.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from recognition import quotas, services
from recognition.models import Event, Lane, Result, Sighting, TextVersion, Upload
from recognition.web.files import image_response
from teams import audit


class ResultInline(admin.StackedInline):
    model = Result
    extra = 0
    can_delete = False
    readonly_fields = ["text", "version", "engine_text", "confidence", "engine_version", "timings", "reused",
                       "created_at"]
    exclude = ["lines"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class TextVersionInline(admin.TabularInline):
    """The text's history, read-only: versions are never edited or removed."""

    model = TextVersion
    extra = 0
    can_delete = False
    fields = readonly_fields = ["number", "kind", "author_name", "created_at", "parent", "reverted_to",
                                "became_current", "profile", "text"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class SightingInline(admin.TabularInline):
    model = Sighting
    extra = 0
    readonly_fields = ["user", "original_name", "seen_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Upload)
class UploadAdmin(admin.ModelAdmin):
    list_display = ["id", "original_name", "team", "uploaded_by", "status", "lane", "image_type", "size", "hidden", "pinned",
                    "created_at"]
    # Status + lane + team: the queue's depth per team and lane.
    list_filter = ["status", "lane", "hidden", "pinned", "image_type", "team", "created_at"]
    search_fields = ["original_name", "md5", "sha256", "result__text", "uploaded_by__username"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "team", "uploaded_by", "preview", "file_path", "md5", "sha256", "original_name", "byte_size", "width",
        "height", "image_type", "status", "lane", "error", "attempts", "created_at", "enqueued_at", "started_at",
        "finished_at", "hidden",
    ]
    fields = readonly_fields + ["pinned"]
    inlines = [ResultInline, TextVersionInline, SightingInline]
    actions = ["hide", "unhide", "rerun", "delete_with_files"]
    list_select_related = ["team", "uploaded_by"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        # Deleting goes through the service (files, events, audit) only.
        actions.pop("delete_selected", None)
        return actions

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    # The changelist links to the queue view (object tools).
    change_list_template = "admin/recognition/upload/change_list.html"

    def get_urls(self):
        return [
            path("<int:pk>/image/", self.admin_site.admin_view(self.image_view), name="recognition_upload_image"),
            path("queue/", self.admin_site.admin_view(self.queue_view), name="recognition_upload_queue"),
        ] + super().get_urls()

    def queue_view(self, request) -> TemplateResponse:
        """Queue depth per team and lane beside each team's quotas: who fills
        the queue, and who is at a limit."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        rows = [
            {
                "row": row,
                "lanes": [(lane, label, *row.lanes[lane]) for lane, label in Lane.choices],
                "stored": quotas.size_label(row.usage.stored_bytes),
                "stored_limit": quotas.size_label(row.team.stored_bytes_limit) if row.team.stored_bytes_limit else "",
            }
            for row in quotas.queue_report()
        ]
        return TemplateResponse(request, "admin/recognition/upload/queue.html", {
            **self.admin_site.each_context(request),
            "title": "Queue depth per team",
            "opts": self.model._meta,
            "rows": rows,
            "lane_labels": [label for _, label in Lane.choices],
            "in_flight": sum(r["row"].usage.queued for r in rows),
        })

    def image_view(self, request, pk: int) -> StreamingHttpResponse:
        upload = Upload.objects.filter(pk=pk).first()
        if upload is None:
            raise Http404
        return image_response(upload, request)

    @admin.display(description="size")
    def size(self, upload: Upload) -> str:
        return f"{upload.width}×{upload.height}"

    @admin.display(description="image")
    def preview(self, upload: Upload) -> str:
        url = reverse("admin:recognition_upload_image", args=[upload.pk])
        return format_html('<a href="{}"><img src="{}" alt="" style="max-width:480px;max-height:320px"></a>', url, url)

    @admin.action(description="Hide from the team")
    def hide(self, request, queryset):
        for upload in queryset.filter(hidden=False):
            services.set_hidden(upload, request.user, True)
        self.message_user(request, "Hidden.", messages.SUCCESS)

    @admin.action(description="Show to the team again")
    def unhide(self, request, queryset):
        for upload in queryset.filter(hidden=True):
            services.set_hidden(upload, request.user, False)
        self.message_user(request, "Shown again.", messages.SUCCESS)

    @admin.action(description="Re-run OCR")
    def rerun(self, request, queryset):
        for upload in queryset:
            services.requeue(upload)
            audit.record(request.user, "upload.rerun", upload, team=upload.team)
        self.message_user(request, "Queued again.", messages.SUCCESS)

    @admin.action(description="Delete with files")
    def delete_with_files(self, request, queryset):
        # As Django's own delete: a confirmation page first, the deletion
        # only when it is posted back.
        if request.POST.get("post") != "yes":
            return TemplateResponse(request, "admin/recognition/upload/delete_with_files_confirmation.html", {
                **self.admin_site.each_context(request),
                "title": "Delete with files?",
                "opts": self.model._meta,
                "uploads": list(queryset.select_related("team", "uploaded_by").order_by("-created_at")),
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            })
        count = 0
        for upload in queryset:
            audit.record(request.user, "upload.delete", upload, team=upload.team, md5=upload.md5, name=upload.original_name)
            services.delete_upload(upload, reason="moderation")
            count += 1
        self.message_user(request, f"{count} upload(s) deleted with their files.", messages.SUCCESS)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "team", "upload_id", "created_at"]
    list_filter = ["kind", "team"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
