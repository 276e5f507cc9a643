"""Outgoing webhooks of a team and the log of every delivery attempt."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from teams.models import Team


class WebhookEvent(models.TextChoices):
    """Events a webhook can subscribe to (a subset of the outbox kinds)."""

    DONE = "upload.done", _("Upload recognised")
    FAILED = "upload.failed", _("Upload failed")
    CORRECTED = "upload.corrected", _("Text corrected or reverted")


PING = "ping"


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class Webhook(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="webhooks")
    # Checked by integrations.netguard (scheme and resolved addresses), not
    # by a URL regex.
    url = models.CharField(_("URL"), max_length=2000)
    description = models.CharField(_("description"), max_length=200, blank=True)
    # Kept in clear text: it is needed to sign every delivery. It is shown
    # once when created and never again by the pages or the API.
    secret = models.CharField(max_length=200, default=new_secret)
    events = models.JSONField(default=list, help_text=_("Event kinds delivered to this URL."))
    is_active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["team__name", "created_at", "id"]
        indexes = [models.Index(fields=["team", "is_active"], name="webhook_team_active")]

    def __str__(self) -> str:
        return f"{self.url} ({self.team.slug})" if self.team_id else self.url

    def wants(self, kind: str) -> bool:
        return kind in (self.events or [])


class DeliveryOutcome(models.TextChoices):
    SUCCESS = "success", _("Delivered")
    RETRYING = "retrying", _("Failed, will retry")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not sent")


class Delivery(models.Model):
    """One attempt to deliver one event to one webhook.

    Attempts of the same event share ``delivery_id`` (sent as
    ``X-Ocrspace-Delivery``) so a receiver can recognise a retry of something
    it already processed.
    """

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    delivery_id = models.UUIDField(default=uuid.uuid4, db_index=True)
    event_kind = models.CharField(max_length=30)
    event_id = models.BigIntegerField(null=True, blank=True)
    upload_id = models.BigIntegerField(null=True, blank=True)
    attempt = models.PositiveSmallIntegerField(default=1)
    outcome = models.CharField(max_length=10, choices=DeliveryOutcome.choices)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)
    # The exact body sent: retries send it again byte for byte (only the
    # timestamp and signature change), and admins can see what went out.
    request_body = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        indexes = [models.Index(fields=["webhook", "-created_at"], name="delivery_webhook_recent")]

    def __str__(self) -> str:
        return f"{self.event_kind} #{self.attempt} → {self.status_code or self.error[:40]}"
