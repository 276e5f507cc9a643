"""The installable app: web app manifest, service worker and offline page.

Installed from the browser (Chromium's "Install app", Safari's "Add to Home
Screen"), ocrspace opens in a window of its own, and on phones it appears in
the share sheet: sharing images from the gallery or any app posts them to
``/share/`` (``recognition.web.share``), which lands them in the user's last
team. The service worker only keeps the offline page: it never stores team
data, so nothing of a team stays on a device after signing out.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

# The types the share sheet offers; the server still checks every file's bytes.
SHARED_TYPES = ["image/*", ".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff"]


@require_safe
@cache_control(max_age=3600)
def manifest(request: HttpRequest) -> JsonResponse:
    body = {
        "name": "ocrspace",
        "short_name": "ocrspace",
        "description": _("Your team's screenshots and photos, read and searchable."),
        "id": "/",
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#2456d3",
        "icons": [
            {"src": static("img/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any maskable"},
            {"src": static("img/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any maskable"},
        ],
        "share_target": {
            "action": reverse("share-target"),
            "method": "POST",
            "enctype": "multipart/form-data",
            "params": {"title": "title", "text": "text", "url": "url",
                       "files": [{"name": "files", "accept": SHARED_TYPES}]},
        },
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@require_safe
@cache_control(no_cache=True)  # browsers check for a new worker on every visit
def service_worker(request: HttpRequest) -> HttpResponse:
    return render(request, "pwa/sw.js", {"offline_url": reverse("offline")},
                  content_type="text/javascript; charset=utf-8")


@require_safe
def offline(request: HttpRequest) -> HttpResponse:
    """Shown by the service worker when a page cannot be reached; holds no
    user or team data (it is cached on the device)."""
    return render(request, "pwa/offline.html")
