"""Running the text detector at a scale that suits screenshots.

The usual "limit the long side to 960 px" rule shrinks a 1080x8000 chat
capture to 130 px wide and a dense 2560-px page to unreadable text. Here the
scale only caps the *short* side (screen text is already at a legible size
at native resolution), small images are moderately upscaled, and images
with too many pixels for one pass are cut into overlapping tiles along their
long axis whose probability maps are stitched before box extraction, so no
box merging across tiles is needed.
"""
from __future__ import annotations

from typing import Callable

import cv2
import numpy as np

from .config import DBParams, ScaleParams
from .db_postprocess import DetBox, boxes_from_map

MEAN = np.array([0.485, 0.456, 0.406], np.float32)
STD = np.array([0.229, 0.224, 0.225], np.float32)


def choose_scale(height: int, width: int, p: ScaleParams = ScaleParams()) -> float:
    long_side, short_side = max(height, width), min(height, width)
    if long_side < p.min_long_side:
        return float(min(p.max_upscale, p.min_long_side / long_side))
    return float(min(1.0, p.short_side_cap / short_side))


def _pad32(img: np.ndarray) -> np.ndarray:
    h, w = img.shape[:2]
    ph, pw = (-h) % 32, (-w) % 32
    if ph == 0 and pw == 0:
        return img
    # Pad with the typical edge colour so the padding looks like background.
    edge = np.concatenate([img[0], img[-1], img[:, 0], img[:, -1]])
    color = [int(c) for c in np.median(edge, axis=0)]
    return cv2.copyMakeBorder(img, 0, ph, 0, pw, cv2.BORDER_CONSTANT, value=color)


def _normalise(img: np.ndarray) -> np.ndarray:
    x = img.astype(np.float32) * (1.0 / 255.0)
    x -= MEAN
    x /= STD
    return np.ascontiguousarray(x.transpose(2, 0, 1)[None])


def _tiles(length: int, tile: int, overlap: int) -> list[tuple[int, int, int, int]]:
    """(start, end, keep_start, keep_end) along one axis; the kept parts
    tile the axis exactly, each away from its tile's cut edges."""
    if length <= tile:
        return [(0, length, 0, length)]
    step = tile - overlap
    starts = list(range(0, length - tile, step)) + [length - tile]
    out = []
    for i, s in enumerate(starts):
        keep_s = 0 if i == 0 else out[-1][3]
        keep_e = length if i == len(starts) - 1 else s + tile - overlap // 2
        out.append((s, s + tile, keep_s, keep_e))
    return out


def probability_map(image: np.ndarray, run: Callable[[np.ndarray], np.ndarray],
                    scale: float, p: ScaleParams = ScaleParams()) -> np.ndarray:
    """Probability map of the BGR image resized by ``scale``."""
    h, w = image.shape[:2]
    sh, sw = max(32, int(round(h * scale))), max(32, int(round(w * scale)))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    resized = cv2.resize(image, (sw, sh), interpolation=interp) if (sh, sw) != (h, w) else image
    if sh * sw <= p.max_pixels:
        prob = run(_normalise(_pad32(resized)))
        return prob[:sh, :sw]
    vertical = sh >= sw
    length = sh if vertical else sw
    out = np.zeros((sh, sw), np.float32)
    cross = sw if vertical else sh
    tile = p.tile or max(2 * p.overlap + 64, (p.max_pixels // max(cross, 1)) // 32 * 32)
    for s, e, ks, ke in _tiles(length, tile, p.overlap):
        part = resized[s:e] if vertical else resized[:, s:e]
        prob = run(_normalise(_pad32(part)))[: part.shape[0], : part.shape[1]]
        if vertical:
            out[ks:ke] = prob[ks - s: ke - s]
        else:
            out[:, ks:ke] = prob[:, ks - s: ke - s]
    return out


def detect(image: np.ndarray, run: Callable[[np.ndarray], np.ndarray],
           scale_params: ScaleParams = ScaleParams(), db: DBParams = DBParams(),
           scale: float | None = None) -> list[DetBox]:
    """Text boxes in original image coordinates."""
    h, w = image.shape[:2]
    if scale is None:
        scale = choose_scale(h, w, scale_params)
    prob = probability_map(image, run, scale, scale_params)
    ph, pw = prob.shape
    return boxes_from_map(prob, db, scale_x=w / pw, scale_y=h / ph, out_w=w, out_h=h)
