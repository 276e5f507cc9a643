"""Recording moderation and membership actions in the audit log."""

from __future__ import annotations

from django.db import models

from teams.models import AuditEntry, Team


def record(actor, action: str, target: models.Model, team: Team | None = None, **details) -> AuditEntry:
    """Write one audit row; ``details`` must be JSON-serialisable."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "get_username", lambda: "system")(),
        action=action,
        team=team,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_repr=str(target)[:200],
        details=details,
    )
