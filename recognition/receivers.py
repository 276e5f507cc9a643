"""Signal receivers of the recognition app (connected in apps.ready)."""

from __future__ import annotations

import logging
import os

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django_q.signals import post_spawn

from recognition import engine_gateway
from recognition.events import user_group
from recognition.models import TeamModel
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


@receiver(post_spawn)
def warm_up_engine(sender, proc_name: str, **kwargs) -> None:
    """In each new cluster worker (after the fork, so torch never enters the
    parent), load the default profile and read one synthetic page before the
    worker takes its first task: the first upload after a start or a recycle
    is then as fast as the others."""
    from recognition.teaching.services import TRAINING_CLUSTER

    if not settings.OCRSPACE_WARM_UP or os.environ.get("Q_CLUSTER_NAME") == TRAINING_CLUSTER:
        return  # the training lane loads its own networks, for training
    try:
        engine_gateway.warm_up()
    except Exception:  # noqa: BLE001 - the first task will report what is wrong
        log.warning("Warming up the OCR engine in %s failed", proc_name, exc_info=True)


@receiver(post_delete, sender=TeamModel)
def remove_team_model_file(sender, instance: TeamModel, **kwargs) -> None:
    """A deleted model (with its team, say) takes its weights file along,
    once the deletion is committed."""
    from recognition.teaching.services import delete_weights

    delete_weights(instance)
