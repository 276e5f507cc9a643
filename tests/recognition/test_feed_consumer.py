"""The team live feed over a websocket (Channels' in-process test client)."""

import asyncio

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from rest_framework_simplejwt.tokens import AccessToken

from ocrspace.routing import websocket_urlpatterns
from recognition import services
from teams import services as team_services
from tests.support import run_in_new_loop

pytestmark = pytest.mark.django_db(transaction=True)
application = URLRouter(websocket_urlpatterns)


def communicator(team, user, query: str = "") -> WebsocketCommunicator:
    comm = WebsocketCommunicator(application, f"/ws/teams/{team.slug}/feed/{query}")
    comm.scope["user"] = user if user is not None else AnonymousUser()
    return comm


async def receive_until(comm, predicate, timeout: float = 5.0) -> dict:
    """Next message matching ``predicate`` (skipping others)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        message = await comm.receive_json_from(timeout=max(0.1, deadline - asyncio.get_running_loop().time()))
        if predicate(message):
            return message


def is_event(kind):
    return lambda m: m.get("type") == "event" and m["event"]["kind"] == kind




def test_member_receives_team_events_and_outsider_is_refused(team, member, outsider, png, queued):
    async def scenario():
        comm = communicator(team, member)
        connected, _ = await comm.connect()
        assert connected
        ready = await comm.receive_json_from()
        assert ready["type"] == "ready" and ready["team"] == team.slug

        stranger = communicator(team, outsider)
        await stranger.connect()
        assert (await stranger.receive_output())["code"] == 4404

        upload = await sync_to_async(lambda: services.create_upload(team, member, png(), "<img src=x onerror=alert(1)>.png").upload)()
        message = await receive_until(comm, is_event("upload.created"))
        assert message["event"]["upload"]["id"] == upload.pk
        assert message["event"]["upload"]["name"] == "<img src=x onerror=alert(1)>.png"  # data; the page escapes it
        await comm.disconnect()

    run_in_new_loop(scenario)


def test_an_event_of_this_process_wakes_the_relay_before_its_next_poll(team, member, png, queued, monkeypatch):
    from recognition import relay

    monkeypatch.setattr(relay, "POLL_SECONDS", 60)  # only the wake-up can deliver within the test

    async def scenario():
        comm = communicator(team, member)
        await comm.connect()
        await comm.receive_json_from()  # ready: the relay runs and waits
        await asyncio.sleep(0.2)
        upload = await sync_to_async(lambda: services.create_upload(team, member, png(), "now.png").upload)()
        message = await receive_until(comm, is_event("upload.created"), timeout=5)
        assert message["event"]["upload_id"] == upload.pk
        await comm.disconnect()

    run_in_new_loop(scenario)


def test_api_client_authenticates_with_jwt_first_message(team, member, outsider):
    async def scenario():
        comm = communicator(team, None)
        await comm.connect()
        await comm.send_json_to({"type": "auth", "token": str(AccessToken.for_user(member))})
        assert (await comm.receive_json_from())["type"] == "ready"
        await comm.disconnect()

        wrong_team = communicator(team, None)
        await wrong_team.connect()
        await wrong_team.send_json_to({"type": "auth", "token": str(AccessToken.for_user(outsider))})
        assert (await wrong_team.receive_output())["code"] == 4404

        forged = communicator(team, None)
        await forged.connect()
        await forged.send_json_to({"type": "auth", "token": str(AccessToken.for_user(member)) + "x"})
        assert (await forged.receive_output())["code"] == 4401

    run_in_new_loop(scenario)


def test_reconnecting_client_catches_up(team, member, png, queued):
    first = services.create_upload(team, member, png(), "first.png").upload
    missed = services.create_upload(team, member, png(), "missed.png").upload
    from recognition.models import Event

    seen = Event.objects.get(upload_id=first.pk).pk

    async def scenario():
        comm = communicator(team, member, f"?after={seen}")
        await comm.connect()
        await comm.receive_json_from()  # ready
        replayed = await comm.receive_json_from()
        assert replayed["type"] == "event" and replayed["event"]["upload_id"] == missed.pk
        assert (await comm.receive_json_from())["type"] == "resumed"
        await comm.disconnect()

    run_in_new_loop(scenario)


def test_removed_member_is_disconnected(team, owner, member):
    async def scenario():
        comm = communicator(team, member)
        await comm.connect()
        await comm.receive_json_from()
        await sync_to_async(team_services.remove_member)(team, owner, member)
        output = await comm.receive_output(timeout=5)
        assert output == {"type": "websocket.close", "code": 4403}

    run_in_new_loop(scenario)


def test_anonymous_without_token_is_closed(team, monkeypatch):
    from recognition import consumers

    monkeypatch.setattr(consumers, "AUTH_TIMEOUT_SECONDS", 0.2)

    async def scenario():
        comm = communicator(team, None)
        await comm.connect()
        assert (await comm.receive_output(timeout=3))["code"] == 4401

    run_in_new_loop(scenario)


@pytest.mark.parametrize("authenticated", [False, True], ids=["first-frame", "after-auth"])
def test_malformed_and_unknown_frames_get_an_error_message_and_one_log_line(team, member, authenticated, caplog):
    async def scenario():
        comm = communicator(team, member if authenticated else None)
        await comm.connect()
        if authenticated:
            assert (await comm.receive_json_from())["type"] == "ready"
        answers = []
        for frame in ("not json at all", "[1, 2]", '"auth"', "{", '{"type": "subscribe"}', '{"no": "type"}'):
            await comm.send_to(text_data=frame)
            answers.append(await comm.receive_json_from())
        await comm.send_json_to({"type": "ping"})  # still open and serving
        assert (await comm.receive_json_from()) == {"type": "pong"}
        await comm.disconnect()
        return answers

    with caplog.at_level("INFO", logger="recognition.consumers"):
        answers = run_in_new_loop(scenario)
    assert all(a["type"] == "error" and a["error"] for a in answers), answers
    refused = [r for r in caplog.records if r.name == "recognition.consumers"]
    assert len(refused) == 6 and all(r.exc_info is None and "\n" not in r.getMessage() for r in refused)


def test_binary_and_oversized_frames_close_with_their_codes(team, member, caplog):
    from recognition import consumers

    async def close_code(frame: dict) -> dict:
        comm = communicator(team, member)
        await comm.connect()
        await comm.receive_json_from()  # ready
        await comm.send_to(**frame)
        return await comm.receive_output(timeout=3)

    with caplog.at_level("INFO", logger="recognition.consumers"):
        binary = run_in_new_loop(close_code, {"bytes_data": b"\x00\x01binary"})
        big = run_in_new_loop(close_code, {"text_data": '{"type": "ping", "pad": "' + "x" * consumers.MAX_FRAME_CHARS + '"}'})
    assert binary == {"type": "websocket.close", "code": 4415}
    assert big == {"type": "websocket.close", "code": 4413}
    messages = [r.getMessage() for r in caplog.records if r.name == "recognition.consumers"]
    assert len(messages) == 2 and "binary" in messages[0] and "limit" in messages[1]


def test_resume_before_auth_is_refused_with_a_message(team):
    async def scenario():
        comm = communicator(team, None)
        await comm.connect()
        await comm.send_json_to({"type": "resume", "after": 0})
        answer = await comm.receive_json_from()
        await comm.disconnect()
        return answer

    answer = run_in_new_loop(scenario)
    assert answer["type"] == "error" and "auth" in answer["error"].lower()
