"""Searching a team's history from the browser."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from recognition import filters, paging, search, selectors
from recognition.web import organise
from teams.permissions import get_team

PAGE_SIZE = paging.PAGE_SIZE


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
    """Search with the filter bar: the same filter as the team space
    (``recognition.filters``); the text query's matches are marked."""
    team = get_team(request.user, slug)
    current, error = organise.read_filter(request)
    context = {"team": team, "query": current.q or request.GET.get("q", "").replace("\x00", "").strip(),
               "hits": None, "error": error, "page": None}
    matching = None
    if error is None and current.active:
        uploads = filters.team_uploads(team, current)
        page = paging.page_of(uploads, older=request.GET.get("older"), newer=request.GET.get("newer"), size=PAGE_SIZE)
        context["page"] = page
        matching = paging.bounded_count(uploads)
        hits = []
        for upload in page:
            result = selectors.done_result(upload)
            snippet = search.make_snippet(result.text, current.q) if result is not None and current.q else None
            preview = selectors.preview(upload) or ""
            hits.append({"upload": upload, "snippet": snippet, "pieces": highlighted(snippet) if snippet else [],
                         "preview": preview})
        context["hits"] = hits
    context.update(organise.filter_context(request, team, current, error, matching))
    # A refused query is bad input: the page says why, with status 400.
    return render(request, "recognition/search.html", context, status=400 if error else 200)
