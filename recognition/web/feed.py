"""The team space: its upload area and server-rendered feed (first page;
later pages by keyset link, ``recognition.paging``).

The live updates come from the websocket feed; this page only supplies the
initial list so it is complete before (and without) JavaScript.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse

from recognition import filters, paging, selectors
from recognition.models import Upload
from recognition.web import organise
from recognition.web.strings import ui_strings
from teams import services as team_services
from teams.permissions import can, get_team
from teams.roles import Capability

PAGE_SIZE = paging.PAGE_SIZE


@login_required
def team_space(request, slug: str):
    """A team's space: the upload area and the team's feed."""
    team = get_team(request.user, slug)
    team_services.mark_team_used(request.user, team)
    context = team_space_context(request, team)
    status = 400 if context["filter_error"] else 200  # a malformed filter is bad input
    return render(request, "recognition/team_space.html", {"team": team, **context}, status=status)


def team_space_context(request, team) -> dict:
    """Context for ``recognition/team_space.html``: uploads page and feed settings."""
    # Read the event id before the list: whatever happens in between is
    # replayed by the feed, so nothing falls into the gap.
    after_event = selectors.last_event_id(team.pk)
    current, error = organise.read_filter(request)
    uploads = filters.team_uploads(team, current) if error is None else Upload.objects.none()
    page = paging.page_of(uploads, older=request.GET.get("older"), newer=request.GET.get("newer"), size=PAGE_SIZE)
    for upload in page:
        upload.preview = selectors.preview(upload) or ""
    return {
        **organise.filter_context(request, team, current, error, paging.bounded_count(uploads)),
        "uploads_page": page,
        "may_upload": can(request.user, team, Capability.UPLOAD),
        "feed_config": {
            "team": team.slug,
            "wsPath": f"/ws/teams/{team.slug}/feed/",
            "eventsUrl": reverse("api-team-events", args=[team.slug]),
            "uploadUrl": reverse("api-upload-list"),
            "lastEventId": after_event,
            # Only the first page shows new uploads at the top, and only
            # when no filter is chosen (a new upload may not match it).
            "prependNew": page.first and not current.active,
            "username": request.user.get_username(),
            "resultUrl": result_url_pattern(),
            "thumbUrl": reverse("upload-thumbnail", args=[0]).replace("/0/", "/{id}/"),
        },
        "ui_strings": ui_strings(),
    }


def result_url_pattern() -> str:
    """The result page URL with ``{id}`` in place of the upload id."""
    return reverse("upload-result", args=[0]).replace("/0/", "/{id}/")

