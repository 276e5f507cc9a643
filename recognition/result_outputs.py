"""A result's outputs for pages, the API and exports: its text in a layout
mode, its tables, and the boxes of search hits, computed on demand from
the stored lines and the current text by the pure functions of
``recognition.outputs``. Nothing is stored: a correction changes the
outputs at once."""

from __future__ import annotations

from ocrspace.errors import DomainError, NotFound
from recognition import search, selectors
from recognition.models import Result, Upload
from recognition.outputs import LAYOUTS, LINES
from recognition.outputs.highlight import HitBox, hit_boxes, line_pieces
from recognition.outputs.layouts import LaidOut, lay_out
from recognition.outputs.source import SourceLine, current_lines
from recognition.outputs.tables import Table, find_tables


class UnknownLayout(DomainError):
    code = "unknown_layout"


class UnknownTable(NotFound):
    code = "unknown_table"


class NoTextYet(DomainError):
    """Tables and layouts need a finished result."""

    code = "no_text_yet"


def check_layout(name: str | None) -> str:
    """The layout mode asked for (None: ``lines``), or ``UnknownLayout``."""
    name = LINES if name is None else name
    if name not in LAYOUTS:
        raise UnknownLayout(f"Unknown layout {name!r}; use one of: {', '.join(LAYOUTS)}.")
    return name


def lines_of(result: Result) -> list[SourceLine]:
    return current_lines(result.lines, result.text, result.engine_text)


def laid_out(result: Result, layout: str) -> LaidOut:
    return lay_out(lines_of(result), check_layout(layout))


def layout_text(upload: Upload, layout: str) -> str:
    """The upload's current text in ``layout`` ("" without a finished result)."""
    result = selectors.done_result(upload)
    return laid_out(result, layout).text if result is not None else ""


def finished(upload: Upload) -> Result:
    result = selectors.done_result(upload)
    if result is None:
        raise NoTextYet("This upload has no finished text yet.")
    return result


def tables(upload: Upload) -> list[Table]:
    """The tables of a finished upload (``NoTextYet`` otherwise)."""
    return find_tables(lines_of(finished(upload)))


def table(upload: Upload, index: int) -> Table:
    found = tables(upload)
    if not 0 <= index < len(found):
        raise UnknownTable(f"This result has no table {index}; it has {len(found)} (numbered from 0).")
    return found[index]


def hits(result: Result, query: str) -> tuple[list[list[tuple[str, bool]]], list[HitBox]]:
    """A search query's matches on a result: each line's (text, is_match)
    pieces and the matched words' boxes. ``SearchError`` for a bad query."""
    matches = search.find_matches(result.text, query)
    lines = lines_of(result)
    return line_pieces(lines, matches), hit_boxes(lines, matches)
