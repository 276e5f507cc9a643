"""REST API routes: auth, uploads, search, export, teams, schema and docs."""

from django.http import HttpResponse
from django.urls import Resolver404, include, path, re_path, resolve
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from ocrspace.errors import NotFound
from ocrspace.errors.api import json_response
from teams.api import auth


@csrf_exempt  # it changes nothing; a cookie-authenticated POST must still get JSON
def api_not_found(request, *args, **kwargs) -> HttpResponse:
    detail = "Not found."
    if not request.path.endswith("/"):
        try:
            slashed = resolve(request.path + "/")
        except Resolver404:
            slashed = None
        if slashed is not None and slashed.func is not api_not_found:
            detail = f"Not found. API paths end with a slash: {request.path}/"
    return json_response(NotFound(detail))


urlpatterns = [
    path("api/auth/token/", auth.TokenObtain.as_view(), name="api-token"),
    path("api/auth/token/refresh/", auth.TokenRefresh.as_view(), name="api-token-refresh"),
    path("api/auth/token/verify/", auth.TokenVerify.as_view(), name="api-token-verify"),
    path("api/auth/logout/", auth.Logout.as_view(), name="api-logout"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("recognition.api.urls")),
    path("", include("teams.api.urls")),
    path("", include("integrations.api.urls")),
    # Anything else under /api/ (unknown paths, malformed ids such as
    # ``/api/uploads/abc/`` or ids with a newline) answers JSON like every
    # other API error, not Django's HTML 404 page. ``[\s\S]`` because ``.``
    # stops at a newline.
    re_path(r"^api/[\s\S]*$", api_not_found, name="api-not-found"),
]
