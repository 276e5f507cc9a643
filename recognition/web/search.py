"""Searching a team's history from the browser."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

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
    if raw_query.strip():
        try:
            query = search.normalise_query(raw_query)
        except search.SearchError:
            context["error"] = _("The search text is too long: use at most %(limit)s characters.") % {
                "limit": search.MAX_QUERY_LENGTH
            }
        else:
            page = Paginator(search.search_uploads(team, query), PAGE_SIZE).get_page(request.GET.get("page"))
            context["page"] = page
            context["hits"] = [
                {"upload": upload, "snippet": snippet, "pieces": highlighted(snippet)}
                for upload in page
                for snippet in [search.make_snippet(upload.result.text, query)]
            ]
    return render(request, "recognition/search.html", context)
