"""The PostgreSQL connection pool across ``fork``.

Django keeps one psycopg_pool per database alias and process, in a class
attribute of the PostgreSQL backend. The worker cluster (django-q2) forks
its workers, and a forked child inherits that pool: its idle connections
are the parent's sockets, and its maintenance threads are not there. A
child that took a connection from it would talk over the parent's socket,
and their queries would mix. So a child forgets the inherited pools at
once and opens its own on its first query.

It never closes them: closing would say goodbye to PostgreSQL over sockets
the parent still uses. They stay referenced until the child exits, and
psycopg does not end a connection made by another process when it is
garbage-collected.
"""

from __future__ import annotations

import os

from django.conf import settings

_inherited: list = []
_registered = False


def pooled() -> bool:
    """Whether a database of the settings uses a connection pool."""
    return any((db.get("OPTIONS") or {}).get("pool") for db in settings.DATABASES.values())


def forget_inherited_pools() -> None:
    """In a forked child: drop the pools the parent opened (see above)."""
    from django.db.backends.postgresql.base import DatabaseWrapper

    pools = DatabaseWrapper._connection_pools
    _inherited.extend(pools.values())
    pools.clear()


def register() -> None:
    """Make forked children forget their parent's pools (once per process)."""
    global _registered
    if _registered or not pooled():
        return
    os.register_at_fork(after_in_child=forget_inherited_pools)
    _registered = True
