"""Live-feed events: written to the outbox with the change, pushed after commit.

Every event is first a row of ``Event`` in the same transaction as the change
it announces. After the commit it is pushed to the team's channel group:

* with Redis (``REDIS_URL``), straight from the process that made the change
  (usually the OCR worker) through channels-redis to every web process;
* on the embedded default the channel layer lives inside the web process, so
  the worker cannot reach it; the web process's relay (``recognition.relay``)
  reads new outbox rows and pushes them instead.

Consumers drop events they already sent, and a client that reconnects asks for
every event after the last id it saw, so nothing is missed in either mode.
"""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction

from recognition.representation import feed_summary
from recognition.models import Event, Upload

log = logging.getLogger(__name__)

def team_group(team_id: int) -> str:
    return f"team.{team_id}"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def event_message(event: Event) -> dict:
    return {
        "id": event.pk,
        "kind": event.kind,
        "team": event.team_id,
        "upload_id": event.upload_id,
        "created_at": event.created_at.isoformat(),
        "upload": event.payload,
    }


def record(upload: Upload, kind: str, payload: dict | None = None) -> Event:
    """Write the event (inside the caller's transaction) and push it after commit."""
    event = Event.objects.create(
        team_id=upload.team_id,
        kind=kind,
        upload_id=upload.pk,
        payload=payload if payload is not None else feed_summary(upload),
    )
    _deliver_after_commit(event)
    return event


def record_batch(team_id: int, kind: str, payload: dict) -> Event:
    """One event about many uploads of a team (``uploads.expired``), written
    inside the caller's transaction: retention removes thousands of uploads,
    and one event per batch keeps the outbox, the sockets and every open page
    from replaying them one by one. ``upload_id`` is 0; the ids are in the
    payload."""
    event = Event.objects.create(team_id=team_id, kind=kind, upload_id=0, payload=payload)
    _deliver_after_commit(event)
    return event


def _deliver_after_commit(event: Event) -> None:
    if settings.REDIS_URL:
        transaction.on_commit(lambda: push(event))
    else:
        # The relay of this process, if it runs here (the web process), sends
        # it now instead of at its next poll; elsewhere this does nothing.
        from recognition import relay

        transaction.on_commit(relay.wake)


def push(event: Event) -> None:
    """Send one committed event to its team's sockets (best effort: a client
    that misses it catches up from the outbox when it reconnects)."""
    try:
        async_to_sync(get_channel_layer().group_send)(
            team_group(event.team_id), {"type": "feed.event", "event": event_message(event)}
        )
    except Exception:  # noqa: BLE001 - the change is committed; delivery is retried by catch-up
        log.warning("Could not push event %s to the live feed", event.pk, exc_info=True)
