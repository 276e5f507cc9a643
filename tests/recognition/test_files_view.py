import pytest
from django.urls import reverse

from recognition import services


@pytest.fixture
def upload(team, member, png, monkeypatch):
    monkeypatch.setattr(services, "enqueue", lambda upload_id: None)
    return services.create_upload(team, member, png(), "<b>shot</b>.png").upload


def test_member_and_viewer_get_the_image_with_safe_headers(upload, member, viewer, client_for):
    for user in (member, viewer):
        response = client_for(user).get(reverse("upload-image", args=[upload.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"] == f'inline; filename="upload-{upload.pk}.png"'
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_outsider_and_anonymous_cannot_get_the_image(upload, outsider, client_for, client):
    assert client_for(outsider).get(reverse("upload-image", args=[upload.pk])).status_code == 404
    assert client.get(reverse("upload-image", args=[upload.pk])).status_code == 302


def test_hidden_upload_is_not_served(upload, member, client_for, owner):
    services.set_hidden(upload, owner, True)
    assert client_for(member).get(reverse("upload-image", args=[upload.pk])).status_code == 404


def test_media_is_not_public(upload, client):
    assert client.get("/media/" + upload.file_path).status_code in (302, 404)
