"""Fixtures for the fault-injection tests: a live platform per test (its own
web server, worker cluster and media directory on the shared test database).

Helpers (images, API client, Redis) are in ``helpers.py``; every test ends
with ``tests.support.assert_nothing_lost``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from teams.models import Membership
from teams.roles import Role
from ocrspace.stack import Stack
from tests.live import live_stack


@pytest.fixture
def start_platform(transactional_db, tmp_path):
    """Start a platform of its own for this test: ``start_platform(**env)``.

    Workers of other platforms (the session's ``live_platform``) are paused
    meanwhile: they share the database and would take this one's tasks.
    It is stopped before the database is flushed.
    """
    started: list[Stack] = []
    pauses = []

    def start(media_root: Path | None = None, **env: str) -> Stack:
        base = tmp_path / f"platform{len(started)}"
        platform = live_stack(media_root=media_root or base / "media", log_dir=base, **env)
        pause = platform.paused_others()
        pause.__enter__()
        pauses.append(pause)
        started.append(platform)
        platform.start()
        return platform

    yield start
    for platform in reversed(started):
        platform.stop()
    for pause in reversed(pauses):
        pause.__exit__(None, None, None)


@pytest.fixture
def team_members(team, make_user):
    """``team_members(prefix, count)``: that many new members of ``team``,
    one per simulated client."""
    def create(prefix: str, count: int) -> list:
        users = [make_user(f"{prefix}{i}") for i in range(count)]
        Membership.objects.bulk_create(Membership(user=u, team=team, role=Role.MEMBER) for u in users)
        return users

    return create
