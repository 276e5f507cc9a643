"""Substring search over a team's recognised text, with match offsets.

Used by the REST API and the browser UI. Matching is a case-insensitive
substring test (``icontains``): it needs no word segmentation, so Chinese
queries such as ``销售报表`` work as well as English ones. On PostgreSQL an
index answers it: the trigram index from migration 0003 for three characters
and more, the terms of ``recognition.terms`` (migration 0015) for one or two
with a CJK character among them. Text, file names and notes are each found
through their own index and the ids joined with UNION: an OR across the three
tables would make the planner scan every upload instead. Elsewhere (SQLite)
the same queries are scans.

Snippets are returned as *plain text plus match offsets* rather than HTML:
the API speaks JSON and each client escapes and highlights as it renders.
Offsets count Unicode code points (Python ``str`` indices) into the snippet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Exists, F, Func, Lookup, OuterRef, Q, QuerySet, TextField, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext as _

from ocrspace.errors import DomainError
from recognition import terms
from recognition.models import Note, Result, Upload, UploadStatus
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


# A query that many of the newest uploads match (``invoice`` in a team of
# invoices) is answered fastest by walking the uploads newest first until a
# page is full; an index lookup would read every match (half the team) first.
# A few of the newest are looked at to tell which kind a query is. Both forms
# find exactly the same uploads.
PROBE = 200
COMMON_SHARE = 0.1


def _common(uploads: QuerySet[Upload], condition: Q) -> bool:
    """Whether at least ``COMMON_SHARE`` of the newest ``PROBE`` uploads match."""
    newest = uploads.order_by("-created_at", "-id").values("pk")[:PROBE]
    return Upload.objects.filter(pk__in=newest).filter(condition).count() >= PROBE * COMMON_SHARE


class _AnyOf(Lookup):
    """``id = ANY(ARRAY(subquery))`` (PostgreSQL): the subquery's ids are
    collected once and looked up by primary key."""

    lookup_name = "any_of"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", [*lhs_params, *rhs_params]


def _among(uploads: QuerySet[Upload], ids: QuerySet) -> QuerySet[Upload]:
    """``uploads`` whose id is one of ``ids`` (a subquery of matches).

    ``id IN (ids)`` lets PostgreSQL's planner hash-join the matches against
    a sequential scan of all the team's uploads, which costs half a second
    at a million uploads however few match; ``= ANY(ARRAY(ids))`` looks
    them up by primary key instead."""
    if connection.vendor != "postgresql":
        return uploads.filter(pk__in=ids)
    return uploads.filter(_AnyOf(F("pk"), ids))


def search_uploads(team: Team, q: str) -> QuerySet[Upload]:
    """Finished uploads of ``team`` whose text contains ``q``, newest first.

    The caller has already checked that the requester may view ``team``.
    """
    query = normalise_query(q)
    uploads = Upload.objects.of_team(team).filter(status=UploadStatus.DONE)
    in_text = Q(result__text__icontains=query)
    matching = uploads.filter(in_text) if _common(uploads, in_text) else _among(uploads, results_containing(query))
    return matching.select_related("result", "uploaded_by", "team").order_by("-created_at", "-id")


class _TermArray(Func):
    """``string_to_array(terms, ' ')``: the expression the GIN index of
    migration 0015 is built on (the planner matches it literally)."""

    template = "string_to_array(%(expressions)s, ' ')"

    def __init__(self, expression):
        from django.contrib.postgres.fields import ArrayField

        super().__init__(expression, output_field=ArrayField(TextField()))


def _containing(rows: QuerySet, column: str, terms_column: str, query: str) -> QuerySet:
    """``rows`` whose ``column`` contains ``query``: through the trigram
    index, or for a short CJK query through ``terms_column``."""
    term = terms.query_term(query)
    if term is None:
        return rows.filter(**{f"{column}__icontains": query})
    if connection.vendor == "postgresql":
        return rows.annotate(term_array=_TermArray(terms_column)).filter(term_array__contains=[term])
    # The same terms, unindexed.
    padded = Concat(Value(" "), terms_column, Value(" "), output_field=TextField())
    return rows.annotate(padded_terms=padded).filter(padded_terms__contains=f" {term} ")


def results_containing(query: str) -> QuerySet:
    """The ``upload_id`` of every result whose current text contains
    ``query`` (normalised), as a subquery."""
    return _containing(Result.objects.order_by(), "text", "terms", query).values("upload_id")


def matching_ids(uploads: QuerySet[Upload], q: str) -> QuerySet:
    """The ids of ``uploads`` whose text, file name or a note contains ``q``:
    three indexed subqueries joined with UNION (see the module's docstring)."""
    query = normalise_query(q)
    names = _containing(uploads.order_by(), "original_name", "name_terms", query).values("pk")
    noted = Note.objects.order_by().filter(body__icontains=query).values("upload_id")
    return results_containing(query).union(names, noted)


def filter_by_text(uploads: QuerySet[Upload], q: str) -> QuerySet[Upload]:
    """Narrow an upload queryset to those whose text, file name or a note
    contains ``q``: a UNION of index lookups, or for a common query one
    condition checked on the newest uploads first (see ``PROBE``)."""
    query = normalise_query(q)
    anywhere = (Q(result__text__icontains=query) | Q(original_name__icontains=query)
                | Exists(Note.objects.filter(upload=OuterRef("pk"), body__icontains=query)))
    if _common(uploads, anywhere):
        return uploads.filter(anywhere)
    return _among(uploads, matching_ids(uploads, query))


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
