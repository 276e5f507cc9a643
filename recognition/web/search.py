"""Searching a team's history from the browser."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ocrspace.errors.codes import status_for
from recognition import search
from teams.permissions import get_team

PAGE_SIZE = 20


def highlighted(snippet: search.Snippet) -> list[tuple[str, bool]]:
    """The snippet as (text, is_match) pieces. The template escapes each
    piece and wraps matches in <mark>, so OCR text is never markup."""
    pieces, cursor = [], 0
    for start, end in snippet.matches:
        if start > cursor:
            pieces.append((snippet.text[cursor:start], False))
        pieces.append((snippet.text[start:end], True))
        cursor = end
    if cursor < len(snippet.text):
        pieces.append((snippet.text[cursor:], False))
    return pieces


@login_required
@require_GET
def search_page(request, slug: str):
    team = get_team(request.user, slug)
    raw_query = request.GET.get("q", "")
    context = {"team": team, "query": raw_query.strip(), "hits": None, "error": None, "page": None}
    status = 200
    if raw_query.strip():
        try:
            query = search.normalise_query(raw_query)
        except search.SearchError as error:
            context["error"] = error.message
            status = status_for(error.code)
            context["query"] = raw_query.replace("\x00", "").strip()
        else:
            page = Paginator(search.search_uploads(team, query), PAGE_SIZE).get_page(request.GET.get("page"))
            context["page"] = page
            context["hits"] = [
                {"upload": upload, "snippet": snippet, "pieces": highlighted(snippet)}
                for upload in page
                for snippet in [search.make_snippet(upload.result.text, query)]
            ]
    # A refused query is bad input: the page says why, with the status of its code.
    return render(request, "recognition/search.html", context, status=status)
