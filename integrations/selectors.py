"""Reads of the integrations app used by more than one view (API and pages).

Each checks the reader's right to manage the team, like the services do.
"""

from __future__ import annotations

from django.db.models import QuerySet

from integrations.models import Delivery, Webhook
from ocrspace.errors import NotFound
from teams.models import Team
from teams.permissions import require
from teams.roles import Capability


def list_webhooks(team: Team, actor) -> QuerySet[Webhook]:
    require(actor, team, Capability.MANAGE_TEAM)
    return Webhook.objects.filter(team=team).order_by("created_at", "id")


def get_webhook(team: Team, actor, webhook_id: int) -> Webhook:
    """The team's webhook ``webhook_id``; another team's is "not found"."""
    webhook = list_webhooks(team, actor).filter(pk=webhook_id).first()
    if webhook is None:
        raise NotFound("No such webhook.")
    return webhook


def deliveries(webhook: Webhook, actor, limit: int = 50) -> QuerySet[Delivery]:
    require(actor, webhook.team, Capability.MANAGE_TEAM)
    return Delivery.objects.filter(webhook=webhook).order_by("-created_at", "-id")[:limit]
