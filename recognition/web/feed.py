"""The team space's server-rendered feed (first page; later pages by link).

The live updates come from the websocket feed; this module only supplies the
initial list so the page is complete before (and without) JavaScript.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.urls import reverse

from recognition.events import PREVIEW_LINES
from recognition.models import Event, Upload, UploadStatus
from recognition.web.strings import ui_strings
from teams.permissions import can
from teams.roles import Capability

PAGE_SIZE = 20


def team_space_context(request, team) -> dict:
    """Context for ``teams/team_space.html``: uploads page and feed settings."""
    # Read the event id before the list: whatever happens in between is
    # replayed by the feed, so nothing falls into the gap.
    after_event = last_event_id(team)
    uploads = (
        Upload.objects.of_team(team)
        .select_related("uploaded_by", "result")
        .order_by("-created_at", "-id")
    )
    page = Paginator(uploads, PAGE_SIZE).get_page(request.GET.get("page"))
    for upload in page:
        upload.preview = preview_of(upload)
    return {
        "uploads_page": page,
        "may_upload": can(request.user, team, Capability.UPLOAD),
        "feed_config": {
            "team": team.slug,
            "wsPath": f"/ws/teams/{team.slug}/feed/",
            "eventsUrl": reverse("api-team-events", args=[team.slug]),
            "uploadUrl": reverse("api-upload-list"),
            "lastEventId": after_event,
            # Only the first page shows new uploads at the top.
            "prependNew": page.number == 1,
            "resultUrl": result_url_pattern(),
            "thumbUrl": reverse("upload-thumbnail", args=[0]).replace("/0/", "/{id}/"),
        },
        "ui_strings": ui_strings(),
    }


def result_url_pattern() -> str:
    """The result page URL with ``{id}`` in place of the upload id."""
    return reverse("upload-result", args=[0]).replace("/0/", "/{id}/")


def preview_of(upload: Upload) -> str:
    """The first lines of the text, as the live feed shows them."""
    result = getattr(upload, "result", None) if upload.status == UploadStatus.DONE else None
    return "\n".join(result.text.splitlines()[:PREVIEW_LINES]) if result else ""


def last_event_id(team) -> int:
    return Event.objects.filter(team=team).order_by("-id").values_list("id", flat=True).first() or 0
