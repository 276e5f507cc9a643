"""Exporting uploads and their text as txt, json, csv, markdown or a
searchable PDF (``recognition.searchable_pdf``).

``select`` picks a team's uploads (ids, a search, uploader, status, dates;
nothing given: the whole team); ``stream`` turns any number of them into the
file's bytes chunk by chunk, reading the database a page at a time, so a
100,000-upload export never sits in memory. ``render`` is the same for a
short list (one upload's download in the browser).
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from ocrspace.errors import DomainError
from ocrspace.spreadsheets import csv_safe
from recognition import paging, result_outputs, search
from recognition.outputs import LINES
from recognition.representation import EXPORT, represent
from recognition.models import Note, Tag, Upload
from teams.models import Team

# Ids per export (a POST body holds them; a query string only about 2,000).
MAX_IDS = 10_000
PAGE = 500



@dataclass(frozen=True)
class ExportFormat:
    extension: str
    content_type: str
    pieces: Callable[[Iterable[Upload]], Iterator[str]] | None = None
    # A binary file made as a whole (before the response starts, so its
    # refusals are answered as errors): the searchable PDF.
    whole: Callable[[list[Upload]], bytes] | None = None


def _row(upload: Upload, layout: str = LINES, signed: bool = False) -> dict:
    """An upload's export row; with another layout than lines its text is
    laid out (``signed``: beside the signed text, as ``layout_text``)."""
    row = represent(upload, EXPORT)
    if layout != LINES:
        if signed:
            row.update(layout=layout, layout_text=result_outputs.layout_text(upload, layout))
        else:
            row["text"] = result_outputs.layout_text(upload, layout)
    return row


def _joined_tags(row: dict) -> str:
    return ", ".join(tag["name"] for tag in row["tags"])


def _joined_notes(row: dict) -> str:
    return "\n".join(f"{note['author']} ({note['created_at']}): {note['body']}" for note in row["notes"])


def _json_pieces(uploads: Iterable[Upload], layout: str = LINES) -> Iterator[str]:
    # The same text as json.dumps({"uploads": rows}, indent=2), row by row.
    first = True
    for upload in uploads:
        row = json.dumps(_row(upload, layout, signed=True), ensure_ascii=False, indent=2).replace("\n", "\n    ")
        yield ('{\n  "uploads": [\n    ' if first else ",\n    ") + row
        first = False
    yield '{\n  "uploads": []\n}\n' if first else "\n  ]\n}\n"


def to_json(uploads: Iterable[Upload]) -> str:
    return "".join(_json_pieces(uploads))


CSV_COLUMNS = ["id", "name", "uploaded_by", "created_at", "status", "confidence", "md5", "tags", "notes", "text"]
JOINED = {"tags": _joined_tags, "notes": _joined_notes}


def _csv_pieces(uploads: Iterable[Upload], layout: str = LINES) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for upload in uploads:
        row = _row(upload, layout)
        writer.writerow([csv_safe(JOINED[column](row) if column in JOINED else row[column]) for column in CSV_COLUMNS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def to_csv(uploads: Iterable[Upload]) -> str:
    return "".join(_csv_pieces(uploads))


def _joined(blocks: Iterable[str]) -> Iterator[str]:
    for n, block in enumerate(blocks):
        yield block if n == 0 else "\n" + block


def _txt_pieces(uploads: Iterable[Upload], layout: str = LINES) -> Iterator[str]:
    def blocks():
        for upload in uploads:
            row = _row(upload, layout)
            header = f"# {row['name']} (upload {row['id']}, {row['created_at']})"
            extra = (f"\nTags: {_joined_tags(row)}" if row["tags"] else "") + (
                f"\nNotes:\n{_joined_notes(row)}" if row["notes"] else "")
            yield f"{header}\n{row['text']}".rstrip() + extra + "\n"

    return _joined(blocks())


def to_txt(uploads: Iterable[Upload]) -> str:
    return "".join(_txt_pieces(uploads))


def _md_inline(text: str) -> str:
    """Escape characters that would turn a file name into markup."""
    out = []
    for ch in text:
        out.append("\\" + ch if ch in "\\`*_{}[]()<>#+-.!|" else ch)
    return "".join(out)


def _md_fence(text: str) -> str:
    """A code fence longer than any run of backticks inside ``text``."""
    longest, run = 0, 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    return "`" * max(3, longest + 1)


def _md_pieces(uploads: Iterable[Upload], layout: str = LINES) -> Iterator[str]:
    def parts():
        for upload in uploads:
            row = _row(upload, layout)
            fence = _md_fence(row["text"])
            meta = f"upload {row['id']} · {row['created_at']}"
            if row["confidence"] is not None:
                meta += f" · confidence {row['confidence']}"
            if row["tags"]:
                meta += " · tags " + ", ".join(_md_inline(t["name"]) for t in row["tags"])
            notes = "".join(f"\n> {_md_inline(n['author'])}: {_md_inline(n['body']).replace(chr(10), ' ')}\n"
                            for n in row["notes"])
            yield f"## {_md_inline(row['name'])}\n\n{meta}\n\n{fence}text\n{row['text']}\n{fence}\n{notes}"

    return _joined(parts())


def to_markdown(uploads: Iterable[Upload]) -> str:
    return "".join(_md_pieces(uploads))


FORMATS: dict[str, ExportFormat] = {
    "txt": ExportFormat("txt", "text/plain; charset=utf-8", _txt_pieces),
    "json": ExportFormat("json", "application/json", _json_pieces),
    "csv": ExportFormat("csv", "text/csv; charset=utf-8", _csv_pieces),
    "md": ExportFormat("md", "text/markdown; charset=utf-8", _md_pieces),
    "pdf": ExportFormat("pdf", "application/pdf", whole=lambda uploads: _searchable_pdf(uploads)),
}


def _searchable_pdf(uploads: list[Upload]) -> bytes:
    from recognition import searchable_pdf

    return searchable_pdf.build(uploads)
# "markdown" is accepted as a synonym of "md".
ALIASES = {"markdown": "md"}


def get_format(name: str) -> ExportFormat:
    key = ALIASES.get(name.lower(), name.lower())
    if key not in FORMATS:
        raise ValueError(f"Unknown export format {name!r}; use one of: {', '.join(FORMATS)}, markdown.")
    return FORMATS[key]


def _encoded(fmt: ExportFormat, uploads: Iterable[Upload], layout: str = LINES) -> Iterator[bytes]:
    # CSV starts with a BOM so Excel reads Chinese; pieces are batched so a
    # chunk is a few dozen kB, not one row.
    pending = ["\ufeff"] if fmt.extension == "csv" else []
    size = 0
    for piece in fmt.pieces(uploads, layout):
        pending.append(piece)
        size += len(piece)
        if size >= 32_768:
            yield "".join(pending).encode("utf-8")
            pending, size = [], 0
    if pending:
        yield "".join(pending).encode("utf-8")


def render(uploads: list[Upload], format_name: str, layout: str = LINES) -> tuple[bytes, ExportFormat]:
    """The export file's bytes (UTF-8; CSV with a BOM so Excel reads Chinese)."""
    fmt = get_format(format_name)
    layout = result_outputs.check_layout(layout)
    if fmt.whole is not None:
        return fmt.whole(list(uploads)), fmt
    return b"".join(_encoded(fmt, uploads, layout)), fmt


class ExportError(DomainError):
    """The selection cannot be exported; the message says why."""

    code = "bad_export"


class UnknownUploads(ExportError):
    """Ids that are not uploads of the team (answered like a missing object)."""

    code = "unknown_uploads"


@dataclass(frozen=True)
class Selection:
    ids: list[int] | None = None
    q: str | None = None
    status: str | None = None
    uploader: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


def select(team: Team, selection: Selection) -> QuerySet[Upload]:
    """The team's uploads that ``selection`` names, newest first: all given
    conditions together (no condition: the whole team). A search (``q``)
    finds finished uploads only. The caller has checked the view right."""
    if selection.q:
        uploads = search.search_uploads(team, selection.q)  # SearchError for a bad query
    else:
        uploads = Upload.objects.of_team(team).select_related("result", "uploaded_by", "team")
    if selection.ids is not None:
        if len(selection.ids) > MAX_IDS:
            raise ExportError(f"At most {MAX_IDS} ids per export.")
        found = set(Upload.objects.of_team(team).filter(pk__in=selection.ids).values_list("pk", flat=True))
        missing = sorted(set(selection.ids) - found)
        if missing:
            shown = ", ".join(map(str, missing[:20])) + (" …" if len(missing) > 20 else "")
            raise UnknownUploads(f"No such upload in this team: {shown}.")
        uploads = uploads.filter(pk__in=selection.ids)
    if selection.status:
        uploads = uploads.filter(status=selection.status)
    if selection.uploader:
        uploads = uploads.filter(uploaded_by__username=selection.uploader)
    if selection.created_after:
        uploads = uploads.filter(created_at__gte=selection.created_after)
    if selection.created_before:
        uploads = uploads.filter(created_at__lt=selection.created_before)
    return uploads.order_by("-created_at", "-id")


def _pages(uploads: QuerySet[Upload]) -> Iterator[Upload]:
    """Every upload of the queryset, newest first, one short query per page
    (keyset pagination: no cursor or read transaction is held open between
    pages, so a long download never blocks the worker's writes)."""
    last = None
    while True:
        page = uploads if last is None else paging.older_than(uploads, paging.Cursor.of(last))
        rows = list(page[:PAGE])
        _attach_tags_and_notes(rows)
        yield from rows
        if len(rows) < PAGE:
            return
        last = rows[-1]


def _attach_tags_and_notes(rows: list[Upload]) -> None:
    """The page's tags and notes, one query each (``representation`` reads
    them from ``loaded_tags``/``loaded_notes``). ``prefetch_related`` made a
    queryset per row and relation: most of an export's time."""
    ids = [upload.pk for upload in rows]
    tags: dict[int, list[Tag]] = defaultdict(list)
    for link in Tag.uploads.through.objects.filter(upload_id__in=ids).select_related("tag"):
        tags[link.upload_id].append(link.tag)
    notes: dict[int, list[Note]] = defaultdict(list)
    for note in Note.objects.filter(upload_id__in=ids):
        notes[note.upload_id].append(note)
    for upload in rows:
        upload.loaded_tags, upload.loaded_notes = tags[upload.pk], notes[upload.pk]


# What a text export never reads of a result: the stage timings, the
# document's page table and, for the lines layout, the boxes and the engine's
# text (other layouts lay the lines out from them). The boxes are most of a
# result's bytes: loading them made a 1,000-row export six times slower.
# The moments and the user's account columns are never shown either; their
# timestamps alone were a fifth of the time (each one parsed per row).
UNUSED_BY_TEXT = ("result__timings", "result__pages", "result__created_at", "enqueued_at", "started_at",
                  "finished_at", "error", "uploaded_by__password", "uploaded_by__last_login",
                  "uploaded_by__date_joined")
USED_BY_LAYOUTS = ("result__lines", "result__engine_text")


def light(uploads: QuerySet[Upload], layout: str = LINES) -> QuerySet[Upload]:
    """``uploads`` with the result columns a text export in ``layout`` does
    not read left in the database."""
    deferred = UNUSED_BY_TEXT + (USED_BY_LAYOUTS if layout == LINES else ())
    return uploads.select_related("result", "uploaded_by", "team").defer(*deferred)


def stream(uploads: QuerySet[Upload], format_name: str, layout: str = LINES) -> tuple[Iterator[bytes], ExportFormat]:
    """The export file of ``uploads`` (from ``select``) as byte chunks, the
    text in ``layout`` (recognition.outputs.layouts)."""
    fmt = get_format(format_name)
    layout = result_outputs.check_layout(layout)
    if fmt.whole is not None:
        return iter([fmt.whole(list(_pages(uploads)))]), fmt
    return _encoded(fmt, _pages(light(uploads, layout)), layout), fmt
