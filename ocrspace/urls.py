from django.contrib import admin
from django.urls import include, path

from ocrspace import health, pwa
from ocrspace.views import favicon

urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    # Probes for load balancers: no session, no login, nothing sensitive.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # The installable app (ocrspace.pwa); the share target is recognition's.
    path("manifest.webmanifest", pwa.manifest, name="web-manifest"),
    path("sw.js", pwa.service_worker, name="service-worker"),
    path("offline/", pwa.offline, name="offline"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("ocrspace.api_urls")),
    path("", include("recognition.web.urls")),
    path("", include("teams.web.urls")),
    path("", include("integrations.web.urls")),
]
