"""Delivering one event to one webhook: payload, signature, HTTP, log, retry.

Runs only inside django-q2 tasks (``integrations.tasks``), never in a web
request or the OCR task.

Retries are re-enqueued as one-off django-q2 schedules rather than slept out
inside the task: the default cluster has a single worker that also does the
OCR, and a task sleeping through minutes of back-off would stall every
upload behind it. A schedule costs a row and frees the worker at once. The
cluster's scheduler wakes about every 30 seconds, so the back-off starts at
``OCRSPACE_WEBHOOK_RETRY_BASE_SECONDS`` (30 s) and doubles per attempt:
30 s, 1 min, 2 min, 4 min, 8 min for the default six attempts.
"""

from __future__ import annotations

import json
import logging
import random
import time
import uuid
from datetime import timedelta

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from integrations import netguard, signing
from integrations.models import PING, Delivery, DeliveryOutcome, Webhook
from recognition import selectors
from recognition.models import Event, Upload

log = logging.getLogger(__name__)

EXCERPT_CHARS = 500
USER_AGENT = "ocrspace-webhooks/1"


def absolute(path: str) -> str:
    return settings.OCRSPACE_BASE_URL + path


def upload_payload(upload: Upload) -> dict:
    result = selectors.done_result(upload)
    return {
        "id": upload.pk,
        "name": upload.original_name,
        "md5": upload.md5,
        "sha256": upload.sha256,
        "status": upload.status,
        "error": upload.error,
        "width": upload.width,
        "height": upload.height,
        "created_at": upload.created_at.isoformat(),
        "finished_at": upload.finished_at.isoformat() if upload.finished_at else None,
        "text": result.text if result else "",  # the current text, corrections included
        "version": result.version if result else None,
        "engine_text": result.engine_text if result else "",
        "confidence": round(result.confidence, 4) if result else None,
        "lines": result.lines if result else [],
        "engine_version": result.engine_version if result else None,
        "api_url": absolute(reverse("api-upload-detail", args=[upload.pk])),
        "browser_url": absolute(reverse("upload-result", args=[upload.pk])),
    }


def event_payload(event: Event, delivery_id: uuid.UUID) -> dict:
    """The body of an ``upload.*`` delivery. When the upload is gone by now,
    the outbox's own summary of it is sent instead."""
    upload = Upload.objects.select_related("team", "result").filter(pk=event.upload_id).first()
    if upload is not None:
        body = upload_payload(upload)
    else:
        summary = event.payload or {}
        body = {"id": event.upload_id, "name": summary.get("name"), "md5": None, "status": "deleted",
                "text": summary.get("text", ""), "confidence": summary.get("confidence"), "lines": []}
    return {
        "event": event.kind,
        "event_id": event.pk,
        "delivery": str(delivery_id),
        "occurred_at": event.created_at.isoformat(),
        "team": event.team.slug,
        "upload": body,
    }


def ping_payload(webhook: Webhook, delivery_id: uuid.UUID) -> dict:
    return {
        "event": PING,
        "delivery": str(delivery_id),
        "occurred_at": timezone.now().isoformat(),
        "team": webhook.team.slug,
        "webhook": {"id": webhook.pk, "events": webhook.events},
    }


def encode(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def headers_for(webhook: Webhook, kind: str, delivery_id: uuid.UUID, body: str, timestamp: int) -> dict:
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Ocrspace-Event": kind,
        "X-Ocrspace-Delivery": str(delivery_id),
        "X-Ocrspace-Timestamp": str(timestamp),
        "X-Ocrspace-Signature": signing.sign(webhook.secret, timestamp, body),
    }


def backoff_seconds(attempt: int) -> float:
    """Wait before attempt ``attempt + 1``: doubling, with a little jitter so
    many webhooks failing together do not retry in lockstep."""
    base = settings.OCRSPACE_WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempt - 1)
    return base * random.uniform(1.0, 1.1)


def _send(webhook: Webhook, kind: str, delivery_id: uuid.UUID, body: str) -> dict:
    """POST the body; the outcome as fields of a ``Delivery`` row."""
    fields: dict = {"status_code": None, "latency_ms": None, "error": "", "response_excerpt": ""}
    try:
        netguard.check_url(webhook.url)
    except netguard.UnsafeURL as error:
        fields["error"] = str(error)[:500]
        return fields
    timestamp = int(time.time())
    started = time.monotonic()
    try:
        with netguard.guarded_session() as session:
            response = session.post(
                webhook.url,
                data=body.encode("utf-8"),
                headers=headers_for(webhook, kind, delivery_id, body, timestamp),
                timeout=(settings.OCRSPACE_WEBHOOK_CONNECT_TIMEOUT, settings.OCRSPACE_WEBHOOK_READ_TIMEOUT),
                allow_redirects=False,
                stream=True,
            )
            fields["latency_ms"] = int((time.monotonic() - started) * 1000)
            with response:
                # Only an excerpt is kept, so never read more than that.
                raw = response.raw.read(EXCERPT_CHARS * 4, decode_content=True) or b""
            fields["status_code"] = response.status_code
            fields["response_excerpt"] = raw.decode("utf-8", "replace")[:EXCERPT_CHARS]
            if 300 <= response.status_code < 400:
                fields["error"] = "Redirects are not followed; register the final URL."
            elif not 200 <= response.status_code < 300:
                fields["error"] = f"The receiver answered HTTP {response.status_code}."
    except requests.Timeout:
        fields["error"] = "The receiver did not answer in time."
    except requests.RequestException as error:
        fields["error"] = _describe(error)
    except netguard.RefusedPeer as error:  # raised inside urllib3, normally wrapped
        fields["error"] = str(error)
    if fields["latency_ms"] is None:
        fields["latency_ms"] = int((time.monotonic() - started) * 1000)
    return fields


def _describe(error: Exception) -> str:
    """A short reason, without the stack of urllib3 wrappers."""
    seen, depth = error, 0
    while seen is not None and depth < 10:
        if isinstance(seen, netguard.RefusedPeer):
            return str(seen)
        reason = getattr(seen, "reason", None)
        seen = reason if isinstance(reason, BaseException) else (seen.__cause__ or seen.__context__)
        depth += 1
    if isinstance(error, requests.ConnectionError):
        return "Could not connect to the receiver."
    return f"The request failed ({type(error).__name__})."[:500]


def _body_for(webhook: Webhook, kind: str, event_id: int | None, delivery_id: uuid.UUID, attempt: int) -> str | None:
    if attempt > 1:
        previous = Delivery.objects.filter(webhook=webhook, delivery_id=delivery_id).order_by("-attempt").first()
        if previous is not None and previous.request_body:
            return previous.request_body
    if kind == PING:
        return encode(ping_payload(webhook, delivery_id))
    event = Event.objects.select_related("team").filter(pk=event_id).first()
    return encode(event_payload(event, delivery_id)) if event is not None else None


def _record_outcome(webhook: Webhook, ok: bool, fields: dict) -> Webhook:
    """Update the webhook's failure streak; disable it when the streak is long."""
    now = timezone.now()
    if ok:
        Webhook.objects.filter(pk=webhook.pk).update(consecutive_failures=0, last_success_at=now)
    else:
        Webhook.objects.filter(pk=webhook.pk).update(
            consecutive_failures=F("consecutive_failures") + 1, last_failure_at=now
        )
        limit = settings.OCRSPACE_WEBHOOK_MAX_FAILURES
        reason = (
            f"Disabled automatically after {limit} failed deliveries in a row "
            f"(last: {fields['error'] or 'HTTP ' + str(fields['status_code'])})."
        )[:500]
        disabled = Webhook.objects.filter(pk=webhook.pk, is_active=True, consecutive_failures__gte=limit).update(
            is_active=False, disabled_at=now, disabled_reason=reason
        )
        if disabled:
            log.warning("Webhook %s (%s) disabled: %s", webhook.pk, webhook.url, reason)
    webhook.refresh_from_db()
    return webhook


def _schedule_retry(webhook: Webhook, kind: str, event_id: int | None, delivery_id: uuid.UUID, attempt: int):
    from django_q.models import Schedule
    from django_q.tasks import schedule

    when = timezone.now() + timedelta(seconds=backoff_seconds(attempt))
    schedule(
        "integrations.tasks.deliver",
        webhook.pk,
        kind=kind,
        event_id=event_id,
        delivery_id=str(delivery_id),
        attempt=attempt + 1,
        schedule_type=Schedule.ONCE,
        repeats=-1,
        next_run=when,
    )
    return when


def deliver(webhook_id: int, *, kind: str, event_id: int | None = None,
            delivery_id: str | None = None, attempt: int = 1) -> Delivery | None:
    """Make one attempt; log it; schedule the next one when it failed.

    Returns the log row, or None when there was nothing to send (webhook
    deleted, disabled, or the event is gone).
    """
    # Plain str, not an EventKind member: retries are stored as a literal in
    # a django-q2 Schedule row and read back with ast.literal_eval.
    kind = str(kind)
    webhook = Webhook.objects.select_related("team").filter(pk=webhook_id).first()
    if webhook is None:
        return None
    if not webhook.is_active:
        log.info("Webhook %s is disabled; %s delivery not sent", webhook_id, kind)
        return None
    delivery_uuid = uuid.UUID(delivery_id) if delivery_id else uuid.uuid4()
    body = _body_for(webhook, kind, event_id, delivery_uuid, attempt)
    if body is None:
        return None

    fields = _send(webhook, kind, delivery_uuid, body)
    ok = fields["status_code"] is not None and 200 <= fields["status_code"] < 300
    webhook = _record_outcome(webhook, ok, fields)
    # A ping is a test: its result is what the admin wants to see, now.
    retry = not ok and kind != PING and webhook.is_active and attempt < settings.OCRSPACE_WEBHOOK_MAX_ATTEMPTS
    next_at = _schedule_retry(webhook, kind, event_id, delivery_uuid, attempt) if retry else None
    with transaction.atomic():
        row = Delivery.objects.create(
            webhook=webhook,
            delivery_id=delivery_uuid,
            event_kind=kind,
            event_id=event_id,
            upload_id=json.loads(body).get("upload", {}).get("id") if kind != PING else None,
            attempt=attempt,
            outcome=DeliveryOutcome.SUCCESS if ok else (DeliveryOutcome.RETRYING if retry else DeliveryOutcome.FAILED),
            request_body=body,
            next_attempt_at=next_at,
            **fields,
        )
        prune(webhook)
    level = logging.INFO if ok else logging.WARNING
    log.log(level, "Webhook %s %s attempt %s: %s", webhook.pk, kind, attempt,
            fields["status_code"] or fields["error"])
    return row


def prune(webhook: Webhook) -> int:
    """Keep the newest ``OCRSPACE_WEBHOOK_LOG_KEEP`` log rows of the webhook."""
    keep = settings.OCRSPACE_WEBHOOK_LOG_KEEP
    old = list(
        Delivery.objects.filter(webhook=webhook).order_by("-created_at", "-id").values_list("pk", flat=True)[keep:keep + 1000]
    )
    if old:
        Delivery.objects.filter(pk__in=old).delete()
    return len(old)
