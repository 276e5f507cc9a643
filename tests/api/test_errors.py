"""The error core (``ocrspace.errors``): one table of codes, one JSON shape
for the REST API, the seed shape for ``/ocr/recognize``, pages for the
browser, and the OpenAPI documentation generated from the same table."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework_simplejwt.tokens import RefreshToken

import integrations.bulk
import integrations.services
import ocrspace.lockout
import recognition.api.recognize
import recognition.export
import recognition.search
import recognition.services
import recognition.storage
import recognition.zip_import
import teams.services
from ocrspace.errors import DomainError, Forbidden, NotFound
from ocrspace.errors.codes import CODES, code_for_status, status_for
from recognition.api.schema import RECOGNIZE_ERRORS
from recognition.engine import errors as image_errors
from recognition.models import Upload

pytestmark = pytest.mark.django_db

APP_MODULES = (teams.services, recognition.services, recognition.storage, recognition.search, recognition.export,
               recognition.zip_import, recognition.api.recognize, integrations.services, integrations.bulk,
               ocrspace.lockout)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_code_maps_to_an_error_status_with_a_description():
    assert CODES
    for code, entry in CODES.items():
        assert 400 <= entry.status < 600, code
        assert entry.description.strip().endswith("."), code


def test_every_domain_error_of_the_apps_has_a_code_of_the_table():
    assert APP_MODULES  # imported above, so their error classes exist
    classes = list(_subclasses(DomainError))
    assert {c.__module__.split(".")[0] for c in classes} >= {"teams", "recognition", "integrations", "ocrspace"}
    for cls in classes:
        assert cls.code in CODES, (cls, cls.code)


def test_the_engine_image_errors_use_codes_of_the_table():
    # create_upload passes the engine's code on as the refusal's code.
    for cls in [image_errors.ImageError, *_subclasses(image_errors.ImageError)]:
        assert cls.code in CODES, cls


def test_an_unknown_code_is_refused_where_it_is_raised():
    with pytest.raises(ValueError, match="no_such_code"):
        DomainError("x", "no_such_code")


def test_status_lookups():
    assert status_for("not_found") == 404 and status_for("last_owner") == 409 and status_for("storage_full") == 507
    assert status_for("not-in-the-table") == 500
    assert code_for_status(404) == "not_found" and code_for_status(401) == "not_authenticated"


def test_the_lockout_code_agrees_with_the_axes_setting(settings):
    assert status_for("locked_out") == settings.AXES_HTTP_RESPONSE_CODE


def _token(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {RefreshToken.for_user(user).access_token}"}


def _zip(data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.png", data)
    return buffer.getvalue()


def test_a_service_error_answers_the_same_through_every_api_route(team, member, viewer, png, queued):
    """The viewer's role refusal is raised by ``teams.permissions.require``
    inside the services; every REST route answers it alike, and
    ``/ocr/recognize`` with the same status and message in its own shape."""
    upload = recognition.services.create_upload(team, member, png(), "a.png").upload
    client = Client(**_token(viewer))
    answers = [
        client.post("/api/uploads/", {"files": SimpleUploadedFile("a.png", png((40, 40)), "image/png")}),
        client.post("/api/uploads/zip/", {"archive": SimpleUploadedFile("a.zip", _zip(png((50, 50))))}),
        client.post(f"/api/uploads/{upload.pk}/rerun/", {}, content_type="application/json"),
        client.post(f"/api/uploads/{upload.pk}/pin/"),
        client.post(f"/api/teams/{team.slug}/invitations/", {"role": "member"}, content_type="application/json"),
    ]
    expected = {"detail": "Your role in this team does not allow that.", "code": "permission_denied"}
    for response in answers:
        assert response.status_code == 403, (response.request["PATH_INFO"], response.content)
        assert response.json() == expected, response.request["PATH_INFO"]
    seed = client.post("/ocr/recognize", {"image": SimpleUploadedFile("a.png", png((60, 60)), "image/png")})
    assert seed.status_code == 403
    assert seed.json() == {"success": False, "error": expected["detail"]}
    # Another refusal of the same kind, with its own message, same shape.
    delete = client.delete(f"/api/uploads/{upload.pk}/")
    assert delete.status_code == 403 and delete.json()["code"] == "permission_denied"
    assert Upload.objects.count() == 1


def test_a_rule_error_has_its_code_and_status(team, owner, api_for):
    response = api_for(owner).delete(f"/api/teams/{team.slug}/members/{owner.pk}/")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "last_owner" and "owner" in body["detail"]


def test_drf_errors_gain_a_code_and_field_errors_stay_under_errors(api_for, member):
    response = api_for(member).post("/api/teams/", {"name": ""}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "name" in body["errors"] and body["detail"]
    assert Client().get("/api/uploads/").json()["code"] == "not_authenticated"


def test_pages_turn_access_errors_into_404_and_403(team, viewer, outsider, client_for, member, png, queued):
    upload = recognition.services.create_upload(team, member, png(), "a.png").upload
    # The services raise NotFound/Forbidden; the page answers like Django's Http404/PermissionDenied.
    assert client_for(viewer).post(f"/uploads/{upload.pk}/rerun/").status_code == 403
    assert client_for(outsider).get(f"/t/{team.slug}/search/").status_code == 404
    with pytest.raises(NotFound):
        recognition.services.rerun(upload, outsider)
    with pytest.raises(Forbidden):
        recognition.services.rerun(upload, viewer)


def test_pages_show_a_rule_error_as_a_message(team, owner, client_for):
    client = client_for(owner)
    response = client.post(f"/t/{team.slug}/members/{owner.pk}/remove/", follow=True)
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert any("owner" in m for m in shown), shown


def _schema() -> dict:
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def test_the_schema_documents_the_errors_from_the_table():
    schema = _schema()
    member = schema["paths"]["/api/teams/{slug}/members/{user_id}/"]["patch"]["responses"]
    assert CODES["last_owner"].description in member["409"]["description"]
    assert CODES["team_rule"].description in member["400"]["description"]
    zip_upload = schema["paths"]["/api/uploads/zip/"]["post"]["responses"]
    for code in ("too_many_files", "archive_too_large", "nested_archive", "storage_full"):
        assert f"`{code}`" in zip_upload[str(status_for(code))]["description"], code
    # Every REST operation documents the standard errors, in the one shape
    # whose code is one of the table's.
    for path, operations in schema["paths"].items():
        if path.startswith("/api/"):
            for method, operation in operations.items():
                for status in ("401", "403", "404", "429"):
                    assert status in operation["responses"], (path, method, status)
    enums = [s for s in schema["components"]["schemas"].values() if s.get("enum") and "not_found" in s["enum"]]
    assert enums and all(sorted(e["enum"]) == sorted(CODES) for e in enums)


def test_the_schema_documents_recognize_errors_in_the_seed_shape():
    responses = _schema()["paths"]["/ocr/recognize"]["post"]["responses"]
    for code in RECOGNIZE_ERRORS:
        answer = responses[str(status_for(code))]
        assert f"`{code}`" in answer["description"], code
        body = answer["content"]["application/json"]["schema"]
        assert body["required"] == ["success", "error"]
