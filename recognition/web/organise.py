"""Browser side of organising: the filter bar, saved searches and bulk
actions of the team space, the tags and notes block of the result page, the
team's tag list and a user's notifications.

Every form here works without scripts; ``static/js/bulk-select.js`` adds
shift-click ranges, "select all matching" and the one confirmation.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ocrspace.errors import DomainError, Forbidden, NotFound
from recognition import bulk, export, filters, selectors
from recognition.models import TagColour, Upload, UploadStatus
from recognition.notes import selectors as note_selectors
from recognition.notes import services as note_services
from recognition.saved_searches import selectors as saved_selectors
from recognition.saved_searches import services as saved_services
from recognition.tags import selectors as tag_selectors
from recognition.tags import services as tag_services
from teams.models import Membership
from teams.permissions import can, get_team
from teams.roles import Capability

SUMMARY_KEY = "bulk-summary"
NOTIFICATIONS_SHOWN = 5
ACTION_LABELS = {
    "tag": gettext_lazy("Tag"), "untag": gettext_lazy("Untag"), "pin": gettext_lazy("Pin"),
    "unpin": gettext_lazy("Unpin"), "rerun": gettext_lazy("Read again"), "export": gettext_lazy("Export"),
    "delete": gettext_lazy("Delete"),
}


# --- The filter bar, saved searches and bulk bar (team space, search page) -----

def read_filter(request) -> tuple[filters.UploadFilter, str | None]:
    """The page's filter from its query string, and the message when a
    parameter is malformed (the page then shows no uploads, with status 400)."""
    try:
        return filters.parse(request.GET, form=True), None
    except filters.FilterError as error:
        return filters.UploadFilter(), error.message


def filter_context(request, team, current: filters.UploadFilter, error: str | None,
                   matching: tuple[int, bool] | None) -> dict:
    """What the filter bar, saved searches and bulk bar includes show;
    ``matching`` is ``paging.bounded_count``'s (count, more than that)."""
    query = current.to_query()
    count, more = matching if matching is not None else (None, False)
    return {
        "filter": current,
        "filter_query": query,
        "filter_error": error,
        "filter_active": current.active,
        "matching_count": count,
        "matching_more": more,
        "team_tags": tag_selectors.tags_of(team),
        "team_uploaders": list(Membership.objects.filter(team=team).select_related("user")
                               .order_by("user__username").values_list("user__username", flat=True)),
        "statuses": UploadStatus.choices,
        "profiles": list(settings.OCRSPACE_PROFILES),
        "tag_colours": TagColour.choices,
        "saved_searches": saved_selectors.searches_for(team, request.user),
        "may_share_search": can(request.user, team, Capability.MANAGE_TEAM),
        "may_organise": can(request.user, team, Capability.ORGANISE),
        "may_upload": can(request.user, team, Capability.UPLOAD),
        "bulk_actions": [(a, ACTION_LABELS[a]) for a in bulk.ACTIONS if can(request.user, team, bulk.NEEDS[a])],
        "export_formats": list(export.FORMATS),
        "bulk_summary": request.session.pop(SUMMARY_KEY, None),
        "here": request.get_full_path(),
        "notifications": list(note_selectors.notifications_of(request.user, unread=True)[:NOTIFICATIONS_SHOWN]),
        "unread_notifications": note_selectors.unread_count(request.user),
    }


def _back(request, team) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) and target.startswith("/"):
        return target
    return reverse("team-space", args=[team.slug])


@login_required
@require_POST
def bulk_action(request, slug: str):
    """One request for the whole selection: checked ids, or every upload
    matching the page's filter. Export answers with the file; the other
    actions come back to the page with their summary."""
    team = get_team(request.user, slug)
    action = request.POST.get("action", "")
    back = _back(request, team)
    try:
        if request.POST.get("all_matching") == "1":
            uploads = bulk.select(team, request.user, matching=request.POST.get("matching", ""))
        else:
            ids = request.POST.getlist("ids")
            if any(not i.isdecimal() or len(i) > 18 for i in ids):
                raise bulk.BulkRefused(_("The selection holds something that is not an upload id."))
            uploads = bulk.select(team, request.user, ids=[int(i) for i in ids])
        tags = [t for t in request.POST.getlist("tag") if t.strip()]
        if action == "export":
            bulk.prepare(team, request.user, action)
            fmt_name = request.POST.get("format", "json")
            if fmt_name not in export.FORMATS:
                raise bulk.BulkRefused(_("Unknown export format “%(name)s”.") % {"name": fmt_name[:20]})
            chunks, fmt = export.stream(uploads, fmt_name)
            response = StreamingHttpResponse(chunks, content_type=fmt.content_type)
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
            response["Content-Disposition"] = f'attachment; filename="{team.slug}-selection-{stamp}.{fmt.extension}"'
            response["X-Content-Type-Options"] = "nosniff"
            return response
        summary = bulk.run(team, request.user, action, uploads, tags=tags, profile=request.POST.get("profile") or None)
    except DomainError as error:
        if isinstance(error, (Forbidden, NotFound)):
            raise  # the role may not do this at all: 403, or 404 outside the team
        messages.error(request, error.message)
        return redirect(back)
    shown = summary.as_dict()
    shown["label"] = str(ACTION_LABELS[action])
    shown["tags"] = tags
    shown["refused"] = shown["refused"][:50]
    shown["more_refused"] = max(0, len(summary.refused) - 50)
    request.session[SUMMARY_KEY] = shown
    return redirect(back)


class SavedSearchForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=saved_services.NAME_LENGTH)
    query = forms.CharField(max_length=1000, required=False, widget=forms.HiddenInput)
    shared = forms.BooleanField(label=gettext_lazy("Share with the team"), required=False)


@login_required
@require_POST
def saved_search_create(request, slug: str):
    team = get_team(request.user, slug)
    form = SavedSearchForm(request.POST)
    back = _back(request, team)
    if not form.is_valid():
        messages.error(request, _("Give the search a name of 1 to %(limit)s characters.")
                       % {"limit": saved_services.NAME_LENGTH})
        return redirect(back)
    try:
        saved = saved_services.save_search(team, request.user, form.cleaned_data["name"],
                                           form.cleaned_data["query"], form.cleaned_data["shared"])
    except saved_services.SavedSearchRefused as error:
        messages.error(request, error.message)
        return redirect(back)
    messages.success(request, _("Search “%(name)s” saved.") % {"name": saved.name})
    return redirect(f"{reverse('team-space', args=[team.slug])}?{saved.query}")


@login_required
@require_POST
def saved_search_delete(request, slug: str, pk: int):
    team = get_team(request.user, slug)
    saved_services.delete_search(team, request.user, pk)
    messages.success(request, _("The saved search was deleted."))
    return redirect(_back(request, team))


# --- The team's tags ------------------------------------------------------------

class TagForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=filters.TAG_NAME_LENGTH)
    colour = forms.ChoiceField(label=gettext_lazy("Colour"), choices=TagColour.choices, initial=TagColour.GREY)


def _tags_page(request, team, form=None, status=200):
    return render(request, "recognition/tags.html", {
        "team": team,
        "tags": tag_selectors.tags_of(team),
        "form": form or TagForm(),
        "may_create": can(request.user, team, Capability.ORGANISE),
        "may_manage": can(request.user, team, Capability.MANAGE_TEAM),
        "tag_colours": TagColour.choices,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def tags_page(request, slug: str):
    if request.method == "GET":
        return _tags_page(request, get_team(request.user, slug))
    team = get_team(request.user, slug, Capability.ORGANISE)
    form = TagForm(request.POST)
    if form.is_valid():
        try:
            tag_services.create_tag(team, request.user, form.cleaned_data["name"], form.cleaned_data["colour"])
        except tag_services.TagRefused as error:
            form.add_error("name", error.message)
        else:
            messages.success(request, _("Tag added."))
            return redirect("team-tags", slug=team.slug)
    return _tags_page(request, team, form, status=400)


@login_required
@require_POST
def tag_update(request, slug: str, pk: int):
    team = get_team(request.user, slug, Capability.MANAGE_TEAM)
    try:
        tag_services.update_tag(team, request.user, pk, name=request.POST.get("name") or None,
                                colour=request.POST.get("colour") or None)
    except tag_services.TagRefused as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Tag changed."))
    return redirect("team-tags", slug=team.slug)


@login_required
@require_POST
def tag_delete(request, slug: str, pk: int):
    team = get_team(request.user, slug, Capability.MANAGE_TEAM)
    tag_services.delete_tag(team, request.user, pk)
    messages.success(request, _("Tag deleted; the uploads keep their other tags."))
    return redirect("team-tags", slug=team.slug)


# --- The result page's tags and notes ------------------------------------------

def _visible_upload(user, upload_id: int) -> Upload:
    return get_object_or_404(selectors.visible_uploads(user), pk=upload_id)


def result_context(request, upload: Upload) -> dict:
    """What ``recognition/_organise_block.html`` shows on the result page."""
    team = upload.team
    notes = list(note_selectors.notes_of(upload))
    for note in notes:
        note.may_delete = (note.author_id == request.user.pk and can(request.user, team, Capability.ORGANISE)) \
            or can(request.user, team, Capability.MODERATE)
    return {
        "upload_tags": tag_selectors.tag_dicts(upload),
        "upload_tag_names": ", ".join(t["name"] for t in tag_selectors.tag_dicts(upload)),
        "team_tags": tag_selectors.tags_of(team),
        "notes": notes,
        "may_organise": can(request.user, team, Capability.ORGANISE),
        "note_limit": note_services.MAX_NOTE_CHARS,
    }


@login_required
@require_POST
def upload_tags(request, upload_id: int):
    """The result page's tag form: the upload carries exactly the names given
    (comma-separated), new names make new tags."""
    upload = _visible_upload(request.user, upload_id)
    names = [n for n in request.POST.get("tags", "").split(",") if n.strip()]
    try:
        tag_services.set_tags(upload, request.user, names)
    except tag_services.TagRefused as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Tags saved."))
    return redirect(reverse("upload-result", args=[upload.pk]) + "#notes")


@login_required
@require_POST
def note_add(request, upload_id: int):
    upload = _visible_upload(request.user, upload_id)
    try:
        note = note_services.add_note(upload, request.user, request.POST.get("body", ""))
    except note_services.NoteRefused as error:
        messages.error(request, error.message)
    else:
        mentioned = note.notifications.count()
        messages.success(request, _("Note saved.") if not mentioned else
                         _("Note saved; %(count)s member(s) notified.") % {"count": mentioned})
    return redirect(reverse("upload-result", args=[upload.pk]) + "#notes")


@login_required
@require_POST
def note_delete(request, upload_id: int, note_id: int):
    upload = _visible_upload(request.user, upload_id)
    note_services.delete_note(upload, request.user, note_id)
    messages.success(request, _("The note was deleted."))
    return redirect(reverse("upload-result", args=[upload.pk]) + "#notes")


# --- Notifications --------------------------------------------------------------

@login_required
@require_GET
def notifications_page(request):
    rows = list(note_selectors.notifications_of(request.user)[:200])
    return render(request, "recognition/notifications.html", {
        "rows": rows, "unread_notifications": sum(1 for n in rows if n.read_at is None)})


@login_required
@require_POST
def notifications_read(request):
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdecimal() and len(i) < 19] or None
    note_services.mark_read(request.user, ids)
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications")

