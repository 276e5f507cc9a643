"""REST API routes: auth, uploads, search, export, teams, schema and docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from teams.api import auth

urlpatterns = [
    path("api/auth/token/", auth.TokenObtain.as_view(), name="api-token"),
    path("api/auth/token/refresh/", auth.TokenRefresh.as_view(), name="api-token-refresh"),
    path("api/auth/token/verify/", auth.TokenVerify.as_view(), name="api-token-verify"),
    path("api/auth/logout/", auth.Logout.as_view(), name="api-logout"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("recognition.api.urls")),
    path("", include("teams.api.urls")),
    path("", include("integrations.urls")),
]
