"""Managing a team's webhooks: register, delete, re-enable, test, read the log.

Every function checks the actor's rights through ``teams.permissions``
(webhooks are team settings: ``MANAGE_TEAM``, i.e. admins and owners) and
writes the change to the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from integrations import netguard
from integrations.models import PING, Webhook, WebhookEvent, new_secret
from ocrspace.errors import DomainError
from teams import audit
from teams.models import Team
from teams.permissions import require
from teams.roles import Capability

MIN_SECRET_LENGTH = 16
MAX_WEBHOOKS_PER_TEAM = 20


class WebhookError(DomainError):
    """A webhook request that cannot be done; the message is for the user."""

    code = "webhook_refused"


def clean_events(events: Iterable[str] | None) -> list[str]:
    chosen = sorted(set(events or WebhookEvent.values))
    unknown = [e for e in chosen if e not in WebhookEvent.values]
    if unknown:
        raise WebhookError(_("Unknown event type(s): %(names)s.") % {"names": ", ".join(unknown)})
    if not chosen:
        raise WebhookError(_("Choose at least one event type."))
    return chosen


def create_webhook(team: Team, actor, url: str, events: Iterable[str] | None = None,
                   secret: str = "", description: str = "") -> Webhook:
    """Register ``url``; the returned webhook's ``secret`` is shown to the
    caller once (generated unless given)."""
    require(actor, team, Capability.MANAGE_TEAM)
    url = (url or "").strip()
    if len(url) > 2000:
        raise WebhookError(_("The URL is too long."))
    try:
        netguard.check_url(url)
    except netguard.UnsafeURL as error:
        raise WebhookError(str(error)) from None
    secret = (secret or "").strip()
    if secret and len(secret) < MIN_SECRET_LENGTH:
        raise WebhookError(_("A secret needs at least %(n)s characters.") % {"n": MIN_SECRET_LENGTH})
    if Webhook.objects.filter(team=team).count() >= MAX_WEBHOOKS_PER_TEAM:
        raise WebhookError(_("A team can have at most %(n)s webhooks.") % {"n": MAX_WEBHOOKS_PER_TEAM})
    with transaction.atomic():
        webhook = Webhook.objects.create(
            team=team, url=url, events=clean_events(events), secret=secret or new_secret(),
            description=description.strip()[:200], created_by=actor,
        )
        audit.record(actor, "webhook.create", webhook, team=team, url=url, events=webhook.events)
    return webhook


def delete_webhook(webhook: Webhook, actor) -> None:
    require(actor, webhook.team, Capability.MANAGE_TEAM)
    with transaction.atomic():
        audit.record(actor, "webhook.delete", webhook, team=webhook.team, url=webhook.url)
        webhook.delete()


def set_active(webhook: Webhook, actor, active: bool) -> Webhook:
    """Switch a webhook on (clearing its failure streak) or off by hand."""
    require(actor, webhook.team, Capability.MANAGE_TEAM)
    if active:
        try:
            netguard.check_url(webhook.url)
        except netguard.UnsafeURL as error:
            raise WebhookError(str(error)) from None
    webhook.is_active = active
    webhook.consecutive_failures = 0 if active else webhook.consecutive_failures
    webhook.disabled_at = None if active else webhook.disabled_at
    webhook.disabled_reason = "" if active else _("Switched off by %(user)s.") % {"user": actor.get_username()}
    webhook.save(update_fields=["is_active", "consecutive_failures", "disabled_at", "disabled_reason"])
    audit.record(actor, "webhook.enable" if active else "webhook.disable", webhook, team=webhook.team)
    return webhook


def send_ping(webhook: Webhook, actor) -> None:
    """Queue a signed ``ping`` delivery (its result appears in the log)."""
    from django_q.tasks import async_task

    require(actor, webhook.team, Capability.MANAGE_TEAM)
    if not webhook.is_active:
        raise WebhookError(_("Enable the webhook before testing it."))
    async_task("integrations.tasks.deliver", webhook.pk, kind=PING, group="webhooks",
               task_name=f"webhook-{webhook.pk}-ping")
