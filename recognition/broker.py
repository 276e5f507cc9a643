"""The queue broker without Redis: django-q2's ORM broker, polled cheaply.

django-q2's ORM broker calls ``close_old_connections()`` before every use
outside a transaction. With ``CONN_MAX_AGE = 0`` that closes the cluster
pusher's connection at every poll, so each poll of an idle queue paid for
a new connection (on SQLite: opening the file, the WAL pragmas, and the
checkpoint when the last connection closes): 3.4 ms of CPU a poll, measured
with ``python -m bench.idle_cpu``. This broker keeps a healthy connection
and closes only one that failed, and asks an empty queue whether it holds
anything with one plain SQL statement (the ORM's query compilation was most
of an idle poll's cost), so the poll interval can be short
(``Q_CLUSTER["poll"]``).
"""

from __future__ import annotations

from time import sleep

from django.db import connections
from django_q.brokers.orm import ORM
from django_q.conf import Conf
from django_q.models import OrmQ


class KeptConnectionORM(ORM):
    @staticmethod
    def get_connection(list_key: str | None = None):
        connection = connections[Conf.ORM]
        # As Django's close_if_unusable_or_obsolete, without the age limit:
        # after an error the connection is kept only if it still answers
        # (a restarted PostgreSQL server, a dropped socket: reconnect).
        if connection.connection is not None and connection.errors_occurred and not connection.in_atomic_block:
            if connection.is_usable():
                connection.errors_occurred = False
            else:
                connection.close()
        return OrmQ.objects.using(Conf.ORM)

    def dequeue(self):
        if not self._has_rows():
            sleep(Conf.POLL)  # as django-q2 does on an empty queue
            return None
        return super().dequeue()

    def _has_rows(self) -> bool:
        """Any message of this queue. Those being read count too: while there
        are any, polls are django-q2's own, their cost nothing next to OCR."""
        self.get_connection()
        connection = connections[Conf.ORM]
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {quote(OrmQ._meta.db_table)} WHERE {quote('key')} = %s LIMIT 1",
                           [self.list_key])
            return cursor.fetchone() is not None
