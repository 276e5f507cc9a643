"""Degradations of clean screenshots, with the ground-truth boxes moved along.

Each function takes an RGB uint8 array and the lines (boxes in pixels) and
returns the new image, the moved lines and a short description. Everything is
driven by the random generator passed in, so the set is reproducible.
"""

from __future__ import annotations

import random

import cv2
import numpy as np

KINDS = ("jpeg", "downscale", "blur", "photo", "downscale+jpeg")


def _scale_lines(lines: list[dict], f: float) -> list[dict]:
    return [{**ln, "box": [round(v * f, 1) for v in ln["box"]]} for ln in lines]


def encode_jpeg(img: np.ndarray, quality: int) -> bytes:
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(img, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return buf.tobytes()


def downscale(img: np.ndarray, lines: list[dict], f: float = 0.6) -> tuple[np.ndarray, list[dict]]:
    h, w = img.shape[:2]
    # INTER_AREA is what image viewers and chat apps' thumbnailers roughly do.
    out = cv2.resize(img, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA)
    return out, _scale_lines(lines, f)


def blur(img: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(img, (0, 0), sigmaX=sigma)


def photo(img: np.ndarray, lines: list[dict], rng: random.Random) -> tuple[np.ndarray, list[dict]]:
    """A phone photo of a screen: perspective tilt, margin, uneven light, sensor noise, slight blur."""
    h, w = img.shape[:2]
    margin = int(0.06 * max(w, h))
    W, H = w + 2 * margin, h + 2 * margin
    jit = lambda s: rng.uniform(0.0, 0.05) * s  # noqa: E731 - tiny local helper
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[margin + jit(w), margin + jit(h)], [margin + w - jit(w), margin + jit(h)],
                      [margin + w - jit(w), margin + h - jit(h)], [margin + jit(w), margin + h - jit(h)]])
    M = cv2.getPerspectiveTransform(src, dst)
    bg = np.array([rng.randint(30, 90)] * 3, dtype=np.uint8)  # desk / bezel around the screen
    out = cv2.warpPerspective(img, M, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                              borderValue=tuple(int(v) for v in bg))
    # Uneven lighting: a smooth gradient from a random direction plus a vignette.
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    ang = rng.uniform(0, 2 * np.pi)
    grad = (np.cos(ang) * (xx / W - 0.5) + np.sin(ang) * (yy / H - 0.5))
    light = 0.88 + rng.uniform(0.15, 0.3) * grad
    light -= 0.25 * (((xx / W - 0.5) ** 2 + (yy / H - 0.5) ** 2))
    out = out.astype(np.float32) * light[..., None]
    out += np.random.default_rng(rng.randrange(2**31)).normal(0, 4.0, out.shape)
    out = cv2.GaussianBlur(np.clip(out, 0, 255).astype(np.uint8), (0, 0), sigmaX=rng.uniform(0.5, 0.9))
    moved = []
    for ln in lines:
        x0, y0, x1, y1 = ln["box"]
        quad = cv2.perspectiveTransform(np.float32([[[x0, y0], [x1, y0], [x1, y1], [x0, y1]]]), M)[0]
        moved.append({**ln, "box": [round(float(quad[:, 0].min()), 1), round(float(quad[:, 1].min()), 1),
                                    round(float(quad[:, 0].max()), 1), round(float(quad[:, 1].max()), 1)],
                      "quad": [[round(float(x), 1), round(float(y), 1)] for x, y in quad]})
    return out, moved


def apply(kind: str, img: np.ndarray, lines: list[dict], rng: random.Random) -> tuple[bytes, str, list[dict], dict]:
    """Returns (encoded bytes, file extension, lines, parameters) for one degradation kind."""
    if kind == "jpeg":
        q = rng.randint(30, 50)
        return encode_jpeg(img, q), "jpg", lines, {"jpeg_quality": q}
    if kind == "downscale":
        out, lines = downscale(img, lines)
        return _png(out), "png", lines, {"scale": 0.6}
    if kind == "downscale+jpeg":
        out, lines = downscale(img, lines)
        q = rng.randint(30, 50)
        return encode_jpeg(out, q), "jpg", lines, {"scale": 0.6, "jpeg_quality": q}
    if kind == "blur":
        s = round(rng.uniform(0.7, 1.2), 2)
        return _png(blur(img, s)), "png", lines, {"blur_sigma": s}
    if kind == "photo":
        out, lines = photo(img, lines, rng)
        return encode_jpeg(out, 85), "jpg", lines, {"jpeg_quality": 85}
    raise ValueError(f"unknown degradation {kind!r}")


def _png(img: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".png", cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
    assert ok
    return buf.tobytes()
