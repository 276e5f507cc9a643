"""The result page of one upload and its actions (re-run, pin, delete, download)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ocrspace.errors.web import attempt
from recognition import export, selectors, services, sharing
from recognition.models import Upload
from recognition.result_outputs import UnknownLayout
from recognition.web import organise
from recognition.web.corrections import editor_lines, unsaved_key, waiting_reading
from recognition.web.outputs import page_outputs
from recognition.web.strings import ui_strings
from teams.permissions import can
from teams.roles import Capability

# Lines the recogniser was less sure of than this are marked for checking.
LOW_CONFIDENCE = 0.8
DOWNLOAD_FORMATS = ("txt", "json", "pdf")


def _visible_upload(user, upload_id: int) -> Upload:
    """The upload if it is in one of the user's teams (else 404)."""
    return get_object_or_404(selectors.visible_uploads(user), pk=upload_id)


@login_required
@require_GET
def result_page(request, upload_id: int):
    team = _visible_upload(request.user, upload_id).team
    # The event id is read before the upload it describes, so the page's
    # feed replays any change made in between.
    after_event = selectors.last_event_id(team.pk)
    upload = _visible_upload(request.user, upload_id)
    result = selectors.done_result(upload)
    lines = editor_lines(result, LOW_CONFIDENCE)
    outputs, problems = page_outputs(result, request.GET, lines)  # ?layout=, ?q= (hit highlighting)
    for problem in problems:
        messages.error(request, problem)
    context = {
        **outputs,
        "team": team,
        "upload": upload,
        "result": result,
        "lines": lines,
        "may_correct": result is not None and can(request.user, team, Capability.CORRECT),
        "waiting_reading": waiting_reading(upload, result),
        "unsaved_text": request.session.pop(unsaved_key(upload.pk), None),
        "low_confidence_percent": round(LOW_CONFIDENCE * 100),
        "may_change": can(request.user, team, Capability.UPLOAD),
        "may_delete": services.can_delete(request.user, upload),
        "download_formats": DOWNLOAD_FORMATS,
        "page_numbers": range(1, upload.page_count + 1) if upload.page_count > 1 else (),
        "profiles": settings.OCRSPACE_PROFILES,
        "current_profile": ((result.profile if result else "") or upload.profile or team.ocr_profile
                            or settings.OCRSPACE_DEFAULT_PROFILE),
        "ui_strings": ui_strings(),
        "region_result_url": reverse("upload-result", args=[0]).replace("/0/", "/{id}/"),
        "may_share": result is not None and team.allow_sharing and can(request.user, team, Capability.UPLOAD),
        "share_links": list(sharing.links_for(upload, request.user)[:50]) if result is not None else [],
        "share_days": sharing.EXPIRY_DAYS,
        "feed_config": {
            "team": team.slug,
            "wsPath": f"/ws/teams/{team.slug}/feed/",
            "eventsUrl": reverse("api-team-events", args=[team.slug]),
            "lastEventId": after_event,
            "uploadId": upload.pk,
            "status": upload.status,
            "version": result.version if result else None,
            "patchUrl": reverse("api-upload-detail", args=[upload.pk]),
            "csrfToken": get_token(request),
        },
    }
    context.update(organise.result_context(request, upload))  # the tags and notes block
    return render(request, "recognition/result.html", context, status=400 if problems else 200)


@login_required
@require_POST
def rerun(request, upload_id: int):
    upload = _visible_upload(request.user, upload_id)
    attempt(request, lambda: services.rerun(upload, request.user, request.POST.get("profile") or None),
            _("The image is queued to be read again."))
    return redirect("upload-result", upload_id=upload.pk)


@login_required
@require_POST
def pin(request, upload_id: int):
    upload = _visible_upload(request.user, upload_id)
    pinned = request.POST.get("pinned") == "1"
    services.set_pinned(upload, request.user, pinned)
    messages.success(request, _("Pinned: kept until unpinned.") if pinned else _("Unpinned: removed with the team's retention."))
    return redirect("upload-result", upload_id=upload.pk)


@login_required
@require_POST
def delete(request, upload_id: int):
    upload = _visible_upload(request.user, upload_id)
    slug = upload.team.slug
    services.delete_upload(upload, request.user)
    messages.success(request, _("The upload was deleted."))
    return redirect("team-space", slug=slug)


@login_required
@require_GET
def download(request, upload_id: int, fmt: str):
    upload = _visible_upload(request.user, upload_id)
    if fmt not in DOWNLOAD_FORMATS:
        return HttpResponse(status=404)
    try:
        data, file_format = export.render([upload], fmt, request.GET.get("layout"))
    except UnknownLayout as error:
        return HttpResponse(error.message, status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type=file_format.content_type)
    response["Content-Disposition"] = f'attachment; filename="upload-{upload.pk}.{file_format.extension}"'
    return response
