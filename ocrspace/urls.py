from django.contrib import admin
from django.urls import include, path

from ocrspace.views import favicon

urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("ocrspace.api_urls")),
    path("", include("recognition.web.urls")),
    path("", include("teams.web.urls")),
    path("", include("integrations.web.urls")),
]
