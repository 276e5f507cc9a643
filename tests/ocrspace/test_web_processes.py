"""Several web processes behind one port (``OCRSPACE_WEB_PROCESSES``):
what ``serve`` decides, and the real thing — N daphne processes accepting on
the socket ``serve`` bound, a team's websockets in different processes all
getting its events through the Redis channel layer."""

from __future__ import annotations

import json
import os
import socket
from contextlib import ExitStack

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError

from ocrspace.config import default_web_processes, web_processes
from ocrspace.management.commands.serve import Command
from ocrspace.processes import listening_socket, web_command


def test_the_setting_is_a_whole_number_of_at_least_one():
    assert web_processes("") is None
    assert web_processes(" 4 ") == 4
    for bad in ("0", "-2", "two", "1.5"):
        with pytest.raises(ImproperlyConfigured, match="OCRSPACE_WEB_PROCESSES must be a whole number"):
            web_processes(bad)


def test_one_per_core_on_a_production_web_machine_else_one():
    assert default_web_processes(production=True, role="web", cpus=8) == 8
    assert default_web_processes(production=True, role="all", cpus=8) == 1
    assert default_web_processes(production=False, role="web", cpus=8) == 1


def test_several_need_redis(settings):
    settings.REDIS_URL = None
    settings.OCRSPACE_WEB_PROCESSES = 3
    with pytest.raises(CommandError, match="OCRSPACE_WEB_PROCESSES=3 needs REDIS_URL"):
        Command().web_process_count("web")
    settings.OCRSPACE_WEB_PROCESSES, settings.PRODUCTION = None, True
    assert Command().web_process_count("web") == 1  # the default falls back, saying so
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    assert Command().web_process_count("web") == len(os.sched_getaffinity(0))
    settings.OCRSPACE_WEB_PROCESSES = 3
    assert Command().web_process_count("all") == 3


def test_the_web_processes_inherit_one_listening_socket():
    sock = listening_socket("127.0.0.1", 0)
    try:
        assert sock.get_inheritable() and sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
        assert web_command("127.0.0.1", 8000, fd=sock.fileno())[-3:] == ["--fd", str(sock.fileno()),
                                                                        "ocrspace.asgi:application"]
    finally:
        sock.close()
    with pytest.raises(OSError, match="not an IPv4 address"):
        listening_socket("::1", 0)


SEED = """
from django.contrib.auth import get_user_model
from teams import services
owner = get_user_model().objects.create_user("feeder", "", "pw-feeder-9")
services.create_team(owner, "Feed Team")
"""


@pytest.mark.e2e
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="several web processes need Redis (REDIS_URL)")
def test_websockets_in_different_web_processes_get_the_teams_events(tmp_path):
    import psutil
    import requests
    from websockets.sync.client import connect

    from ocrspace.stack import Stack
    from tests.support import make_png

    with Stack(web_processes=2, seed_script=SEED, directory=tmp_path) as stack:
        daphnes = stack.daphne_processes()
        assert len(daphnes) == 2, stack.logs()
        # Both accept on the one port, bound once by serve.
        for daphne in daphnes:
            listening = [c for c in daphne.net_connections("tcp") if c.status == psutil.CONN_LISTEN]
            assert [c.laddr.port for c in listening] == [stack.port], stack.logs()
        token = stack.token("feeder")
        sockets, served_by = [], {}
        with ExitStack() as opened:
            # The kernel gives each connection to one of them: open feeds
            # until both processes hold some.
            while len(set(served_by.values())) < 2:
                assert len(sockets) < 60, f"every connection went to one process: {served_by}"
                feed = opened.enter_context(
                    connect(f"{stack.ws_url}/ws/teams/feed-team/feed/", open_timeout=30, origin=stack.url))
                feed.send(json.dumps({"type": "auth", "token": token}))
                assert json.loads(feed.recv(timeout=30))["type"] == "ready"
                local_port = feed.socket.getsockname()[1]
                holder = next(d.pid for d in daphnes for c in d.net_connections("tcp")
                              if c.raddr and c.raddr.port == local_port)
                sockets.append(feed)
                served_by[local_port] = holder

            answer = requests.post(f"{stack.url}/api/uploads/", files={"files": ("a.png", make_png(), "image/png")},
                                   headers={"Authorization": f"Bearer {token}"}, timeout=60)
            assert answer.status_code == 201, answer.text
            upload_id = answer.json()["results"][0]["upload"]["id"]
            for feed in sockets:
                while True:
                    message = json.loads(feed.recv(timeout=30))
                    if message.get("type") == "event" and message["event"]["upload_id"] == upload_id:
                        assert message["event"]["kind"] == "upload.created"
                        break
        web = psutil.Process(stack.web.pid)
    # serve stopped both with itself.
    assert not web.is_running() or web.status() == psutil.STATUS_ZOMBIE
    assert not [d for d in daphnes if d.is_running() and d.status() != psutil.STATUS_ZOMBIE]
