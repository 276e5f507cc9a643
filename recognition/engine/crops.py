"""Line crops: rectification, resizing to the recognizer height, ink profile
and splitting of long lines into pieces near the trained width."""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

REC_HEIGHT = 48


def order_quad(pts: np.ndarray) -> np.ndarray:
    """Corners ordered top-left, top-right, bottom-right, bottom-left."""
    pts = np.asarray(pts, dtype=np.float32).reshape(4, 2)
    by_x = pts[np.argsort(pts[:, 0], kind="stable")]
    left, right = by_x[:2], by_x[2:]
    tl, bl = left[np.argsort(left[:, 1], kind="stable")]
    tr, br = right[np.argsort(right[:, 1], kind="stable")]
    return np.array([tl, tr, br, bl], dtype=np.float32)


def warp_quad(image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """Perspective-rectify the quadrilateral into an upright crop.

    Crops much taller than wide are rotated a quarter turn counter-clockwise
    (the usual orientation of rotated text lines; vertical CJK becomes a
    sideways line, which the recognizer still reads better than a column).
    """
    q = order_quad(quad)
    w = int(round(max(np.linalg.norm(q[0] - q[1]), np.linalg.norm(q[3] - q[2]))))
    h = int(round(max(np.linalg.norm(q[0] - q[3]), np.linalg.norm(q[1] - q[2]))))
    w, h = max(w, 1), max(h, 1)
    x0, y0 = np.floor(q.min(axis=0)).astype(int)
    x1, y1 = np.ceil(q.max(axis=0)).astype(int)
    if _is_axis_aligned(q):
        # Most screenshot lines are exact rectangles: slicing is faster and
        # avoids resampling blur.
        H, W = image.shape[:2]
        crop = image[max(y0, 0):min(y1, H), max(x0, 0):min(x1, W)]
        if crop.size == 0:
            crop = np.full((h, w, 3), 255, np.uint8)
    else:
        dst = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
        m = cv2.getPerspectiveTransform(q, dst)
        crop = cv2.warpPerspective(image, m, (w, h), flags=cv2.INTER_CUBIC,
                                   borderMode=cv2.BORDER_REPLICATE)
    if needs_rotation(crop.shape[0], crop.shape[1]):
        crop = np.rot90(crop)
    return np.ascontiguousarray(crop)


def needs_rotation(height: int, width: int) -> bool:
    """A crop this much taller than wide is read turned a quarter (see warp_quad)."""
    return height >= 1.5 * width


def _is_axis_aligned(q: np.ndarray, tol: float = 0.5) -> bool:
    return (abs(q[0, 1] - q[1, 1]) <= tol and abs(q[3, 1] - q[2, 1]) <= tol
            and abs(q[0, 0] - q[3, 0]) <= tol and abs(q[1, 0] - q[2, 0]) <= tol)


def resize_to_height(crop: np.ndarray, height: int = REC_HEIGHT) -> np.ndarray:
    h, w = crop.shape[:2]
    new_w = max(1, int(round(w * height / h)))
    interp = cv2.INTER_AREA if h > height else cv2.INTER_CUBIC
    return cv2.resize(crop, (new_w, height), interpolation=interp)


@dataclass
class InkProfile:
    """Per-column ink of a 48-high crop and the height of its text."""

    columns: np.ndarray  # int, ink pixels per column in the central band
    text_height: float  # rows spanned by ink, in pixels of the 48-high crop

    def blank(self, tol: int = 0) -> np.ndarray:
        return self.columns <= tol


def ink_profile(crop48: np.ndarray) -> InkProfile:
    """Separate text from background with Otsu; the background is the
    majority class, which holds for light-on-dark text too."""
    gray = cv2.cvtColor(crop48, cv2.COLOR_BGR2GRAY) if crop48.ndim == 3 else crop48
    if int(gray.max()) - int(gray.min()) < 24:  # flat crop: no ink anywhere
        return InkProfile(np.zeros(gray.shape[1], np.int32), 0.0)
    _, mask = cv2.threshold(gray, 0, 1, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    if mask.mean() > 0.5:
        mask = 1 - mask
    h = mask.shape[0]
    rows = mask.sum(axis=1)
    # Text rows: those clearly inked. Fragments of neighbouring lines cut by
    # the box edges sit at the top/bottom; use the longest run of inked rows.
    inked = rows > max(1, 0.02 * mask.shape[1])
    best, run_start, best_span = 0, None, (0, h)
    for y, v in enumerate(list(inked) + [False]):
        if v and run_start is None:
            run_start = y
        elif not v and run_start is not None:
            if y - run_start > best:
                best, best_span = y - run_start, (run_start, y)
            run_start = None
    y0, y1 = best_span
    cols = mask[y0:y1].sum(axis=0).astype(np.int32)
    return InkProfile(cols, float(max(best, 1)))


@dataclass
class Piece:
    """A slice [start, end) of a long crop. Characters whose centre falls in
    [own_start, own_end) belong to this piece; the rest of the slice is
    context overlapping the neighbours."""

    start: int
    end: int
    own_start: int
    own_end: int


def split_long(profile: InkProfile, width: int, split_width: int = 480,
               piece_width: int = 320, overlap: int = 32) -> list[Piece]:
    """Cut points at the least-inked columns near every ``piece_width``.

    A cut in a clean gap splits no glyph; where there is no clean gap (dense
    text) the pieces overlap by ``overlap`` px on each side and each
    character is kept by the piece that owns its centre, which dedupes the
    overlap.
    """
    if width <= split_width:
        return [Piece(0, width, 0, width)]
    cols = profile.columns.astype(np.float32)
    # Smooth so that a wide gap scores better than a 1-px crack inside a glyph.
    smooth = np.convolve(cols, np.ones(5, np.float32) / 5, mode="same")
    cuts = [0]
    while width - cuts[-1] > split_width:
        lo = cuts[-1] + int(piece_width * 0.7)
        hi = min(cuts[-1] + int(piece_width * 1.25), width - int(piece_width * 0.3))
        if hi <= lo:
            break
        window = smooth[lo:hi]
        # Prefer the emptiest column; among equals, the one nearest the target.
        target = cuts[-1] + piece_width - lo
        score = window * 1000.0 + np.abs(np.arange(len(window)) - target)
        cut = lo + int(np.argmin(score))
        # Pieces start on a frame boundary so that CTC frames of a piece map
        # exactly onto frames of the whole crop.
        cuts.append(max(cuts[-1] + 8, cut - cut % 8))
    cuts.append(width)
    pieces = []
    for i in range(len(cuts) - 1):
        a, b = cuts[i], cuts[i + 1]
        pieces.append(Piece(max(0, a - overlap), min(width, b + overlap), a, b))
    # overlap is a multiple of 8 so starts stay frame-aligned
    return pieces
