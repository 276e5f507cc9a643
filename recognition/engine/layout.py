"""Reading order: rows, bands and columns.

The page is cut recursively, like an XY-cut: first into horizontal bands
separated by empty vertical space, then a band (or a run of consecutive bands
sharing the same gutter) is cut into columns when it really looks like
columns of prose. Left and right chat bubbles stay in time order because
they sit in different bands; a receipt's item/price columns are not split
because a price column is too narrow to be prose. Inside a band, boxes are
grouped into visual rows and each row becomes one line (``rows``: how the
boxes of a row are joined into its text, cells and quad).
"""
from __future__ import annotations

import numpy as np

from .config import LayoutParams
from .rows import join_row, row_cells  # noqa: F401  (callers get the whole layout from here)
from .segments import Segment
from .textclass import is_cjk


def _core_y(s: Segment) -> tuple[float, float]:
    # Detector boxes are grown around the text; neighbouring lines' boxes
    # touch. Use the middle of each box for band and row decisions.
    pad = 0.2 * (s.y1 - s.y0)
    return s.y0 + pad, s.y1 - pad


def _core_x(s: Segment) -> tuple[float, float]:
    # The detector grows each box by roughly a third of its height on every
    # side; two columns' boxes can nearly touch across a narrow gutter.
    pad = min(0.3 * s.height, 0.25 * (s.x1 - s.x0))
    return s.x0 + pad, s.x1 - pad


def split_bands(segs: list[Segment]) -> list[list[Segment]]:
    """Groups separated by horizontal strips that no box crosses."""
    items = sorted(segs, key=lambda s: _core_y(s)[0])
    bands: list[list[Segment]] = []
    bottom = -np.inf
    for s in items:
        top, bot = _core_y(s)
        if not bands or top > bottom:
            bands.append([s])
            bottom = bot
        else:
            bands[-1].append(s)
            bottom = max(bottom, bot)
    return bands


def _free_intervals(segs: list[Segment], lo: float, hi: float) -> list[tuple[float, float]]:
    """x-intervals inside [lo, hi] that no segment's core covers."""
    out, reach = [], lo
    for x0, x1 in sorted(_core_x(s) for s in segs):
        if x0 > reach:
            out.append((reach, x0))
        reach = max(reach, x1)
    if hi > reach:
        out.append((reach, hi))
    return out


def _text_weight(row: list[Segment]) -> int:
    return sum(2 if is_cjk(c) else 1 for s in row for c in s.text if not c.isspace())


def _side_by_side(left: list[Segment], right: list[Segment]) -> float:
    """Share of rows on the shorter side that have a row beside them on the
    other side: high for columns of text, low for chat bubbles, which
    alternate sides."""
    def rows_with_partner(a: list[Segment], b: list[Segment]) -> float:
        rows = split_rows(a)
        hit = 0
        for row in rows:
            t = min(_core_y(s)[0] for s in row)
            u = max(_core_y(s)[1] for s in row)
            if any(min(u, _core_y(o)[1]) > max(t, _core_y(o)[0]) for o in b):
                hit += 1
        return hit / max(1, len(rows))

    return max(rows_with_partner(left, right), rows_with_partner(right, left))


def _is_column(side: list[Segment], p: LayoutParams, h: float, chars: int | None = None,
               whole_rows: bool = True) -> bool:
    """Enough rows of long text, spread over a wide enough strip: prose.

    With ``whole_rows`` most rows must also be one box each: a prose line
    has no wide gaps, while a table row on one side of the gutter is still
    several cells."""
    width = max(s.x1 for s in side) - min(s.x0 for s in side)
    rows = split_rows(side, p)
    if len(rows) < p.min_lines or width < p.min_column * h:
        return False
    if whole_rows and sum(len(r) == 1 for r in rows) < p.whole_rows * len(rows):
        return False
    return float(np.median([_text_weight(r) for r in rows])) >= (chars or p.prose_chars)


def _is_sidebar(left: list[Segment], right: list[Segment], p: LayoutParams, h: float) -> bool:
    """A narrow navigation column of short, left-aligned entries beside a
    main panel of prose (chat apps, settings pages): read it first, as a
    column, instead of interleaving its entries with the panel's lines."""
    total = max(s.x1 for s in right) - min(s.x0 for s in left)
    width = max(s.x1 for s in left) - min(s.x0 for s in left)
    if width > p.sidebar_width * total or len(split_rows(left, p)) < p.min_lines:
        return False
    if float(np.std([s.x0 for s in left])) > h:
        return False
    # Table: the first column's cells sit exactly on the rows of the others.
    aligned = sum(any(abs(s.cy - o.cy) < 0.25 * h for o in right) for s in left)
    if aligned > p.sidebar_aligned * len(left):
        return False
    return _is_column(right, p, h, chars=p.sidebar_panel_chars, whole_rows=False)


def find_gutter(segs: list[Segment], p: LayoutParams = LayoutParams()) -> tuple[float, float] | None:
    """The widest vertical strip free of boxes that separates two columns of
    prose, or None."""
    if len(segs) < 2 * p.min_lines:
        return None
    h = float(np.median([s.height for s in segs]))
    lo = min(_core_x(s)[0] for s in segs)
    hi = max(_core_x(s)[1] for s in segs)
    inner = [g for g in _free_intervals(segs, lo, hi) if g[0] > lo and g[1] < hi]
    for gap in sorted(inner, key=lambda g: g[0] - g[1]):  # widest first
        if gap[1] - gap[0] < p.min_gutter * h:
            break
        left = [s for s in segs if _core_x(s)[1] <= gap[0]]
        right = [s for s in segs if _core_x(s)[0] >= gap[1]]
        ok = _is_column(left, p, h) and _is_column(right, p, h)
        if not ok:
            ok = _is_sidebar(left, right, p, h)
        if ok and _side_by_side(left, right) >= p.side_by_side:
            return gap
    return None


def split_rows(segs: list[Segment], p: LayoutParams = LayoutParams()) -> list[list[Segment]]:
    """Visual rows, top to bottom, each sorted left to right."""
    rows: list[list[Segment]] = []
    spans: list[tuple[float, float]] = []
    for s in sorted(segs, key=lambda s: s.cy):
        top, bot = s.y0, s.y1
        for k in range(len(rows) - 1, max(-1, len(rows) - 3), -1):
            rt, rb = spans[k]
            overlap = min(bot, rb) - max(top, rt)
            if overlap >= p.row_overlap * min(bot - top, rb - rt):
                rows[k].append(s)
                # Keep the row's span to its first box so a tall neighbour
                # does not swallow the next row.
                break
        else:
            rows.append([s])
            spans.append((top, bot))
    rows.sort(key=lambda r: min(s.cy for s in r))
    return [sorted(r, key=lambda s: s.x0) for r in rows]


def _column_runs(bands: list[list[Segment]], p: LayoutParams) -> list[list[Segment]]:
    """Merge consecutive bands that leave a common vertical strip free:
    in a two-column page each row (or pair of rows) is its own band, and
    only their union shows the columns."""
    runs: list[list[Segment]] = []
    free: list[tuple[float, float]] = []
    lo = min(_core_x(s)[0] for b in bands for s in b)
    hi = max(_core_x(s)[1] for b in bands for s in b)
    h = float(np.median([s.height for b in bands for s in b]))
    for band in bands:
        mine = _free_intervals(band, lo, hi)
        if runs:
            common = [(max(a0, b0), min(a1, b1)) for a0, a1 in free for b0, b1 in mine
                      if min(a1, b1) - max(a0, b0) >= p.min_gutter * h]
            inner = [g for g in common if g[0] > lo and g[1] < hi]
            if inner:
                runs[-1].extend(band)
                free = common
                continue
        runs.append(list(band))
        free = mine
    return runs


def split_sections(segs: list[Segment], p: LayoutParams = LayoutParams()) -> list[list[Segment]]:
    """Groups of bands separated by a wide empty strip: a letterhead above
    the addressee, a heading block above the body. Columns never continue
    across a section break, so sections are cut before columns."""
    h = float(np.median([s.height for s in segs]))
    sections: list[list[Segment]] = []
    bottom = -np.inf
    for band in split_bands(segs):
        top = min(_core_y(s)[0] for s in band)
        if sections and top - bottom <= p.max_section_gap * h:
            sections[-1].extend(band)
        else:
            sections.append(list(band))
        bottom = max(bottom, max(_core_y(s)[1] for s in band))
    return sections


def _inside(s: Segment, r: tuple[int, int, int, int], slack: float = 2.0) -> bool:
    return (s.x0 >= r[0] - slack and s.y0 >= r[1] - slack and s.x1 <= r[2] + slack and s.y1 <= r[3] + slack)


def _panel_blocks(segs: list[Segment], panels: list[tuple[int, int, int, int]]
                  ) -> tuple[list[Segment], dict[int, tuple[list[Segment], list]]]:
    """Replace the segments of each outermost panel holding two or more
    (but not all) of them by one block segment as wide as the panel."""
    items, blocks, taken = [], {}, set()
    for r in panels:  # largest first, so a panel's nested panels come later
        members = [s for s in segs if id(s) not in taken and _inside(s, r)]
        if len(members) < 2 or len(members) == len(segs):
            continue
        taken.update(id(s) for s in members)
        # The block stands on the page where its first line is: a sidebar
        # or a card is read when its top is reached, before the lines beside
        # it further down.
        top = min(members, key=lambda s: s.y0)
        block = Segment(np.array([[r[0], top.y0], [r[2], top.y0], [r[2], top.y1], [r[0], top.y1]], np.float32),
                        " ".join(s.text for s in members))
        block.height = float(np.median([s.height for s in members]))
        nested = [q for q in panels if q != r and q[0] >= r[0] and q[1] >= r[1] and q[2] <= r[2] and q[3] <= r[3]]
        blocks[id(block)] = (members, nested)
        items.append(block)
    items.extend(s for s in segs if id(s) not in taken)
    return items, blocks


def reading_order(segs: list[Segment], p: LayoutParams = LayoutParams(),
                  panels: list[tuple[int, int, int, int]] | None = None, _depth: int = 0) -> list[list[Segment]]:
    """Rows of segments in reading order. ``panels`` (see panels.py) are
    read one at a time, each as a unit where it sits on the page."""
    if panels:
        items, blocks = _panel_blocks(segs, panels)
        if blocks:
            rows: list[list[Segment]] = []
            for row in reading_order(items, p, None, _depth):
                pending: list[Segment] = []
                for s in row:
                    if id(s) not in blocks:
                        pending.append(s)
                        continue
                    if pending:
                        rows.append(pending)
                        pending = []
                    members, nested = blocks[id(s)]
                    rows.extend(reading_order(members, p, nested, _depth + 1))
                if pending:
                    rows.append(pending)
            return rows
    if len(segs) <= 1 or _depth > 6:
        return split_rows(segs, p)
    sections = split_sections(segs, p)
    if len(sections) > 1:
        return [row for section in sections for row in reading_order(section, p, None, _depth + 1)]
    gutter = find_gutter(segs, p)
    if gutter is not None:
        mid = (gutter[0] + gutter[1]) / 2
        left = [s for s in segs if (s.x0 + s.x1) / 2 < mid]
        right = [s for s in segs if (s.x0 + s.x1) / 2 >= mid]
        return reading_order(left, p, None, _depth + 1) + reading_order(right, p, None, _depth + 1)
    runs = _column_runs(split_bands(segs), p)
    if len(runs) == 1:
        return split_rows(segs, p)
    rows: list[list[Segment]] = []
    for run in runs:
        rows.extend(reading_order(run, p, None, _depth + 1))
    return rows
