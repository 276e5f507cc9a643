"""Keyset pages of uploads, newest first, for the browser lists.

The team space and the search page used page numbers: page 5,000 of a
100,000-upload team was ``OFFSET 99980`` (every row before it read and thrown
away) plus a ``COUNT(*)`` over the whole team on every page. A keyset page
starts after the last row of the page before it instead: ``older`` names
that row (its ``created_at`` and id), so the query reads the index from there
and stops after a page, however deep. ``newer`` goes back the same way. The
number of matching uploads is counted only up to ``COUNT_LIMIT``.

A cursor is ``<microseconds since the epoch>.<id>``: exact (no float), short,
and meaningless to anyone who changes it (a changed cursor only moves the
page; the query is still the requester's team's).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from recognition.models import Upload

PAGE_SIZE = 20
# "More than 1,000 uploads match": an exact count above this reads every
# matching row, which is what the page must not do on a large team.
COUNT_LIMIT = 1000

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_CURSOR = re.compile(r"^(-?\d{1,19})\.(\d{1,19})$")


@dataclass(frozen=True)
class Cursor:
    created_at: dt.datetime
    pk: int

    @classmethod
    def of(cls, upload: Upload) -> "Cursor":
        return cls(upload.created_at, upload.pk)

    def token(self) -> str:
        return f"{(self.created_at - _EPOCH) // dt.timedelta(microseconds=1)}.{self.pk}"

    @classmethod
    def parse(cls, token: str | None) -> "Cursor | None":
        """The cursor a link carries; None for a missing or malformed one
        (the list then starts at its newest upload)."""
        match = _CURSOR.match((token or "").strip())
        if match is None:
            return None
        try:
            return cls(_EPOCH + dt.timedelta(microseconds=int(match[1])), int(match[2]))
        except OverflowError:
            return None


@dataclass
class KeysetPage:
    """One page of a list: its uploads and the cursors of its neighbours."""

    items: list[Upload] = field(default_factory=list)
    older: str | None = None   # the next (older) page starts after this
    newer: str | None = None   # the previous (newer) page ends before this
    first: bool = True

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def has_other_pages(self) -> bool:
        return self.older is not None or self.newer is not None


def older_than(uploads: QuerySet[Upload], c: Cursor) -> QuerySet[Upload]:
    # ``created_at <= c`` is the index's range bound; the OR only sorts out
    # the uploads of the very same moment by id.
    return uploads.filter(created_at__lte=c.created_at).filter(Q(created_at__lt=c.created_at) | Q(pk__lt=c.pk))


def newer_than(uploads: QuerySet[Upload], c: Cursor) -> QuerySet[Upload]:
    return uploads.filter(created_at__gte=c.created_at).filter(Q(created_at__gt=c.created_at) | Q(pk__gt=c.pk))


def page_of(uploads: QuerySet[Upload], *, older: str | None = None, newer: str | None = None,
            size: int = PAGE_SIZE) -> KeysetPage:
    """The page of ``uploads`` (any queryset; listed newest first) after the
    ``older`` cursor, before the ``newer`` one, or the first page."""
    newest_first = uploads.order_by("-created_at", "-id")
    after, before = Cursor.parse(older), Cursor.parse(newer)
    if before is not None and after is None:
        rows = list(newer_than(uploads, before).order_by("created_at", "id")[:size + 1])
        if len(rows) > size:
            items = rows[:size][::-1]
            return KeysetPage(items, older=Cursor.of(items[-1]).token(), newer=Cursor.of(items[0]).token(),
                              first=False)
        # Fewer than a page is newer: that is the first page (filled up).
        return page_of(uploads, size=size)
    if after is not None:
        rows = list(older_than(newest_first, after)[:size + 1])
        items = rows[:size]
        return KeysetPage(items, older=Cursor.of(items[-1]).token() if len(rows) > size else None,
                          newer=Cursor.of(items[0]).token() if items else after.token(), first=False)
    rows = list(newest_first[:size + 1])
    items = rows[:size]
    return KeysetPage(items, older=Cursor.of(items[-1]).token() if len(rows) > size else None)


def bounded_count(uploads: QuerySet[Upload], limit: int | None = None) -> tuple[int, bool]:
    """How many uploads match, counted up to ``limit`` (``COUNT_LIMIT``):
    ``(n, True)`` means more than ``n``. The database stops after ``limit + 1`` rows."""
    limit = COUNT_LIMIT if limit is None else limit
    n = uploads.order_by().values("pk")[:limit + 1].count()
    return (limit, True) if n > limit else (n, False)
