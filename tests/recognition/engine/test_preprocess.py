"""OpenCV preprocessing steps (all optional) keep shape and do their job."""
from __future__ import annotations

import numpy as np
import pytest

from recognition.engine import preprocess


@pytest.fixture()
def page(render, fonts):
    return np.ascontiguousarray(render(["Some dark text on a light page", "second line"], fonts["sans"], 18)[:, :, ::-1])


def test_dark_mode_detection(page):
    assert not preprocess.is_dark_mode(page)
    assert preprocess.is_dark_mode(preprocess.invert(page))


@pytest.mark.parametrize("step", [preprocess.to_grayscale, preprocess.clahe, preprocess.binarize, preprocess.denoise])
def test_steps_keep_shape(page, step):
    out = step(page)
    assert out.shape == page.shape and out.dtype == np.uint8
    # Text stays darker than the background.
    gray = out.mean(axis=2)
    assert gray.min() < 100 and np.median(gray) > 200


def test_binarize_is_two_level(page):
    assert set(np.unique(preprocess.binarize(page))) <= {0, 255}


def test_skew_estimate_and_rotation_roundtrip():
    quads = []
    for y in (50, 100, 150, 200):
        quads.append(np.array([[0, y], [300, y + 300 * np.tan(np.radians(4))],
                               [300, y + 20 + 300 * np.tan(np.radians(4))], [0, y + 20]], np.float32))
    assert abs(preprocess.estimate_skew(quads) - 4.0) < 0.1
    img = np.zeros((100, 200, 3), np.uint8)
    rotated, back = preprocess.rotate(img, 4.0)
    assert rotated.shape[0] > 100 and rotated.shape[1] > 200
    centre = preprocess.map_points(np.array([[rotated.shape[1] / 2, rotated.shape[0] / 2]]), back)
    assert np.allclose(centre, [[100, 50]], atol=1.0)
