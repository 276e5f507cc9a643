"""Moderation console for uploads: hide/unhide, delete with files, re-run;
and the teams' recognizer training runs, read-only, with a page to start one.

Every action goes through ``recognition.services`` (or
``recognition.teaching.services``) and is written to the audit log. The
image preview is served by a staff-only admin view.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect, StreamingHttpResponse
from django.template import engines
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from ocrspace.errors import DomainError
from recognition import quotas, services
from recognition.models import Event, Lane, Result, Sighting, TeamModel, TextVersion, Upload
from recognition.teaching import services as teaching_services
from recognition.web.files import image_response
from teams import audit
from teams.models import Team


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


class TrainForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.order_by("name"),
                                  help_text="The run uses the team's corrected lines and vocabulary terms.")


# The train page is one form; a template string keeps it beside its view.
TRAIN_PAGE = engines["django"].from_string("""{% extends "admin/base_site.html" %}
{% load i18n admin_urls %}
{% block breadcrumbs %}
<div class="breadcrumbs">
<a href="{% url 'admin:index' %}">{% translate 'Home' %}</a>
&rsaquo; <a href="{% url 'admin:app_list' app_label=opts.app_label %}">{{ opts.app_config.verbose_name }}</a>
&rsaquo; <a href="{% url opts|admin_urlname:'changelist' %}">{{ opts.verbose_name_plural|capfirst }}</a>
&rsaquo; {{ title }}
</div>
{% endblock %}
{% block content %}
<p>Queues a fine-tuning run of the team's recognizer on the training lane. It is adopted (and the team's uploads
read with it) only if it reads the team's held-out lines better and everyday lines about as well.</p>
<form method="post">{% csrf_token %}
{{ form.as_div }}
<div class="submit-row"><input type="submit" class="default" value="Queue the run"></div>
</form>
{% endblock %}""")


@admin.register(TeamModel)
class TeamModelAdmin(admin.ModelAdmin):
    """The teams' training runs, read-only: a run's row changes only through
    the training itself and ``activate`` (the team's page or the API)."""

    list_display = ["team", "number", "status", "active", "profile", "created_at", "finished_at"]
    list_filter = ["status", "active", "team"]
    list_select_related = ["team"]
    search_fields = ["team__name", "team__slug", "reason"]
    readonly_fields = ["team", "number", "profile", "family", "status", "active", "weights_path", "weights_sha256",
                       "metrics", "progress", "reason", "requested_by", "created_at", "started_at", "finished_at"]
    fields = readonly_fields
    actions = ["train_again"]

    def has_add_permission(self, request) -> bool:
        # "Add" is the train page: superusers only (see train_view).
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # A model's weights file goes with its row through the team's deletion only.
        return False

    def get_urls(self):
        return [path("train/", self.admin_site.admin_view(self.train_view), name="recognition_teammodel_train"),
                ] + super().get_urls()

    def add_view(self, request, form_url="", extra_context=None):
        # The changelist's "add" button leads to the train page: a run is
        # asked for, never written by hand.
        return HttpResponseRedirect(reverse("admin:recognition_teammodel_train"))

    def _train(self, request, team: Team) -> TeamModel | None:
        """Ask for a run of ``team`` as the superuser (who holds no role in
        the team; the service records the run and the audit entry as theirs)."""
        try:
            return teaching_services.request_training(team, request.user, as_superuser=True)
        except DomainError as error:
            self.message_user(request, f"{team}: {error.message}", messages.ERROR)
            return None

    def train_view(self, request):
        if not request.user.is_superuser:
            raise PermissionDenied
        form = TrainForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            model = self._train(request, form.cleaned_data["team"])
            if model is not None:
                self.message_user(request, f"Run {model.number} of {model.team} is queued.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:recognition_teammodel_changelist"))
        context = {**self.admin_site.each_context(request), "title": "Train a team's recognizer",
                   "opts": self.model._meta, "form": form}
        return TemplateResponse(request, TRAIN_PAGE, context)

    @admin.action(description="Train these runs' teams again")
    def train_again(self, request, queryset):
        if not request.user.is_superuser:
            raise PermissionDenied
        teams = Team.objects.filter(pk__in=queryset.values("team_id")).order_by("name")
        queued = [model for team in teams if (model := self._train(request, team)) is not None]
        if queued:
            self.message_user(request, f"{len(queued)} run(s) queued.", messages.SUCCESS)
