"""Outbox relay for the embedded default (no Redis).

The in-memory channel layer lives inside the web process, and the OCR worker
is another process, so the worker cannot push to it. Instead the web process
runs this relay: one asyncio task that reads outbox rows newer than the last
one it saw and sends them to the team groups. It starts with the first
websocket and stops with the process. With Redis the worker pushes directly
(see ``recognition.events``) and the relay does not run.

Events written by the web process itself wake the relay at once
(``wake``, after their commit); the worker's, from another process, are
found by polling the database every ``POLL_SECONDS``. The relay reads on a
thread of its own that keeps its database connection: Channels'
``database_sync_to_async`` closes it around every call (``CONN_MAX_AGE =
0``), and a new SQLite connection at every poll cost 3.8 ms of CPU a poll
(``python -m bench.idle_cpu``).
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from channels.db import database_sync_to_async
from django.db import connection

from recognition import selectors
from recognition.events import event_message, team_group
from recognition.models import Event

log = logging.getLogger(__name__)

# The worker's results reach the sockets at most this long after their
# commit (0.25 s before: most of the embedded default's delivery time); an
# idle poll on the kept connection costs under a millisecond of CPU.
POLL_SECONDS = 0.05
BATCH = 200
_task: asyncio.Task | None = None
_wake: asyncio.Event | None = None
# One thread, so the relay's connection is always the same one.
_reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="feed-relay")


@database_sync_to_async
def latest_event_id(team_id: int | None = None) -> int:
    return selectors.last_event_id(team_id)


def _newer_exists(after: int) -> bool:
    # The idle poll's question in plain SQL: the ORM's query compilation
    # was most of its cost.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(Event._meta.db_table)} WHERE id > %s LIMIT 1",
                       [after])
        return cursor.fetchone() is not None


def _read_events(after: int) -> list[Event]:
    try:
        return selectors.events_after(after, BATCH) if _newer_exists(after) else []
    except Exception:
        connection.close()  # a new connection at the next poll
        raise


async def _events_after(after: int) -> list[Event]:
    return await asyncio.get_running_loop().run_in_executor(_reader, _read_events, after)


async def _pause(wake: asyncio.Event) -> None:
    """Until ``POLL_SECONDS`` have passed or this process wrote an event."""
    try:
        await asyncio.wait_for(wake.wait(), POLL_SECONDS)
    except asyncio.TimeoutError:
        pass
    wake.clear()


async def _run(channel_layer, wake: asyncio.Event) -> None:
    last = await latest_event_id()
    try:
        while True:
            try:
                batch = await _events_after(last)
                for event in batch:
                    await channel_layer.group_send(team_group(event.team_id),
                                                   {"type": "feed.event", "event": event_message(event)})
                    last = event.pk
                if len(batch) < BATCH:
                    await _pause(wake)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - keep relaying after a database hiccup
                log.warning("Live-feed relay: database error, retrying", exc_info=True)
                await asyncio.sleep(2)
    finally:
        # No connection left open behind a stopped relay (a test database
        # could not be dropped with it).
        try:
            _reader.submit(connection.close)
        except RuntimeError:  # the interpreter is exiting: so is the connection
            pass


def wake() -> None:
    """Relay now: an event of this process was committed (any thread)."""
    task, event = _task, _wake
    if task is not None and event is not None and not task.done():
        try:
            task.get_loop().call_soon_threadsafe(event.set)
        except RuntimeError:  # the loop is closed: nothing to wake
            pass


def ensure_running(channel_layer) -> None:
    """Start the relay in this event loop unless it already runs."""
    global _task, _wake
    if _task is None or _task.done():
        _wake = asyncio.Event()
        _task = asyncio.get_running_loop().create_task(_run(channel_layer, _wake))
