"""Queue entry points of the integrations app (run by django-q2 workers)."""

from __future__ import annotations

from integrations import delivery


def deliver(webhook_id: int, kind: str, event_id: int | None = None,
            delivery_id: str | None = None, attempt: int = 1) -> str:
    """One delivery attempt of ``kind`` (an event or a ping) to a webhook."""
    row = delivery.deliver(webhook_id, kind=kind, event_id=event_id, delivery_id=delivery_id, attempt=attempt)
    if row is None:
        return "skipped"
    return f"{row.outcome}: {row.status_code or row.error}"
