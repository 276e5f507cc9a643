"""A throw-away PostgreSQL database for the benchmarks that seed many rows.

Created next to ``DATABASE_URL`` (``<name>_<suffix>``; the database named in
``DATABASE_URL`` need not exist), Django set up on it, and dropped when the
block ends unless ``keep``.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit


def _url_of(base: str, name: str) -> str:
    return urlunsplit(urlsplit(base)._replace(path=f"/{name}"))


@contextmanager
def scratch_database(suffix: str, *, keep: bool = False, why: str = "", **environment: str):
    """Django on a fresh PostgreSQL database for the block (``environment``:
    more settings for it); a clean exit with a message when ``DATABASE_URL``
    is not PostgreSQL."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        print(f"Set DATABASE_URL to a PostgreSQL server{why}.", file=sys.stderr)
        raise SystemExit(2)
    import psycopg

    name = urlsplit(base).path.lstrip("/") + f"_{suffix}"
    admin = _url_of(base, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ.update(DATABASE_URL=_url_of(base, name), **environment)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocrspace.settings")
    os.environ.pop("REDIS_URL", None)  # the benchmarks measure the database alone
    import django

    django.setup()
    from django.db import connection

    try:
        yield name
    finally:
        connection.close()
        if not keep:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
