"""DB (differentiable binarization) post-processing: probability map to
text quadrilaterals."""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import pyclipper

from .config import DBParams


@dataclass
class DetBox:
    quad: np.ndarray  # (4, 2) float32, corners tl, tr, br, bl
    score: float


def _mini_box(contour: np.ndarray) -> tuple[np.ndarray, float]:
    """Minimum-area rectangle as ordered corners, and its short side."""
    rect = cv2.minAreaRect(contour)
    pts = cv2.boxPoints(rect)
    pts = pts[np.argsort(pts[:, 0], kind="stable")]
    left, right = pts[:2], pts[2:]
    tl, bl = (left if left[0, 1] <= left[1, 1] else left[::-1])
    tr, br = (right if right[0, 1] <= right[1, 1] else right[::-1])
    return np.array([tl, tr, br, bl], np.float32), float(min(rect[1]))


def _mean_score(prob: np.ndarray, contour: np.ndarray) -> float:
    """Mean probability inside the contour polygon (exact, not the bbox:
    a bbox mean under-scores slanted lines)."""
    h, w = prob.shape
    x0, y0 = np.clip(contour.min(axis=0).astype(int), 0, [w - 1, h - 1])
    x1, y1 = np.clip(np.ceil(contour.max(axis=0)).astype(int), 0, [w - 1, h - 1])
    mask = np.zeros((y1 - y0 + 1, x1 - x0 + 1), np.uint8)
    cv2.fillPoly(mask, [(contour - [x0, y0]).astype(np.int32)], 1)
    return float(cv2.mean(prob[y0:y1 + 1, x0:x1 + 1], mask)[0])


def _unclip(quad: np.ndarray, ratio: float) -> np.ndarray | None:
    """Grow the polygon by D = area * ratio / perimeter (the DB paper's
    inverse of the shrink applied to the training labels)."""
    area = cv2.contourArea(quad)
    length = cv2.arcLength(quad, True)
    if length <= 0:
        return None
    distance = area * ratio / length
    off = pyclipper.PyclipperOffset()
    off.AddPath([tuple(map(float, p)) for p in quad], pyclipper.JT_ROUND, pyclipper.ET_CLOSEDPOLYGON)
    grown = off.Execute(distance)
    if not grown:
        return None
    return np.array(max(grown, key=len), np.float32)


def boxes_from_map(prob: np.ndarray, params: DBParams = DBParams(),
                   scale_x: float = 1.0, scale_y: float = 1.0,
                   out_w: int | None = None, out_h: int | None = None) -> list[DetBox]:
    """Quadrilaterals from a [H, W] probability map.

    ``scale_x/y`` map map pixels to output pixels (original image); boxes are
    clipped to ``out_w`` x ``out_h``.
    """
    bitmap = (prob > params.thresh).astype(np.uint8)
    contours, _ = cv2.findContours(bitmap, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    out: list[DetBox] = []
    for contour in contours[: params.max_candidates]:
        contour = contour.reshape(-1, 2)
        if len(contour) < 3:
            continue
        quad, short = _mini_box(contour)
        if short < params.min_size:
            continue
        score = _mean_score(prob, contour.astype(np.float32))
        if score < params.box_thresh:
            continue
        grown = _unclip(quad, params.unclip_ratio)
        if grown is None:
            continue
        quad, short = _mini_box(grown)
        if short < params.min_size + 2:
            continue
        quad = quad * np.array([scale_x, scale_y], np.float32)
        if out_w is not None and out_h is not None:
            quad[:, 0] = np.clip(quad[:, 0], 0, out_w - 1)
            quad[:, 1] = np.clip(quad[:, 1], 0, out_h - 1)
        out.append(DetBox(quad, score))
    return out
