"""Turning outbox events into webhook deliveries.

A receiver on the outbox (``recognition.models.Event``): once the
transaction that wrote a ``upload.done``/``upload.failed`` event commits, one
``integrations.tasks.deliver`` task per matching active webhook of the team
goes to the queue. Nothing is sent from here, so the OCR task (or request)
that wrote the event never waits for a receiver.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from integrations.models import Webhook, WebhookEvent
from recognition.models import Event

log = logging.getLogger(__name__)


def enqueue_for_event(event_id: int, team_id: int, kind: str) -> int:
    """Queue one delivery per active webhook of the team that wants ``kind``."""
    from django_q.tasks import async_task

    webhooks = [w for w in Webhook.objects.filter(team_id=team_id, is_active=True).only("pk", "events") if w.wants(kind)]
    for webhook in webhooks:
        async_task(
            "integrations.tasks.deliver", webhook.pk, kind=kind, event_id=event_id,
            task_name=f"webhook-{webhook.pk}-event-{event_id}", group="webhooks",
        )
    return len(webhooks)


@receiver(post_save, sender=Event, dispatch_uid="integrations.webhooks_on_event")
def queue_webhooks(sender, instance: Event, created: bool, raw: bool = False, **kwargs) -> None:
    if not created or raw or instance.kind not in WebhookEvent.values:
        return

    def enqueue() -> None:
        try:
            enqueue_for_event(instance.pk, instance.team_id, str(instance.kind))
        except Exception:  # noqa: BLE001 - the upload is committed; a lost webhook must not fail the OCR task
            log.exception("Could not queue webhooks for event %s", instance.pk)

    transaction.on_commit(enqueue)
