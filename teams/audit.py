"""Recording moderation, membership, token and sign-in actions in the audit log."""

from __future__ import annotations

from django.db import models

from teams.models import AuditEntry, Team


def record(actor, action: str, target: models.Model | None, team: Team | None = None, *,
           actor_name: str | None = None, **details) -> AuditEntry:
    """Write one audit row; ``details`` must be JSON-serialisable. A failed
    sign-in has no actor and maybe no target: ``actor_name`` says who it
    claimed to be."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=(actor_name or getattr(actor, "get_username", lambda: "system")())[:150],
        action=action,
        team=team,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        details=details,
    )
