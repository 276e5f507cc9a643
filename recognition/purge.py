"""Deleting many uploads at once: one DELETE per table.

``QuerySet.delete()`` on a batch of uploads first read every upload (and
every note, which has notifications of its own) into model objects to find
what cascades, then deleted table by table. Retention deletes hundreds of
thousands: here every table that refers to an upload is named once and
emptied of the batch's rows by one statement. ``DEPENDENTS`` is compared
with the models by a test, so a new relation to ``Upload`` cannot be left
out (it would fail at commit on its foreign key anyway).

The caller has locked and checked the uploads (``SELECT … FOR UPDATE``);
the foreign keys are deferred to the commit, so the order below is only
for reading.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Model

from recognition.models import Note, Notification, Result, ShareLink, Sighting, Tag, TextVersion, Upload

# (model, its column holding the upload's id), for each table of rows that
# go with an upload.
DEPENDENTS: tuple[tuple[type[Model], str], ...] = (
    (Sighting, "upload_id"),
    (Result, "upload_id"),
    (TextVersion, "upload_id"),
    (Tag.uploads.through, "upload_id"),
    (Note, "upload_id"),
    (ShareLink, "upload_id"),
)


def _in(column: str, ids: list[int]) -> tuple[str, list]:
    """``column`` is one of ``ids``: one array parameter on PostgreSQL (the
    same statement whatever the count), a list of them elsewhere."""
    column = connection.ops.quote_name(column)
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [ids]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def delete_uploads(ids: list[int]) -> None:
    """Delete the uploads ``ids`` and every row that goes with them."""
    if not ids:
        return
    quote = connection.ops.quote_name
    condition, params = _in("upload_id", ids)
    with connection.cursor() as cursor:
        # A note's mentions go with it: the one dependent one table further.
        cursor.execute(f"DELETE FROM {_table(Notification)} WHERE {quote('note_id')} IN "
                       f"(SELECT {quote('id')} FROM {_table(Note)} WHERE {condition})", params)
        for model, column in DEPENDENTS:
            where, values = _in(column, ids)
            cursor.execute(f"DELETE FROM {_table(model)} WHERE {where}", values)
        where, values = _in("id", ids)
        cursor.execute(f"DELETE FROM {_table(Upload)} WHERE {where}", values)
