"""Optional OpenCV clean-up steps applied before detection and recognition.

All functions take and return BGR uint8 images of the same size, except
``deskew`` which also returns the matrix to map points back. Which steps run
by default is decided in ``EngineConfig`` from benchmark results; most are
off because on clean screenshots they remove information the models use.
"""
from __future__ import annotations

import cv2
import numpy as np


def luminance(img: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)


def is_dark_mode(img: np.ndarray, dark_level: int = 90, share: float = 0.55) -> bool:
    """True when most of the image is dark background (dark-mode apps,
    terminals). Measured on a thumbnail: the decision needs no detail."""
    small = cv2.resize(img, (128, 128), interpolation=cv2.INTER_AREA)
    gray = luminance(small)
    return bool((gray < dark_level).mean() >= share)


def invert(img: np.ndarray) -> np.ndarray:
    return cv2.bitwise_not(img)


def to_grayscale(img: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(luminance(img), cv2.COLOR_GRAY2BGR)


def clahe(img: np.ndarray, clip: float = 2.0, grid: int = 8) -> np.ndarray:
    """Local contrast on the lightness channel only (keeps colours)."""
    lab = cv2.cvtColor(img, cv2.COLOR_BGR2LAB)
    lab[:, :, 0] = cv2.createCLAHE(clipLimit=clip, tileGridSize=(grid, grid)).apply(lab[:, :, 0])
    return cv2.cvtColor(lab, cv2.COLOR_LAB2BGR)


def denoise(img: np.ndarray, strength: float = 5.0) -> np.ndarray:
    """Non-local means: removes JPEG and sensor noise from photos and scans.
    Slow (about a second per megapixel); meant for photos, not screenshots."""
    return cv2.fastNlMeansDenoisingColored(img, None, strength, strength, 7, 21)


def binarize(img: np.ndarray) -> np.ndarray:
    """Adaptive threshold with a window that follows the image size, for
    uneven lighting (photos of paper and whiteboards)."""
    gray = luminance(img)
    block = max(15, (min(gray.shape) // 40) | 1)
    bw = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, 10)
    return cv2.cvtColor(bw, cv2.COLOR_GRAY2BGR)


def estimate_skew(quads: list[np.ndarray], min_aspect: float = 3.0) -> float:
    """Median angle (degrees, clockwise positive in image coordinates) of
    the long, clearly horizontal-ish boxes; 0 when there are too few."""
    angles = []
    for q in quads:
        q = np.asarray(q, np.float32)
        dx, dy = q[1] - q[0]
        h = np.linalg.norm(q[3] - q[0])
        if np.hypot(dx, dy) >= min_aspect * max(h, 1):
            angles.append(np.degrees(np.arctan2(dy, dx)))
    if len(angles) < 3:
        return 0.0
    return float(np.median(angles))


def rotate(img: np.ndarray, degrees: float) -> tuple[np.ndarray, np.ndarray]:
    """Rotate about the centre so a line at ``degrees`` becomes level; the
    canvas grows to keep every pixel. Returns the image and the inverse
    affine matrix (rotated -> original coordinates)."""
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    cos, sin = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(np.ceil(h * sin + w * cos)), int(np.ceil(h * cos + w * sin))
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    out = cv2.warpAffine(img, m, (nw, nh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return out, cv2.invertAffineTransform(m)


def map_points(pts: np.ndarray, affine: np.ndarray) -> np.ndarray:
    pts = np.asarray(pts, np.float32).reshape(-1, 2)
    return pts @ affine[:, :2].T + affine[:, 2]
