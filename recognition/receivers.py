"""Signal receivers of the recognition app (connected in apps.ready)."""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.dispatch import receiver

from recognition.events import user_group
from teams.signals import member_removed

log = logging.getLogger(__name__)


@receiver(member_removed)
def close_feeds_of_removed_member(sender, team, user, **kwargs) -> None:
    """Disconnect the removed user's sockets for that team at once.

    Consumers also re-check membership before every event, which covers
    processes this message cannot reach (in-memory layer, other process).
    """
    try:
        async_to_sync(get_channel_layer().group_send)(
            user_group(user.pk), {"type": "membership.revoked", "team_id": team.pk}
        )
    except Exception:  # noqa: BLE001 - the membership row is already gone
        log.warning("Could not notify sockets of removed member %s", user.pk, exc_info=True)
