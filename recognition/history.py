"""Reads of an upload's text history: its versions, what each one changed
(a line diff with the changed characters marked), and which engine line
(with its box) each line of the current text belongs to.

Diffs are data (operations and plain strings), never HTML: the page's
template and API clients escape the text as they show it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from recognition.models import Result, TextVersion, Upload


@dataclass(frozen=True)
class DiffRow:
    op: str                      # "equal", "delete", "insert" or "replace"
    old: str | None = None       # the line before (None for an insertion)
    new: str | None = None       # the line after (None for a deletion)
    old_number: int | None = None  # 1-based line numbers
    new_number: int | None = None
    # For "replace": the line as [op, text] pieces, op "equal", "delete" or "insert".
    pieces: list[tuple[str, str]] = field(default_factory=list)


def versions(upload: Upload) -> list[TextVersion]:
    """Every version of the upload's text, newest first."""
    return list(TextVersion.objects.filter(upload=upload).select_related("author").order_by("-number"))


def version(upload: Upload, number: int) -> TextVersion | None:
    return TextVersion.objects.filter(upload=upload, number=number).select_related("author").first()


def parent_text(upload: Upload, entry: TextVersion) -> str:
    """The text that was current before ``entry`` ("" for the first reading)."""
    if entry.parent is None:
        return ""
    parent = TextVersion.objects.filter(upload=upload, number=entry.parent).values_list("text", flat=True).first()
    return parent or ""


def _pieces(old: str, new: str) -> list[tuple[str, str]]:
    pieces: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(("equal", old[a0:a1]))
            continue
        if a1 > a0:
            pieces.append(("delete", old[a0:a1]))
        if b1 > b0:
            pieces.append(("insert", new[b0:b1]))
    return pieces


def diff(old: str, new: str) -> list[DiffRow]:
    """Line by line what turns ``old`` into ``new``; lines replaced one for
    one carry their changed characters too."""
    a, b = old.split("\n") if old else [], new.split("\n") if new else []
    rows: list[DiffRow] = []
    for op, a0, a1, b0, b1 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            rows += [DiffRow("equal", a[a0 + k], b[b0 + k], a0 + k + 1, b0 + k + 1) for k in range(a1 - a0)]
            continue
        paired = min(a1 - a0, b1 - b0) if op == "replace" else 0
        rows += [DiffRow("replace", a[a0 + k], b[b0 + k], a0 + k + 1, b0 + k + 1, _pieces(a[a0 + k], b[b0 + k]))
                 for k in range(paired)]
        rows += [DiffRow("delete", a[i], None, i + 1, None) for i in range(a0 + paired, a1)]
        rows += [DiffRow("insert", None, b[j], None, j + 1) for j in range(b0 + paired, b1)]
    return rows


def changed(rows: list[DiffRow]) -> dict[str, int]:
    """How many lines a diff changes, adds and removes."""
    counts = {"changed": 0, "added": 0, "removed": 0}
    for row in rows:
        key = {"replace": "changed", "insert": "added", "delete": "removed"}.get(row.op)
        if key:
            counts[key] += 1
    return counts


# As ``corrections.LINE_BREAK``: a form feed between a document's pages ends a line.
LINE_BREAK = re.compile(r"[\n\f]")


def line_boxes(result: Result) -> list[dict | None]:
    """For each line of the current text, the engine line it corrects (with
    its ``box`` and ``confidence``), or None for a line a person added.

    Lines are matched by content order, so a line inserted or removed in a
    whole-text edit does not shift every box after it.
    """
    engine_lines = list(result.lines or [])
    current = LINE_BREAK.split(result.text) if result.text else []
    if not result.engine_text and not engine_lines:
        return [None] * len(current)
    engine = [str(line.get("text", "")) for line in engine_lines]
    if len(engine) == len(current):
        return engine_lines  # the common case: lines edited in place
    matched: list[dict | None] = [None] * len(current)
    for op, a0, a1, b0, b1 in difflib.SequenceMatcher(None, engine, current, autojunk=False).get_opcodes():
        if op in ("equal", "replace"):
            for k in range(min(a1 - a0, b1 - b0)):
                matched[b0 + k] = engine_lines[a0 + k]
    return matched
