"""Layout modes: the same lines as text for different uses.

- ``lines``: one line of text per visual line, as stored (the default).
- ``paragraphs``: the visual lines of one paragraph joined into one line:
  CJK without a space, Latin with one, a hyphen at the end of a line
  followed by a lower-case letter removed (``infor-`` + ``mation``). A
  paragraph ends at a wider vertical gap, a change of text height, an
  indented first line, a list item, a table row, or a line that stops
  short although the next line's first word would have fitted on it.
- ``code``: line numbers of an editor's gutter (consecutive numbers at the
  start of the lines, in a column of their own) are left out, and each
  line is indented from its x position: in character columns on a page
  found to be monospaced (see ``is_monospace``), in levels of four spaces
  otherwise.

Pages (``page`` of the lines) are laid out one at a time and joined by a
form feed (``\\f``). Lines without geometry (a correction that added or
removed lines) fall back to what the text shows: paragraphs at blank lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from recognition.engine.textclass import is_cjk
from recognition.outputs import CODE, LAYOUTS, LINES, PARAGRAPHS
from recognition.outputs.source import SourceLine, pages

PAGE_BREAK = "\f"
LIST_ITEM = re.compile(r"^\s*(?:[-–—•*·▪◦●■]\s|\(?\d{1,3}[.)、]\s?|\(?[a-zA-Z][.)]\s)")
GUTTER = re.compile(r"^(\d{1,5})(?:[\t ]+(.*))?$")
# Glyphs far narrower than the average in proportional fonts (not in monospaced ones).
NARROW = frozenset("ilIjt.,:;'!|1f()[]")


@dataclass(frozen=True)
class LaidOut:
    layout: str
    text: str
    monospace: bool | None = None  # code: whether the page looked monospaced (None: not measured)
    gutter: bool = False  # code: line numbers of a gutter were left out


def lay_out(lines: list[SourceLine], layout: str = LINES) -> LaidOut:
    """The text of ``lines`` in ``layout`` (one of ``LAYOUTS``)."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; use one of {', '.join(LAYOUTS)}")
    if layout == LINES:
        return LaidOut(LINES, _join_pages([[line.text for line in page] for page in pages(lines)]))
    if layout == PARAGRAPHS:
        return LaidOut(PARAGRAPHS, _join_pages([paragraphs(page) for page in pages(lines)]))
    results = [code(page) for page in pages(lines)]
    monos = [m for _, m, _ in results if m is not None]
    return LaidOut(CODE, _join_pages([text for text, _, _ in results]),
                   monospace=all(monos) if monos else None, gutter=any(g for _, _, g in results))


def _join_pages(texts: list[list[str]]) -> str:
    return PAGE_BREAK.join("\n".join(page) for page in texts)


# -- paragraphs -------------------------------------------------------------------------------------------


def join_wrapped(left: str, right: str) -> str:
    """Two visual lines of one paragraph as one line."""
    left, right = left.rstrip(), right.lstrip()
    if not left or not right:
        return left + right
    a, b = left[-1], right[0]
    if is_cjk(a) or is_cjk(b):
        return left + right
    if a in "-\u00ad" and len(left) > 1 and left[-2].isalpha() and b.isalpha():
        # A word broken at the end of the line: the hyphen goes when the
        # word goes on in lower case ("infor-" "mation"), else it stays
        # ("Jean-" "Paul") and no space is put in.
        return (left[:-1] + right) if b.islower() else (left + right)
    if a == "\u00ad":
        return left[:-1] + right
    return left + " " + right


def _first_word_width(line: SourceLine) -> float:
    if line.words:
        box = np.array(line.words[0]["box"], np.float32)
        if is_cjk(line.words[0]["text"][:1]) and line.words[0].get("chars"):
            c = line.words[0]["chars"][0]
            return float(c[2] - c[0])
        return float(box[:, 0].max() - box[:, 0].min())
    x0, _, x1, _ = line.rect
    text = line.text.strip()
    if not text:
        return 0.0
    pitch = (x1 - x0) / max(1, len(text))
    first = text[:1] if is_cjk(text[:1]) else text.split()[0]
    return pitch * len(first)


def _continues(previous: SourceLine, line: SourceLine, block: list[SourceLine], right_edge: float) -> bool:
    """Whether ``line`` goes on with the paragraph that ``previous`` ends."""
    if "\t" in previous.text or "\t" in line.text or not previous.text.strip() or not line.text.strip():
        return False
    if LIST_ITEM.match(line.text):
        return False
    p, c = previous.rect, line.rect
    if p is None or c is None:
        return False
    ph, ch = previous.height, line.height
    h = min(ph, ch)
    if max(ph, ch) > 1.35 * h:  # a heading above its text, a footnote below
        return False
    if c[1] - p[3] > 0.8 * h or c[1] < p[1]:  # a blank line's gap, or not below
        return False
    first_left = block[0].rect[0]
    if c[0] - min(first_left, p[0]) > 1.2 * h:  # indented first line of a new paragraph
        return False
    if len(block) > 1 and abs(c[0] - p[0]) > 1.2 * h:  # left edges of a paragraph's lines align
        return False
    # The previous line stopped short although the next word would have fitted.
    room = max(right_edge, c[2]) - p[2]
    return room <= _first_word_width(line) + 0.6 * h


def paragraphs(lines: list[SourceLine]) -> list[str]:
    """One line of text per paragraph of a page's ``lines`` (reading order)."""
    if not any(line.box for line in lines):
        return _paragraphs_from_text([line.text for line in lines])
    out: list[str] = []
    block: list[SourceLine] = []
    text = ""
    for line in lines:
        if block and line.box and block[-1].box:
            right_edge = max(b.rect[2] for b in block)
            if _continues(block[-1], line, block, right_edge):
                block.append(line)
                text = join_wrapped(text, line.text)
                continue
        if block:
            out.append(text)
        block, text = [line], line.text
    if block:
        out.append(text)
    return out


def _paragraphs_from_text(texts: list[str]) -> list[str]:
    out: list[str] = []
    current: str | None = None
    for t in texts:
        if not t.strip() or "\t" in t or LIST_ITEM.match(t):
            if current is not None:
                out.append(current)
            current = None
            if t.strip():
                out.append(t)
            continue
        current = t if current is None else join_wrapped(current, t)
    if current is not None:
        out.append(current)
    return out


# -- code -------------------------------------------------------------------------------------------------


def is_monospace(lines: list[SourceLine]) -> bool | None:
    """Whether the characters of the page advance by the same step whatever
    their shape (None: too few placed characters to tell).

    The centres of neighbouring characters of a word are one advance apart;
    fitting the advances with two widths, one for narrow glyphs (i, l, ., …)
    and one for the others, gives a ratio near 1 in a monospaced font and
    around 0.4-0.6 in a proportional one."""
    rows, values = [], []
    for line in lines:
        h = line.height
        for word in line.words:
            boxes = word.get("chars") or []
            text = word.get("text", "")
            if len(boxes) != len(text) or len(text) < 2:
                continue
            for k in range(len(text) - 1):
                a, b = text[k], text[k + 1]
                if is_cjk(a) or is_cjk(b):
                    continue
                advance = ((boxes[k + 1][0] + boxes[k + 1][2]) - (boxes[k][0] + boxes[k][2])) / 2 / h
                narrow = (a in NARROW) + (b in NARROW)
                rows.append([narrow / 2, 1 - narrow / 2])
                values.append(advance)
    if len(values) < 12:
        return None
    design = np.array(rows, np.float64)
    if design[:, 0].sum() < 3:  # hardly any narrow glyph: nothing to compare
        return None
    (narrow_width, other_width), *_ = np.linalg.lstsq(design, np.array(values), rcond=None)
    if other_width <= 0:
        return None
    return bool(narrow_width / other_width > 0.78)


def _gutter(lines: list[SourceLine]) -> list[re.Match | None] | None:
    """The gutter's number of each line, when the page has a gutter."""
    matches = [GUTTER.match(line.text.strip()) for line in lines]
    numbered = [(i, int(m.group(1))) for i, m in enumerate(matches) if m]
    if len(numbered) < 3 or len(numbered) < 0.7 * len([line for line in lines if line.text.strip()]):
        return None
    steps = [b[1] - a[1] for a, b in zip(numbered, numbered[1:])]
    if sum(1 for s in steps if s == 1) < 0.7 * len(steps):
        return None
    lefts = [lines[i].rect[0] for i, _ in numbered if lines[i].rect]
    if lefts and max(lefts) - min(lefts) > 3 * float(np.median([lines[i].height for i, _ in numbered])):
        return None  # numbers that do not stand in one column are the code's own
    return matches


def _code_start(line: SourceLine, skip_chars: int) -> float | None:
    """Page x where the line's code begins (after ``skip_chars`` non-space
    characters of gutter number)."""
    if line.rect is None:
        return None
    if line.words:
        count = 0
        for word in line.words:
            if count >= skip_chars:
                return float(np.array(word["box"])[:, 0].min())
            count += len(word.get("text", ""))
        return None
    x0, _, x1, _ = line.rect
    return x0 + (x1 - x0) * skip_chars / max(1, len(line.text))


def _pitch(lines: list[SourceLine]) -> float:
    steps = []
    for line in lines:
        for word in line.words:
            boxes = word.get("chars") or []
            if len(boxes) >= 3 and len(boxes) == len(word.get("text", "")):
                steps.append(((boxes[-1][0] + boxes[-1][2]) - (boxes[0][0] + boxes[0][2])) / 2 / (len(boxes) - 1))
    if steps:
        return float(np.median(steps))
    widths = [(line.rect[2] - line.rect[0]) / len(line.text) for line in lines if line.rect and len(line.text) >= 4]
    return float(np.median(widths)) if widths else 0.0


def code(lines: list[SourceLine]) -> tuple[list[str], bool | None, bool]:
    """The page's lines as code: (lines, monospaced?, gutter left out?)."""
    gutter = _gutter(lines)
    texts, skips = [], []
    for k, line in enumerate(lines):
        m = gutter[k] if gutter else None
        if m:
            texts.append((m.group(2) or "").strip())
            skips.append(len(m.group(1)))
        else:
            texts.append(line.text.strip())
            skips.append(0)
    code_lines = [line for line, t in zip(lines, texts) if t]
    monospace = is_monospace(code_lines)
    starts = [(_code_start(line, skip) if t else None) for line, t, skip in zip(lines, texts, skips)]
    known = [s for s in starts if s is not None]
    if not known:
        return texts, monospace, gutter is not None
    base = min(known)
    heights = [line.height for line in code_lines] or [1.0]
    h = float(np.median(heights))
    pitch = _pitch(code_lines)
    out = []
    if monospace and pitch > 0:
        for t, s in zip(texts, starts):
            out.append(" " * max(0, int(round((s - base) / pitch))) + t if t and s is not None else t)
        return out, monospace, gutter is not None
    # Proportional text: indentation levels from the distinct left edges.
    levels: list[float] = []
    for s in sorted(known):
        if not levels or s - levels[-1] > 0.5 * h:
            levels.append(s)
    for t, s in zip(texts, starts):
        if t and s is not None:
            level = max(k for k, x in enumerate(levels) if x <= s + 0.5 * h)
            out.append("    " * level + t)
        else:
            out.append(t)
    return out, monospace, gutter is not None
