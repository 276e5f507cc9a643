"""Exporting uploads and their text as txt, json, csv or markdown.

Plain functions over a list of uploads (each with ``result`` loaded when it
has one); the REST API and the browser UI wrap the bytes in a download.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from recognition import selectors
from recognition.models import Upload

# Spreadsheet programs evaluate a cell that starts with one of these as a
# formula (CSV injection); tab and carriage return can hide such a start.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportFormat:
    extension: str
    content_type: str
    render: Callable[[list[Upload]], str]


def _row(upload: Upload) -> dict:
    result = selectors.done_result(upload)
    return {
        "id": upload.pk,
        "name": upload.original_name,
        "team": upload.team.slug,
        "uploaded_by": upload.uploaded_by.get_username() if upload.uploaded_by else None,
        "created_at": upload.created_at.isoformat(),
        "status": upload.status,
        "width": upload.width,
        "height": upload.height,
        "md5": upload.md5,
        "confidence": round(result.confidence, 4) if result else None,
        "engine_version": result.engine_version if result else None,
        "text": result.text if result else "",
    }


def csv_safe(value: object) -> str:
    """A cell value that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def to_json(uploads: Iterable[Upload]) -> str:
    return json.dumps({"uploads": [_row(u) for u in uploads]}, ensure_ascii=False, indent=2) + "\n"


CSV_COLUMNS = ["id", "name", "uploaded_by", "created_at", "status", "confidence", "md5", "text"]


def to_csv(uploads: Iterable[Upload]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for upload in uploads:
        row = _row(upload)
        writer.writerow([csv_safe(row[column]) for column in CSV_COLUMNS])
    return buffer.getvalue()


def to_txt(uploads: Iterable[Upload]) -> str:
    blocks = []
    for upload in uploads:
        row = _row(upload)
        header = f"# {row['name']} (upload {row['id']}, {row['created_at']})"
        blocks.append(f"{header}\n{row['text']}".rstrip() + "\n")
    return "\n".join(blocks)


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


def to_markdown(uploads: Iterable[Upload]) -> str:
    parts = []
    for upload in uploads:
        row = _row(upload)
        fence = _md_fence(row["text"])
        meta = f"upload {row['id']} · {row['created_at']}"
        if row["confidence"] is not None:
            meta += f" · confidence {row['confidence']}"
        parts.append(f"## {_md_inline(row['name'])}\n\n{meta}\n\n{fence}text\n{row['text']}\n{fence}\n")
    return "\n".join(parts)


FORMATS: dict[str, ExportFormat] = {
    "txt": ExportFormat("txt", "text/plain; charset=utf-8", to_txt),
    "json": ExportFormat("json", "application/json", to_json),
    "csv": ExportFormat("csv", "text/csv; charset=utf-8", to_csv),
    "md": ExportFormat("md", "text/markdown; charset=utf-8", to_markdown),
}
# "markdown" is accepted as a synonym of "md".
ALIASES = {"markdown": "md"}


def get_format(name: str) -> ExportFormat:
    key = ALIASES.get(name.lower(), name.lower())
    if key not in FORMATS:
        raise ValueError(f"Unknown export format {name!r}; use one of: {', '.join(FORMATS)}, markdown.")
    return FORMATS[key]


def render(uploads: list[Upload], format_name: str) -> tuple[bytes, ExportFormat]:
    """The export file's bytes (UTF-8; CSV with a BOM so Excel reads Chinese)."""
    fmt = get_format(format_name)
    text = fmt.render(uploads)
    prefix = "\ufeff" if fmt.extension == "csv" else ""
    return (prefix + text).encode("utf-8"), fmt
