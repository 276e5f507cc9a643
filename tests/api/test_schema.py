import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_schema_lists_every_endpoint(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/api/auth/token/", "/api/auth/token/refresh/", "/api/auth/token/verify/", "/api/auth/logout/",
        "/api/teams/", "/api/teams/{slug}/", "/api/teams/{slug}/members/", "/api/teams/{slug}/members/{user_id}/",
        "/api/teams/{slug}/invitations/", "/api/teams/{slug}/invitations/{id}/", "/api/teams/{slug}/events/",
        "/api/uploads/", "/api/uploads/zip/", "/api/uploads/{id}/", "/api/uploads/{id}/image/",
        "/api/uploads/{id}/rerun/", "/api/uploads/{id}/pin/",
        "/api/uploads/{id}/versions/", "/api/uploads/{id}/versions/{number}/", "/api/uploads/{id}/versions/{number}/revert/", "/api/search/", "/api/export/", "/ocr/recognize",
    ]:
        assert path in paths, path
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert operation.get("responses"), (path, method)


def test_schema_generation_has_no_warnings():
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_swagger_ui_is_served_offline():
    page = Client().get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "swagger-ui" in html and "cdn" not in html.lower() and "/static/drf_spectacular_sidecar/" in html
