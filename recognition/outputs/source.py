"""The lines to lay out: the engine's lines with the result's current text.

A person's correction changes ``Result.text``, never the stored lines. When
the current text has as many lines as the engine read (corrections made line
by line, or in place), each line keeps its box, and its words and cells as
long as its text is the engine's; a line a person changed keeps only its
box. Otherwise (lines added or removed) the current text's lines are used
without any geometry, and the layouts fall back to what text alone shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SourceLine:
    text: str
    box: list[list[float]] | None = None  # four [x, y] corners
    words: list[dict] = field(default_factory=list)
    cells: list[dict] = field(default_factory=list)
    page: int = 1

    @property
    def rect(self) -> tuple[float, float, float, float] | None:
        if not self.box:
            return None
        xs, ys = [p[0] for p in self.box], [p[1] for p in self.box]
        return min(xs), min(ys), max(xs), max(ys)

    @property
    def height(self) -> float:
        r = self.rect
        return max(1.0, r[3] - r[1]) if r else 1.0


def current_lines(lines: list[dict] | None, text: str, engine_text: str | None = None) -> list[SourceLine]:
    """The lines of the current ``text`` with whatever geometry still fits them."""
    stored = list(lines or [])
    current = text.split("\n") if text else []
    if len(stored) != len(current):
        return [SourceLine(t.replace("\f", "")) for t in current]
    out = []
    for t, line in zip(current, stored):
        t = t.replace("\f", "")
        same = t == line.get("text", "")
        out.append(SourceLine(
            text=t,
            box=line.get("box") or None,
            words=list(line.get("words") or []) if same else [],
            cells=list(line.get("cells") or []) if same else [],
            page=int(line.get("page") or 1),
        ))
    return out


def pages(lines: list[SourceLine]) -> list[list[SourceLine]]:
    """Lines grouped by page, in order (one group for a single image)."""
    groups: list[list[SourceLine]] = []
    for line in lines:
        if not groups or groups[-1][0].page != line.page:
            groups.append([])
        groups[-1].append(line)
    return groups


def char_boxes(line: SourceLine) -> list[list[float] | None]:
    """For each character of the line's text, its box [x0, y0, x1, y1] when
    the engine's words place it (None for whitespace and unplaced ones)."""
    flat = [box for word in line.words for box in (word.get("chars") or [])]
    out: list[list[float] | None] = []
    k = 0
    count = sum(1 for c in line.text if not c.isspace())
    for c in line.text:
        if c.isspace():
            out.append(None)
            continue
        out.append(flat[k] if len(flat) == count else None)
        k += 1
    return out
