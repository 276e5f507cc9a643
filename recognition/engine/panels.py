"""Panels: the cards, bubbles, sidebars and framed boxes of a screenshot.

People read a dashboard card by card and a settings page sidebar first,
even when the texts of neighbouring cards sit on the same visual rows. The
boxes alone cannot tell a row of cards from a table row; the pixels can: a
card is a rectangle filled with a colour other than the page background, or
a rectangle drawn as a frame. ``find_panels`` returns those rectangles and
the layout reads each one as a unit.

Only clear evidence counts. Photos with uneven light have no single
background colour and get no panels; a region counts as filled only when
one colour covers most of it and it fills its bounding rectangle; a frame
must run along all four sides.
"""
from __future__ import annotations

import cv2
import numpy as np

from .config import PanelParams

Rect = tuple[int, int, int, int]  # x0, y0, x1, y1 in image pixels


def _dominant_colour(pixels: np.ndarray) -> tuple[np.ndarray, float]:
    """Most common colour (mean of the most common bucket of 8 levels per
    channel) and the share of pixels in that bucket."""
    flat = pixels.reshape(-1, 3)
    q = (flat >> 3).astype(np.int32)
    keys = (q[:, 0] << 10) | (q[:, 1] << 5) | q[:, 2]
    counts = np.bincount(keys, minlength=1 << 15)
    key = int(counts.argmax())
    colour = flat[keys == key].mean(axis=0)
    return colour, float(counts[key]) / max(1, len(keys))


def _differs(img: np.ndarray, colour: np.ndarray, tolerance: int) -> np.ndarray:
    """Pixels more than ``tolerance`` off ``colour`` in any channel (OpenCV:
    ten times faster than numpy on a full page)."""
    diff = cv2.absdiff(img, tuple(float(c) for c in np.round(colour)) + (0.0,))
    b, g, r = cv2.split(diff)
    return cv2.max(cv2.max(b, g), r) > tolerance


def _framed(component: np.ndarray, share: float) -> bool:
    band = 3
    sides = (component[:band].any(axis=0), component[-band:].any(axis=0),
             component[:, :band].any(axis=1), component[:, -band:].any(axis=1))
    return all(side.mean() >= share for side in sides)


def find_panels(image: np.ndarray, text_height: float, p: PanelParams = PanelParams()) -> list[Rect]:
    """Rectangles of filled or framed panels in a BGR image, largest first."""
    h, w = image.shape[:2]
    if h * w == 0 or text_height <= 0:
        return []
    # A whole-number factor: INTER_AREA then averages blocks, which is fast.
    f = float(max(1, int(np.ceil(np.sqrt(h * w / p.work_pixels)))))
    small = image if f == 1.0 else cv2.resize(image, (int(w // f), int(h // f)), interpolation=cv2.INTER_AREA)
    background, _ = _dominant_colour(small[::3, ::3])
    mask = _differs(small, background, p.tolerance)
    if 1.0 - mask.mean() < p.min_background:
        return []
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    sh, sw = mask.shape
    # Most components are glyphs: drop them by size before looking closer.
    cw_all, ch_all = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    big = ((cw_all * f >= p.min_width * text_height) & (ch_all * f >= p.min_height * text_height)
           & (cw_all * ch_all <= p.max_share * sh * sw))
    big[0] = False  # the background
    panels: list[Rect] = []
    for k in np.flatnonzero(big):
        x, y, cw, ch, area = (int(v) for v in stats[k])
        component = labels[y:y + ch, x:x + cw] == k
        filled = area >= p.solid_fill * cw * ch
        if filled:
            _, own = _dominant_colour(small[y:y + ch, x:x + cw][component])
            filled = own >= p.own_colour
        if filled or _framed(component, p.frame_sides):
            panels.append((int(x * f), int(y * f), int(np.ceil((x + cw) * f)), int(np.ceil((y + ch) * f))))
    panels.sort(key=lambda r: (r[2] - r[0]) * (r[3] - r[1]), reverse=True)
    return panels
