"""Word and character boxes from the CTC alignment.

The recognizer says *where* in a line crop it read each character: the run
of output frames of its CTC path (8 input columns per frame). Each read
character gets an extent along the line: from the midpoint to its left
neighbour's centre to the midpoint to its right neighbour's, trimmed to the
inked columns inside (so a word gap or the crop's margin is not part of a
character). A word is a run of characters without whitespace (a run of CJK
characters is one word; its characters carry their own boxes).

Extents are measured in the 48-pixel-high crop and mapped back onto the
line's quadrilateral in page pixels (``text_frame`` gives its corners in the
direction the recognizer read it, for rotated and upside-down crops too),
so boxes follow slanted lines.

Shape of a word (``Line.words``, documented in the README)::

    {"text": "Invoice", "confidence": 0.98,
     "box": [[x, y], [x, y], [x, y], [x, y]],   # top-left, top-right, bottom-right, bottom-left
     "chars": [[x0, y0, x1, y1], ...],          # one per character of text, page pixels
     "char_confidences": [0.99, ...]}           # one per character of text
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .crops import InkProfile, needs_rotation, order_quad


@dataclass
class ReadChar:
    """One character of a line's text and its extent [x0, x1) in the 48-high crop."""

    char: str
    conf: float
    x0: float
    x1: float


def char_extents(chars: list[str], confs: list[float], centres: list[float], profile: InkProfile | None,
                 width: int) -> list[ReadChar]:
    """Extents of the non-space characters of a line, from their CTC centres
    (crop pixels, left to right) and the crop's ink."""
    n = len(chars)
    if n == 0:
        return []
    bounds = [0.0] * (n + 1)
    for k in range(1, n):
        bounds[k] = (centres[k - 1] + centres[k]) / 2
    pitch = (centres[-1] - centres[0]) / (n - 1) if n > 1 else 16.0
    bounds[0] = max(0.0, centres[0] - max(pitch, 8.0) / 2 - 4)
    bounds[n] = min(float(width), centres[-1] + max(pitch, 8.0) / 2 + 4)
    ink = profile.columns if profile is not None and len(profile.columns) else None
    out: list[ReadChar] = []
    for k in range(n):
        a, b = bounds[k], max(bounds[k + 1], bounds[k] + 1)
        if ink is not None:
            lo, hi = int(np.floor(a)), int(np.ceil(b))
            inked = np.flatnonzero(ink[max(lo, 0):max(min(hi, len(ink)), 0)] > 0)
            if inked.size:
                a, b = max(lo, 0) + float(inked[0]), max(lo, 0) + float(inked[-1]) + 1
        out.append(ReadChar(chars[k], float(confs[k]), a, b))
    return out


def text_frame(quad: np.ndarray, image_shape: tuple[int, ...]) -> np.ndarray:
    """The line's corners in reading direction (the crop's top-left,
    top-right, bottom-right, bottom-left), as ``crops.warp_quad`` cut it."""
    q = order_quad(quad)
    w = max(np.linalg.norm(q[0] - q[1]), np.linalg.norm(q[3] - q[2]))
    h = max(np.linalg.norm(q[0] - q[3]), np.linalg.norm(q[1] - q[2]))
    if (abs(q[0, 1] - q[1, 1]) <= 0.5 and abs(q[3, 1] - q[2, 1]) <= 0.5
            and abs(q[0, 0] - q[3, 0]) <= 0.5 and abs(q[1, 0] - q[2, 0]) <= 0.5):
        # An axis-aligned slice, clipped to the image.
        H, W = image_shape[:2]
        x0, y0 = max(float(np.floor(q[:, 0].min())), 0.0), max(float(np.floor(q[:, 1].min())), 0.0)
        x1, y1 = min(float(np.ceil(q[:, 0].max())), float(W)), min(float(np.ceil(q[:, 1].max())), float(H))
        if x1 > x0 and y1 > y0:
            q = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32)
            w, h = x1 - x0, y1 - y0
    if needs_rotation(max(int(round(h)), 1), max(int(round(w)), 1)):
        return np.array([q[1], q[2], q[3], q[0]], np.float32)
    return q


def _quad(frame: np.ndarray, f0: float, f1: float) -> np.ndarray:
    top = frame[0] + np.outer([f0, f1], frame[1] - frame[0])
    bottom = frame[3] + np.outer([f0, f1], frame[2] - frame[3])
    return np.array([top[0], top[1], bottom[1], bottom[0]], np.float32)


def word_boxes(read: list[ReadChar], text: str, frame: np.ndarray, crop_width: int,
               flipped: bool = False) -> list[dict]:
    """The words of ``text`` (its non-space characters are ``read``, in
    order) with their boxes in page pixels."""
    if not read or crop_width <= 0:
        return []
    words: list[dict] = []
    k = 0
    for token in text.split():
        chars = read[k:k + len(token)]
        k += len(token)
        if len(chars) != len(token):  # never expected: text and reading disagree
            return []
        boxes = []
        for c in chars:
            f0, f1 = c.x0 / crop_width, c.x1 / crop_width
            if flipped:
                f0, f1 = 1 - f1, 1 - f0
            q = _quad(frame, f0, f1)
            boxes.append([int(round(q[:, 0].min())), int(round(q[:, 1].min())),
                          int(round(q[:, 0].max())), int(round(q[:, 1].max()))])
        first, last = chars[0], chars[-1]
        f0, f1 = first.x0 / crop_width, last.x1 / crop_width
        if flipped:
            f0, f1 = 1 - f1, 1 - f0
        quad = _quad(frame, f0, f1)
        words.append({
            "text": token,
            "confidence": round(float(np.mean([c.conf for c in chars])), 4),
            "box": [[int(round(x)), int(round(y))] for x, y in quad],
            "chars": boxes,
            "char_confidences": [round(c.conf, 3) for c in chars],
        })
    return words
