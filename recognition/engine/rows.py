"""One row of boxes into one line: the text (tabs across column gaps, no
space between CJK characters), its cells and its enclosing quad."""
from __future__ import annotations

import cv2
import numpy as np

from .config import LayoutParams
from .segments import Segment
from .textclass import is_cjk


def separator(left: Segment, right: Segment, p: LayoutParams = LayoutParams()) -> str:
    """What joins two neighbouring boxes of one row: a tab across a column
    gap, nothing between two CJK characters, else a space."""
    if right.x0 - left.x1 >= p.column_gap * min(left.height, right.height):
        return "\t"
    return "" if is_cjk(left.text[-1]) and is_cjk(right.text[0]) else " "


def row_cells(row: list[Segment], p: LayoutParams = LayoutParams()) -> list[dict]:
    """The cells of a row whose boxes or texts are split by column gaps:
    text and [x0, y0, x1, y1] of each. A box holding several cells (tabs in
    its text) is divided in proportion to the characters of each."""
    cells: list[dict] = []
    current: dict | None = None
    previous: Segment | None = None
    for s in (s for s in row if s.text):
        pieces = s.text.split("\t")
        total = max(1, sum(len(t) for t in pieces))
        x, used = s.x0, 0
        for k, piece in enumerate(pieces):
            used += len(piece)
            x_end = s.x0 + (s.x1 - s.x0) * used / total
            box = [round(x), round(s.y0), round(x_end), round(s.y1)]
            joined = k == 0 and previous is not None and separator(previous, s, p) != "\t"
            if joined and current is not None:
                current["text"] += separator(previous, s, p) + piece
                current["box"] = [min(current["box"][0], box[0]), min(current["box"][1], box[1]),
                                  max(current["box"][2], box[2]), max(current["box"][3], box[3])]
            else:
                current = {"text": piece, "box": box}
                cells.append(current)
            x = x_end
        previous = s
    return cells if len(cells) > 1 else []


def join_row(row: list[Segment], p: LayoutParams = LayoutParams()) -> tuple[str, list[float], np.ndarray]:
    """Text, character confidences and enclosing quad of one row."""
    parts: list[str] = []
    confs: list[float] = []
    previous: Segment | None = None
    for s in row:
        if not s.text:
            continue
        if previous is not None:
            parts.append(separator(previous, s, p))
        parts.append(s.text)
        confs.extend(s.confs)
        previous = s
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
