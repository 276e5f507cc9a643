"""``/share/``: images from a phone's share sheet land in the user's last team."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from recognition.models import Upload
from teams import services as team_services
from tests.support import make_png

pytestmark = pytest.mark.django_db


def shared(*names: str) -> dict:
    return {"files": [SimpleUploadedFile(name, make_png(), "image/png") for name in names], "title": "from the gallery"}


def test_one_shared_image_opens_its_result_in_the_last_used_team(client_for, owner, team, make_user, queued):
    second = team_services.create_team(owner, "Second Team")
    team_services.mark_team_used(owner, team)
    team_services.mark_team_used(owner, second)
    response = client_for(owner).post("/share/", shared("IMG_0001.png"), HTTP_SEC_FETCH_SITE="none")
    upload = Upload.objects.get()
    assert upload.team == second and upload.original_name == "IMG_0001.png"
    assert response.status_code == 302 and response["Location"] == f"/uploads/{upload.pk}/"


def test_several_images_open_the_team_space_with_a_summary(client_for, owner, team, queued):
    response = client_for(owner).post("/share/", shared("a.png", "b.png"), follow=True)
    assert Upload.objects.filter(team=team).count() == 2
    assert response.redirect_chain[-1][0] == f"/t/{team.slug}/"
    assert "2 images shared to Sales Team." in response.content.decode()


def test_a_refused_file_is_named_and_the_others_are_kept(client_for, owner, team, queued):
    files = shared("good.png")["files"] + [SimpleUploadedFile("notes.png", b"not an image", "image/png")]
    response = client_for(owner).post("/share/", {"files": files}, follow=True)
    assert list(Upload.objects.values_list("original_name", flat=True)) == ["good.png"]
    assert "“notes.png”" in response.content.decode()


@pytest.mark.parametrize("site", ["cross-site", "same-site"])
def test_a_post_from_another_site_is_refused(client_for, owner, team, site, queued):
    response = client_for(owner).post("/share/", shared("x.png"), HTTP_SEC_FETCH_SITE=site)
    assert response.status_code == 403
    assert not Upload.objects.exists()


def test_signed_out_users_are_asked_to_sign_in(client, team, queued):
    response = client.post("/share/", shared("x.png"))
    assert response.status_code == 401
    assert "Sign in, then share the images again." in response.content.decode()
    assert not Upload.objects.exists()


def test_a_viewer_cannot_share_into_the_team(client_for, viewer, team, queued):
    assert client_for(viewer).post("/share/", shared("x.png")).status_code == 403
    assert not Upload.objects.exists()


def test_nothing_but_text_or_no_team_gets_a_clear_answer(client_for, owner, team, make_user, queued):
    text_only = client_for(owner).post("/share/", {"text": "hello", "url": "https://example.com"})
    assert text_only.status_code == 400 and "only images" in text_only.content.decode()
    loner = make_user("loner")
    no_team = client_for(loner).post("/share/", shared("x.png"))
    assert no_team.status_code == 409 and "Join or create a team first" in no_team.content.decode()
    assert not Upload.objects.exists()


def test_the_page_explains_itself_and_other_methods_are_refused(client):
    assert "share sheet" in client.get("/share/").content.decode()
    assert client.put("/share/").status_code == 405
