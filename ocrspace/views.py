"""Small site-wide views."""

from __future__ import annotations

from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.views.decorators.http import require_safe


@require_safe
def favicon(request):
    """``/favicon.ico``, which browsers ask for on every site: the icon among
    the static files (hashed name, cached for long by WhiteNoise)."""
    return HttpResponsePermanentRedirect(static("img/favicon.ico"))
