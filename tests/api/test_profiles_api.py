"""Engine profiles through the REST API: per upload, on re-run, as the team's setting."""
from __future__ import annotations

import pytest

from recognition import services
from recognition.models import Upload

pytestmark = pytest.mark.django_db


def test_api_upload_takes_a_profile(api_for, member, team, png, file_of, queued):
    client = api_for(member)
    response = client.post("/api/uploads/", {"files": [file_of(png())], "team": team.slug, "profile": "fast"},
                           format="multipart")
    assert response.status_code == 201, response.json()
    assert response.json()["results"][0]["upload"]["profile"] == "fast"
    refused = client.post("/api/uploads/", {"files": [file_of(png())], "profile": "turbo"}, format="multipart")
    assert refused.status_code == 400 and "turbo" in str(refused.json())
    assert Upload.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_api_rerun_with_profile_and_team_setting(api_for, owner, member, team, png, fake_engine, sync_queue):
    upload = services.create_upload(team, member, png(), "a.png").upload
    response = api_for(member).post(f"/api/uploads/{upload.pk}/rerun/", {"profile": "v4"}, format="json")
    assert response.status_code == 202, response.json()
    assert Upload.objects.get(pk=upload.pk).profile == "v4"
    bad = api_for(member).post(f"/api/uploads/{upload.pk}/rerun/", {"profile": "turbo"}, format="json")
    assert bad.status_code == 400
    patched = api_for(owner).patch(f"/api/teams/{team.slug}/", {"ocr_profile": "fast"}, format="json")
    assert patched.status_code == 200 and patched.json()["ocr_profile"] == "fast"
    assert api_for(owner).patch(f"/api/teams/{team.slug}/", {"ocr_profile": "turbo"}, format="json").status_code == 400
