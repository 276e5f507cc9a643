"""Outbox relay for the embedded default (no Redis).

The in-memory channel layer lives inside the web process, and the OCR worker
is another process, so the worker cannot push to it. Instead the web process
runs this relay: one asyncio task that reads outbox rows newer than the last
one it saw and sends them to the team groups. It starts with the first
websocket and stops with the process. With Redis the worker pushes directly
(see ``recognition.events``) and the relay does not run.
"""

from __future__ import annotations

import asyncio
import logging

from channels.db import database_sync_to_async

from recognition import selectors
from recognition.events import event_message, team_group
from recognition.models import Event

log = logging.getLogger(__name__)

POLL_SECONDS = 0.25
BATCH = 200
_task: asyncio.Task | None = None


@database_sync_to_async
def latest_event_id(team_id: int | None = None) -> int:
    return selectors.last_event_id(team_id)


@database_sync_to_async
def _events_after(after: int) -> list[Event]:
    return selectors.events_after(after, BATCH)


async def _run(channel_layer) -> None:
    last = await latest_event_id()
    while True:
        try:
            batch = await _events_after(last)
            for event in batch:
                await channel_layer.group_send(team_group(event.team_id), {"type": "feed.event", "event": event_message(event)})
                last = event.pk
            if len(batch) < BATCH:
                await asyncio.sleep(POLL_SECONDS)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - keep relaying after a database hiccup
            log.warning("Live-feed relay: database error, retrying", exc_info=True)
            await asyncio.sleep(2)


def ensure_running(channel_layer) -> None:
    """Start the relay in this event loop unless it already runs."""
    global _task
    if _task is None or _task.done():
        _task = asyncio.get_running_loop().create_task(_run(channel_layer))
