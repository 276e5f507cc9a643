"""Reading order: rows, bands and columns.

The page is cut recursively, like an XY-cut: first into horizontal bands
separated by empty vertical space, then a band (or a run of consecutive bands
sharing the same gutter) is cut into columns when it really looks like
columns of prose. Left and right chat bubbles stay in time order because
they sit in different bands; a receipt's item/price columns are not split
because a price column is too narrow to be prose. Inside a band, boxes are
grouped into visual rows and each row becomes one line.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from .textclass import is_cjk


@dataclass
class Segment:
    """One recognised box."""

    quad: np.ndarray  # (4, 2) float, original pixels
    text: str
    confs: list[float] = field(default_factory=list)  # one per read character
    x0: float = 0.0
    y0: float = 0.0
    x1: float = 0.0
    y1: float = 0.0
    height: float = 0.0

    def __post_init__(self) -> None:
        q = np.asarray(self.quad, np.float32).reshape(4, 2)
        self.quad = q
        self.x0, self.y0 = (float(v) for v in q.min(axis=0))
        self.x1, self.y1 = (float(v) for v in q.max(axis=0))
        # Height of the line itself (short side of the quad), not of its
        # axis-aligned bounds, so slanted lines are not over-sized.
        sides = [np.linalg.norm(q[i] - q[(i + 1) % 4]) for i in range(4)]
        self.height = float(max(1.0, min(sides[0] + sides[2], sides[1] + sides[3]) / 2))

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass(frozen=True)
class LayoutParams:
    min_gutter: float = 0.8  # gutter width, in median line heights
    min_column: float = 8.0  # width of a prose column, in median line heights
    min_lines: int = 2  # rows needed on each side of a gutter
    row_overlap: float = 0.5  # vertical overlap (of the shorter box) to share a row


def _core_y(s: Segment) -> tuple[float, float]:
    # Detector boxes are grown around the text; neighbouring lines' boxes
    # touch. Use the middle of each box for band and row decisions.
    pad = 0.2 * (s.y1 - s.y0)
    return s.y0 + pad, s.y1 - pad


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


def find_gutter(segs: list[Segment], p: LayoutParams = LayoutParams()) -> tuple[float, float] | None:
    """The widest vertical strip free of boxes that separates two prose
    columns, or None."""
    if len(segs) < 2 * p.min_lines:
        return None
    h = float(np.median([s.height for s in segs]))
    spans = sorted((s.x0, s.x1) for s in segs)
    best = None
    reach = spans[0][1]
    for x0, x1 in spans[1:]:
        if x0 > reach and (best is None or x0 - reach > best[1] - best[0]):
            best = (reach, x0)
        reach = max(reach, x1)
    if best is None or best[1] - best[0] < p.min_gutter * h:
        return None
    left = [s for s in segs if s.x1 <= best[0]]
    right = [s for s in segs if s.x0 >= best[1]]
    for side in (left, right):
        if len(split_rows(side)) < p.min_lines:
            return None
        width = max(s.x1 for s in side) - min(s.x0 for s in side)
        if width < p.min_column * h:
            return None
    return best


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


def reading_order(segs: list[Segment], p: LayoutParams = LayoutParams(), _depth: int = 0) -> list[list[Segment]]:
    """Rows of segments in reading order."""
    if not segs:
        return []
    if len(segs) == 1 or _depth > 8:
        return split_rows(segs, p)
    groups: list[tuple[list[Segment], tuple[float, float] | None]] = []
    for band in split_bands(segs):
        g = find_gutter(band, p) if len(band) >= 2 * p.min_lines else None
        if groups and g is not None and groups[-1][1] is not None:
            lo, hi = max(g[0], groups[-1][1][0]), min(g[1], groups[-1][1][1])
            if hi > lo:  # same gutter continues: one multi-band column block
                groups[-1] = (groups[-1][0] + band, (lo, hi))
                continue
        groups.append((band, g))
    if len(groups) == 1 and groups[0][1] is None:
        # Nothing to cut: also try a gutter across the whole set, for pages
        # whose columns are not separated into bands.
        g = find_gutter(segs, p)
        if g is None:
            return split_rows(segs, p)
        groups = [(segs, g)]
    rows: list[list[Segment]] = []
    for members, g in groups:
        if g is None:
            rows.extend(split_rows(members, p) if len(groups) == 1 else reading_order(members, p, _depth + 1))
        else:
            mid = (g[0] + g[1]) / 2
            left = [s for s in members if (s.x0 + s.x1) / 2 < mid]
            right = [s for s in members if (s.x0 + s.x1) / 2 >= mid]
            rows.extend(reading_order(left, p, _depth + 1))
            rows.extend(reading_order(right, p, _depth + 1))
    return rows


def join_row(row: list[Segment]) -> tuple[str, list[float], np.ndarray]:
    """Text, character confidences and enclosing quad of one row."""
    parts: list[str] = []
    confs: list[float] = []
    for s in row:
        if not s.text:
            continue
        if parts and not (is_cjk(parts[-1][-1]) and is_cjk(s.text[0])):
            parts.append(" ")
        parts.append(s.text)
        confs.extend(s.confs)
    if len(row) == 1:
        quad = row[0].quad
    else:
        pts = np.concatenate([s.quad for s in row]).astype(np.float32)
        x0, y0 = pts.min(axis=0)
        x1, y1 = pts.max(axis=0)
        angles = [abs(_angle(s.quad)) for s in row]
        if max(angles) < 2.0:
            quad = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32)
        else:
            box = cv2.boxPoints(cv2.minAreaRect(pts))
            from .crops import order_quad

            quad = order_quad(box)
    return "".join(parts), confs, quad


def _angle(q: np.ndarray) -> float:
    dx, dy = q[1] - q[0]
    return float(np.degrees(np.arctan2(dy, dx)))
