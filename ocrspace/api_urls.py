"""REST API routes: auth, uploads, search, export, teams, schema and docs."""

from django.http import JsonResponse
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from teams.api import auth


@csrf_exempt  # it changes nothing; a cookie-authenticated POST must still get JSON
def api_not_found(request, *args, **kwargs) -> JsonResponse:
    return JsonResponse({"detail": "Not found."}, status=404)


urlpatterns = [
    path("api/auth/token/", auth.TokenObtain.as_view(), name="api-token"),
    path("api/auth/token/refresh/", auth.TokenRefresh.as_view(), name="api-token-refresh"),
    path("api/auth/token/verify/", auth.TokenVerify.as_view(), name="api-token-verify"),
    path("api/auth/logout/", auth.Logout.as_view(), name="api-logout"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("recognition.api.urls")),
    path("", include("teams.api.urls")),
    path("", include("integrations.api_urls")),
    # Malformed ids under this API's own routes (``/api/uploads/abc/``) answer
    # JSON like every other API error, not Django's HTML 404 page.
    re_path(r"^api/(uploads/.*|teams/[^/]*/?|teams/[^/]+/(members|invitations|events|webhooks)/.*)$", api_not_found),
]
