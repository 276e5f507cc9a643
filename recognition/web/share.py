"""``/share/``: the installable app's share target (see ``ocrspace.pwa``).

A phone's share sheet posts the shared images here as a multipart form,
as the browser's navigation with the user's own cookies. They land in the
user's last team (the team space they used last) through
``recognition.ingest``, like any upload; one image opens its result page,
which follows it live until the text is ready, several open the team space.

The form comes from the operating system, not from a page of ours, so it
carries no CSRF token. It is accepted only from a navigation the browser
started itself or one of our pages (``Sec-Fetch-Site`` none or
same-origin); the session cookie is SameSite=Lax, so another site's form
would arrive without a signed-in user anyway.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import RequestDataTooBig, TooManyFilesSent
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _, ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from recognition.ingest import Incoming, Source, ingest_each
from teams.selectors import default_team

TRUSTED_SITES = {"none", "same-origin"}


def _page(request, message: str, status: int):
    return render(request, "recognition/share.html", {"message": message}, status=status)


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def share_target(request):
    if request.method != "POST":
        return _page(request, _("Share images to ocrspace from your phone's share sheet once the app is installed; "
                                "they land in the team you used last."), 200)
    if request.headers.get("Sec-Fetch-Site", "none") not in TRUSTED_SITES:
        return _page(request, _("Sharing is only accepted from the installed app or this site."), 403)
    if not request.user.is_authenticated:
        return _page(request, _("Sign in, then share the images again."), 401)
    try:
        files = request.FILES.getlist("files")
    except (RequestDataTooBig, TooManyFilesSent):
        return _page(request, _("Too much was shared at once; share fewer images."), 413)
    team = default_team(request.user)
    if team is None:
        return _page(request, _("Join or create a team first; shared images land in your last team."), 409)
    if not files:
        return _page(request, _("Nothing to read: only images can be shared to ocrspace."), 400)
    results = ingest_each(
        Incoming(Source.SHARE, team, request.user, f.name or "shared image", f.read()) for f in files
    )
    stored = [r for r in results if r.ok]
    for r in results:
        if not r.ok:
            messages.error(request, f"“{r.name}”: {r.message}")
    if len(stored) == 1 and len(results) == 1:
        return redirect("upload-result", stored[0].upload.pk)
    if stored:
        messages.success(request, ngettext("%(count)d image shared to %(team)s.", "%(count)d images shared to %(team)s.",
                                           len(stored)) % {"count": len(stored), "team": team.name})
    return redirect(reverse("team-space", args=[team.slug]))
