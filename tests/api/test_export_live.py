"""The export streamed through the real daphne (ASGI), as a client sees it."""

from __future__ import annotations

import pytest
import requests
from rest_framework_simplejwt.tokens import AccessToken

from recognition import services
from recognition.models import Upload, UploadStatus

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_whole_team_export_streams_over_asgi(live_platform, live_media, team, member, png, monkeypatch):
    from recognition import export

    monkeypatch.setattr(services, "enqueue", lambda upload_id: None)  # nothing for the live worker to take
    made = [services.create_upload(team, member, png(size=(40 + n, 30)), f"shot-{n}.png").upload for n in range(3)]
    Upload.objects.filter(pk__in=[u.pk for u in made]).update(status=UploadStatus.FAILED, error="stopped")
    response = requests.get(f"{live_platform.url}/api/export/", params={"team": team.slug, "format": "csv"},
                            headers={"Authorization": f"Bearer {AccessToken.for_user(member)}"}, stream=True, timeout=60)
    assert response.status_code == 200, response.text
    assert response.headers.get("Content-Length") is None  # streamed, not buffered into one body
    text = response.content.decode("utf-8-sig")
    assert text.startswith(",".join(export.CSV_COLUMNS))
    assert all(f"shot-{n}.png" in text for n in range(3))
    log = live_platform.log("web")
    assert "Traceback" not in log and "must consume synchronous iterators" not in log
