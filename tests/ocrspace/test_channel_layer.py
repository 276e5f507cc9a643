"""The Redis channel layer must survive quiet sockets.

channels-redis waits for a socket's messages with a blocking BZPOPMIN of
``brpop_timeout`` (5 s) seconds; redis-py 8 reads with a default socket
timeout of 5 s. With the defaults the read timed out first, the consumer
raised and every live-feed websocket closed with 1011 after 5 quiet seconds.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_redis_socket_timeout_outlasts_the_blocking_receive(tmp_path):
    script = (
        "from django.conf import settings\n"
        "from channels_redis.core import RedisChannelLayer\n"
        "host = settings.CHANNEL_LAYERS['default']['CONFIG']['hosts'][0]\n"
        "print(host['socket_timeout'] > RedisChannelLayer.brpop_timeout)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(REDIS_URL="redis://127.0.0.1:6379/0", OCRSPACE_VAR_DIR=str(tmp_path))
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.strip().splitlines()[-1] == "True", result.stdout + result.stderr


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (the PostgreSQL + Redis run)")
def test_a_receive_on_a_quiet_channel_keeps_waiting_past_five_seconds(settings):
    from channels.layers import get_channel_layer

    # A database of its own: nothing else sends to this channel.
    from urllib.parse import urlsplit, urlunsplit

    host = dict(settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0])
    host["address"] = urlunsplit(urlsplit(host["address"])._replace(path="/7"))
    layers = {"default": {**settings.CHANNEL_LAYERS["default"], "CONFIG": {"hosts": [host]}}}
    settings.CHANNEL_LAYERS = layers
    from channels.layers import channel_layers

    channel_layers.backends.pop("default", None)

    async def quiet_receive():
        layer = get_channel_layer()
        channel = await layer.new_channel()
        try:
            await asyncio.wait_for(layer.receive(channel), timeout=7)
        finally:
            await layer.flush()

    # Before the fix this raised redis.exceptions.TimeoutError after 5 s.
    with pytest.raises(asyncio.TimeoutError):
        asyncio.run(quiet_receive())
    channel_layers.backends.pop("default", None)
