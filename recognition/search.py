"""Substring search over a team's recognised text, with match offsets.

Used by the REST API and the browser UI. Matching is a case-insensitive
substring test (``icontains``): it needs no word segmentation, so Chinese
queries such as ``销售报表`` work as well as English ones. On PostgreSQL the
trigram index from migration 0003 makes it fast; elsewhere it is a scan.

Snippets are returned as *plain text plus match offsets* rather than HTML:
the API speaks JSON and each client escapes and highlights as it renders.
Offsets count Unicode code points (Python ``str`` indices) into the snippet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from ocrspace.errors import DomainError
from recognition.models import Upload, UploadStatus
from teams.models import Team

MAX_QUERY_LENGTH = 200
SNIPPET_CONTEXT = 60      # characters kept either side of the first match
MAX_MATCHES = 50          # offsets reported per result


class SearchError(DomainError):
    """The query cannot be run (empty, too long, a NUL); the message says why."""

    code = "bad_query"


@dataclass(frozen=True)
class Snippet:
    text: str
    # [start, end) pairs into ``text``.
    matches: list[tuple[int, int]] = field(default_factory=list)
    # Matches in the whole text (not only in the snippet).
    total_matches: int = 0
    truncated_start: bool = False
    truncated_end: bool = False


def normalise_query(q: str | None) -> str:
    """Collapse whitespace; refuse empty and over-long queries and NULs.

    The one validation of search text, for the browser and the API. A NUL
    must be refused, not passed on: databases end the pattern at it, so
    ``a%00zzz`` would search for ``a`` and ``%00`` for everything.
    """
    if "\x00" in (q or ""):
        raise SearchError(_("The search text contains a NUL character (%00), which no text contains."))
    query = " ".join((q or "").split())
    if not query:
        raise SearchError(_("The search text is empty."))
    if len(query) > MAX_QUERY_LENGTH:
        raise SearchError(
            _("The search text is too long: use at most %(limit)s characters.") % {"limit": MAX_QUERY_LENGTH}
        )
    return query


def search_uploads(team: Team, q: str) -> QuerySet[Upload]:
    """Finished uploads of ``team`` whose text contains ``q``, newest first.

    The caller has already checked that the requester may view ``team``.
    """
    query = normalise_query(q)
    return (
        Upload.objects.of_team(team)
        .filter(status=UploadStatus.DONE, result__text__icontains=query)
        .select_related("result", "uploaded_by", "team")
        .order_by("-created_at", "-id")
    )


def filter_by_text(uploads: QuerySet[Upload], q: str) -> QuerySet[Upload]:
    """Narrow an upload queryset to those whose text or file name contains ``q``."""
    from django.db.models import Q

    query = normalise_query(q)
    return uploads.filter(Q(result__text__icontains=query) | Q(original_name__icontains=query))


def _pattern(query: str) -> re.Pattern[str]:
    # Whitespace in the query matches any run of whitespace in the text, so
    # a query typed on one line still finds text broken over two.
    parts = [re.escape(p) for p in query.split()]
    return re.compile(r"\s+".join(parts), re.IGNORECASE)


def find_matches(text: str, q: str) -> list[tuple[int, int]]:
    """Every non-overlapping match of ``q`` in ``text`` as [start, end) offsets."""
    return [m.span() for m in _pattern(normalise_query(q)).finditer(text)]


def make_snippet(text: str, q: str, context: int = SNIPPET_CONTEXT) -> Snippet:
    """A window of ``text`` around the first match, with match offsets.

    When the database matched but Python does not (rare case-folding
    differences between engines), the start of the text is returned with no
    offsets rather than nothing.
    """
    matches = find_matches(text, q)
    if not matches:
        end = min(len(text), 2 * context)
        return Snippet(text=text[:end], truncated_end=end < len(text))
    first_start, first_end = matches[0]
    start = max(0, first_start - context)
    end = min(len(text), first_end + context)
    # Do not cut in the middle of a word when a break is close by.
    if start > 0:
        space = text.find(" ", start, first_start)
        if space != -1 and space - start < 15:
            start = space + 1
    if end < len(text):
        space = text.rfind(" ", first_end, end)
        if space != -1 and end - space < 15:
            end = space
    inside = [(s - start, e - start) for s, e in matches if s >= start and e <= end][:MAX_MATCHES]
    return Snippet(
        text=text[start:end],
        matches=inside,
        total_matches=len(matches),
        truncated_start=start > 0,
        truncated_end=end < len(text),
    )
