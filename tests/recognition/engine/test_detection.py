"""DB post-processing and detector scaling / tiling, with synthetic maps."""
from __future__ import annotations

import numpy as np

from recognition.engine.db_postprocess import DBParams, boxes_from_map
from recognition.engine.detection import ScaleParams, choose_scale, detect, probability_map


def test_boxes_from_map_unclips_and_scales():
    prob = np.zeros((100, 200), np.float32)
    prob[40:50, 20:120] = 0.9  # shrunk text kernel
    prob[80:82, 10:12] = 0.9  # speck, below min size
    boxes = boxes_from_map(prob, DBParams(), scale_x=2.0, scale_y=2.0, out_w=400, out_h=200)
    assert len(boxes) == 1
    q = boxes[0].quad
    x0, y0 = q.min(axis=0)
    x1, y1 = q.max(axis=0)
    # Grown around the kernel (10 px high -> about 2x after unclip), in output coordinates.
    assert x0 < 40 and x1 > 238 and y0 < 80 and y1 > 98
    assert boxes[0].score > 0.85


def test_low_score_box_dropped():
    prob = np.zeros((60, 200), np.float32)
    prob[20:30, 20:150] = 0.35  # above the pixel threshold, below box_thresh
    assert boxes_from_map(prob, DBParams(thresh=0.3, box_thresh=0.5)) == []


def test_scale_rules():
    p = ScaleParams(short_side_cap=1280, min_long_side=800, max_upscale=2.0)
    assert choose_scale(720, 1280, p) == 1.0  # screenshot: native
    assert choose_scale(8000, 1080, p) == 1.0  # tall chat capture: never shrunk to 960 long side
    assert abs(choose_scale(2160, 3840, p) - 1280 / 2160) < 1e-9
    assert choose_scale(100, 300, p) == 2.0  # small snippet: moderate upscale


def _fake_detector(x: np.ndarray) -> np.ndarray:
    # "Probability" = darkness of the pixel, so stitching can be checked exactly.
    img = x[0].transpose(1, 2, 0) * np.array([0.229, 0.224, 0.225]) + np.array([0.485, 0.456, 0.406])
    return (1.0 - img.mean(axis=2)).astype(np.float32)  # [H, W], like OcrEngine._run_det


def test_tiled_map_equals_single_pass():
    rng = np.random.default_rng(1)
    img = np.full((3000, 400, 3), 255, np.uint8)
    for y in range(40, 2950, 70):
        x = int(rng.integers(10, 100))
        img[y:y + 20, x:x + 250] = 0
    whole = probability_map(img, _fake_detector, 1.0, ScaleParams(max_pixels=10**8))
    tiled = probability_map(img, _fake_detector, 1.0, ScaleParams(max_pixels=200_000, tile=640, overlap=128))
    assert whole.shape == tiled.shape == (3000, 400)
    assert np.abs(whole - tiled).max() < 1e-4
    boxes = detect(img, _fake_detector, ScaleParams(max_pixels=200_000, tile=640, overlap=128))
    assert len(boxes) == len(range(40, 2950, 70))
