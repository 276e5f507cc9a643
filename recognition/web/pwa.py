"""The installable web app: its manifest, service worker, offline page and
share target.

Installed (Chromium, Android), the platform appears in the system's share
sheet: "Share → ocrspace" posts the shared images to ``/share/`` as the
manifest's ``share_target`` describes, and they become uploads of the team
the user worked in last. The service worker only shows the offline page when
a page cannot be loaded; it keeps no team data.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from ocrspace.errors import Forbidden, NotFound
from recognition import ingest
from teams.selectors import default_team

# The form field names the share target receives (the manifest declares them).
SHARED_FILES = "files"
IMAGE_TYPES = ["image/png", "image/jpeg", "image/webp", "image/gif", "image/bmp", "image/tiff"]
MAX_SHARED_FILES = 20
# Bump when the offline page or what it needs changes: the new worker then
# replaces the old cache.
SHELL_VERSION = "1"
# Navigations a browser starts itself (the share sheet: "none") or from the
# site's own pages; a cross-site form never gets here with the session.
ALLOWED_FETCH_SITES = {None, "none", "same-origin"}


def manifest_data() -> dict:
    return {
        "name": "ocrspace",
        "short_name": "ocrspace",
        "description": _("Text from screenshots and photos, for your team."),
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f5f6f8",
        "theme_color": "#2456d3",
        "icons": [
            {"src": static("img/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("img/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("img/icon-maskable-512.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "maskable"},
        ],
        "share_target": {
            "action": reverse("share-target"),
            "method": "POST",
            "enctype": "multipart/form-data",
            "params": {"title": "title", "text": "text", "url": "url",
                       "files": [{"name": SHARED_FILES, "accept": IMAGE_TYPES}]},
        },
    }


@require_safe
@cache_control(max_age=3600)
def manifest(request):
    return HttpResponse(json.dumps(manifest_data(), ensure_ascii=False, indent=2),
                        content_type="application/manifest+json")


@require_safe
@cache_control(no_cache=True)
def service_worker(request):
    """Served from the site's root so that it may control every page."""
    script = render(request, "recognition/sw.js", {
        "offline_url": reverse("offline"),
        "cached": json.dumps([reverse("offline"), static("css/app.css"), static("img/icon-192.png")]),
        "version": json.dumps(SHELL_VERSION),
    }, content_type="text/javascript; charset=utf-8")
    script["Service-Worker-Allowed"] = "/"
    return script


@require_safe
def offline(request):
    """The page the service worker shows when the network is gone; it holds
    nothing of the user's (it is cached for everyone of the browser)."""
    return render(request, "recognition/offline.html")


@csrf_exempt  # the share sheet cannot send a CSRF token; see ALLOWED_FETCH_SITES
@login_required
@require_http_methods(["GET", "POST"])
def share_target(request):
    """Shared images become uploads of the user's last team; then its team space."""
    if request.method == "GET":
        return redirect("home")
    if request.headers.get("Sec-Fetch-Site") not in ALLOWED_FETCH_SITES:
        return HttpResponseForbidden("Shares come from the browser's share sheet or from this site.")
    team = default_team(request.user)
    if team is None:
        messages.error(request, _("Create or join a team first; then share images to it."))
        return redirect("team-list")
    files = request.FILES.getlist(SHARED_FILES)
    if not files:
        messages.error(request, _("Only images can be shared to ocrspace; nothing was uploaded."))
        return redirect("team-space", slug=team.slug)
    if len(files) > MAX_SHARED_FILES:
        messages.error(request, _("Share at most %(limit)s images at once.") % {"limit": MAX_SHARED_FILES})
        return redirect("team-space", slug=team.slug)
    cap = settings.OCRSPACE_MAX_UPLOAD_BYTES + 1
    try:
        results = ingest.ingest_each(
            ingest.Incoming(ingest.Source.SHARE, team, request.user, f.name or "shared image", f.read(cap))
            for f in files
        )
    except (Forbidden, NotFound):
        messages.error(request, _("Your role in “%(team)s” does not allow uploading.") % {"team": team.name})
        return redirect("team-space", slug=team.slug)
    stored = [r for r in results if r.ok]
    for refused in (r for r in results if not r.ok):
        messages.error(request, f"“{refused.name}”: {refused.message}")
    if stored:
        messages.success(request, _("%(count)s shared image(s) added to “%(team)s”.")
                         % {"count": len(stored), "team": team.name})
    return redirect("team-space", slug=team.slug)
