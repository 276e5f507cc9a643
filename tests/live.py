"""The real platform (daphne + django-q2 cluster) for end-to-end tests,
started by ``ocrspace.stack.Stack`` on the test database.

The processes share the test database (a file for SQLite, the test database
on PostgreSQL), Redis, the media directory and the secret key with the test
process, so a test can create users and uploads through the ORM and watch
the real worker and websocket act on them.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

from ocrspace.stack import Stack, free_port  # noqa: F401 - tests start their own servers on free ports too

ROOT = Path(__file__).resolve().parents[1]


def database_url() -> str:
    """The URL of the database this test process uses."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def live_stack(media_root: Path, log_dir: Path, **env: str) -> Stack:
    """Web server and worker cluster on the test database; logs in ``log_dir``."""
    return Stack(
        worker=True, throwaway=False, database_url=database_url(), redis_url=settings.REDIS_URL,
        directory=log_dir,
        SECRET_KEY=settings.SECRET_KEY, MEDIA_ROOT=str(media_root), OCRSPACE_VAR_DIR=str(log_dir / "var"),
        OCRSPACE_TORCH_THREADS="1", **env,
    )
