"""One representation of an upload, each use choosing its fields.

The live feed, the export files, the webhook payloads, ``/ocr/recognize``
and the REST serializers all describe an upload; every field is computed
here, once, so the same name always means the same value. A use is a tuple
of field names (``FEED``, ``EXPORT``, ``WEBHOOK``, ``RECOGNIZE``);
``represent(upload, fields)`` builds the dict.

Only a finished (done) upload has text: a re-queued upload's old result is
never shown (``selectors.done_result``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timezone

from django.conf import settings
from django.urls import reverse

from recognition import selectors, signatures
from recognition.models import Result, Upload

Field = Callable[[Upload, Result | None], object]


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def absolute(path: str) -> str:
    """A link for readers outside the platform (webhook receivers)."""
    return settings.OCRSPACE_BASE_URL + path


def _tags(upload: Upload) -> list[dict]:
    # ``loaded_tags``/``loaded_notes``: a page's worth read at once (recognition.export).
    tags = getattr(upload, "loaded_tags", None)
    tags = upload.tags.all() if tags is None else tags
    return [{"name": t.name, "colour": t.colour} for t in sorted(tags, key=lambda t: t.name.casefold())]


def _notes(upload: Upload) -> list[dict]:
    notes = getattr(upload, "loaded_notes", None)
    notes = upload.notes.all() if notes is None else notes
    return [{"author": n.author_name, "created_at": _iso(n.created_at), "body": n.body}
            for n in sorted(notes, key=lambda n: (n.created_at, n.pk))]


def _api_url(upload: Upload) -> str:
    return reverse("api-upload-detail", args=[upload.pk])


def _pages(u: Upload, r: Result | None) -> list[dict]:
    """The result page by page: text (the current one, split at form feeds),
    confidence and lines of each page; one page for an image."""
    if r is None:
        return []
    if not r.pages:  # an image
        return [{"page": 1, "source": "ocr", "width": u.width, "height": u.height, "text": r.text,
                 "confidence": round(r.confidence, 4), "lines": r.lines}]
    texts = r.text.split("\f")
    if len(texts) != len(r.pages):  # a correction removed or added a page break: the engine's pages
        texts = r.engine_text.split("\f")
    by_page: dict[int, list] = {}
    for line in r.lines:
        by_page.setdefault(line.get("page", 1), []).append(line)
    return [{**page, "text": texts[n] if n < len(texts) else "", "lines": by_page.get(page["page"], [])}
            for n, page in enumerate(r.pages)]


FIELDS: dict[str, Field] = {
    "id": lambda u, r: u.pk,
    "name": lambda u, r: u.original_name,
    "team": lambda u, r: u.team.slug,
    "status": lambda u, r: u.status,
    "error": lambda u, r: u.error,
    "uploaded_by": lambda u, r: u.uploaded_by.get_username() if u.uploaded_by else None,
    "created_at": lambda u, r: _iso(u.created_at),
    "finished_at": lambda u, r: _iso(u.finished_at),
    "width": lambda u, r: u.width,
    "height": lambda u, r: u.height,
    "pinned": lambda u, r: u.pinned,
    "md5": lambda u, r: u.md5,
    "sha256": lambda u, r: u.sha256,
    "text": lambda u, r: r.text if r else "",  # the current text, corrections included
    "version": lambda u, r: r.version if r else None,
    "engine_text": lambda u, r: r.engine_text if r else "",
    "signature": lambda u, r: signatures.signature_of(r, u) if r else None,
    "preview": lambda u, r: selectors.preview(u),
    "confidence": lambda u, r: round(r.confidence, 4) if r else None,
    "lines": lambda u, r: r.lines if r else [],
    "page_count": lambda u, r: u.page_count,
    "pages": _pages,
    "engine_version": lambda u, r: r.engine_version if r else None,
    "profile": lambda u, r: r.profile if r else u.profile,
    # When the text was stored, to the second, as the seed API wrote it.
    "timestamp": lambda u, r: r.created_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if r else None,
    "tags": lambda u, r: _tags(u),
    "notes": lambda u, r: _notes(u),  # team data: exported with the text
    "url": lambda u, r: _api_url(u),
    "image_url": lambda u, r: reverse("api-upload-image", args=[u.pk]),
    "api_url": lambda u, r: absolute(_api_url(u)),
    "browser_url": lambda u, r: absolute(reverse("upload-result", args=[u.pk])),
}

# What the live feed shows (the text only once it is done); stored in the
# event outbox, so it must stay JSON.
FEED = ("id", "name", "status", "uploaded_by", "created_at", "width", "height", "pinned", "error", "page_count",
        "tags")
FEED_DONE = ("text", "preview", "confidence", "version")
EXPORT = ("id", "name", "team", "uploaded_by", "created_at", "status", "width", "height", "md5", "confidence",
          "engine_version", "text", "signature", "tags", "notes")
WEBHOOK = ("id", "name", "md5", "sha256", "status", "error", "width", "height", "created_at", "finished_at",
           "text", "version", "engine_text", "confidence", "lines", "engine_version", "signature", "api_url",
           "browser_url", "page_count")
RECOGNIZE = ("text", "confidence", "timestamp", "id", "md5", "lines", "engine_version", "profile", "url",
             "page_count", "pages")


def represent(upload: Upload, fields: Iterable[str]) -> dict:
    """The named fields of ``upload``, in the order given."""
    result = selectors.done_result(upload)
    return {name: FIELDS[name](upload, result) for name in fields}


def value(upload: Upload, name: str) -> object:
    """One field (for serializers that declare their fields themselves)."""
    return FIELDS[name](upload, selectors.done_result(upload))


def feed_summary(upload: Upload) -> dict:
    """What the feed shows of an upload. Text is data, escaped by the page."""
    fields = FEED + FEED_DONE if selectors.done_result(upload) is not None else FEED
    return represent(upload, fields)
