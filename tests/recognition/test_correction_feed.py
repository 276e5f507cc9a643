"""A correction reaches the team's open feeds (Channels' in-process
websocket client; the browser version is tests/browser/test_line_editor.py)."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from recognition import processing, services
from recognition.models import Upload, UploadStatus
from tests.recognition.test_feed_consumer import communicator, is_event, receive_until
from tests.support import make_png, run_in_new_loop

pytestmark = pytest.mark.django_db(transaction=True)


def finished(team, user) -> Upload:
    upload = services.create_upload(team, user, make_png(), "a.png").upload
    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.PROCESSING)
    upload.refresh_from_db()
    assert processing.complete(upload, text="Invoce 4711\nTotal", confidence=0.9, lines=[], engine_version="t/1",
                               timings={})
    return upload


def test_an_api_edit_reaches_a_teammates_feed_and_not_another_team(team, member, viewer, outsider, other_team, queued):
    upload = finished(team, member)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(member).access_token}")

    def edit():
        response = client.patch(f"/api/uploads/{upload.pk}/", {"lines": [{"index": 0, "text": "Invoice 4711"}],
                                                               "version": 1}, format="json")
        assert response.status_code == 200, response.content

    async def scenario():
        teammate = communicator(team, viewer)
        assert (await teammate.connect())[0]
        assert (await teammate.receive_json_from())["type"] == "ready"
        stranger = communicator(other_team, outsider)
        assert (await stranger.connect())[0]
        assert (await stranger.receive_json_from())["type"] == "ready"

        await sync_to_async(edit)()
        message = await receive_until(teammate, is_event("upload.corrected"))
        event = message["event"]
        assert event["upload_id"] == upload.pk
        assert event["upload"]["text"] == "Invoice 4711\nTotal" and event["upload"]["version"] == 2
        assert event["upload"]["preview"] == "Invoice 4711\nTotal"
        # The other team's next event is its own: the correction (an earlier
        # outbox id, pushed in id order) never reached it.
        theirs = await sync_to_async(lambda: services.create_upload(other_team, outsider, make_png(), "b.png").upload)()
        first = await stranger.receive_json_from(timeout=10)
        assert first["type"] == "event" and first["event"]["upload_id"] == theirs.pk, first
        await teammate.disconnect()
        await stranger.disconnect()

    run_in_new_loop(scenario)
