"""Crop rectification, ink profiles and long-line splitting."""
from __future__ import annotations

import cv2
import numpy as np

from recognition.engine.crops import ink_profile, order_quad, resize_to_height, split_long, warp_quad


def test_order_quad():
    q = order_quad(np.array([[10, 20], [0, 20], [0, 0], [10, 0]]))
    assert q.tolist() == [[0, 0], [10, 0], [10, 20], [0, 20]]


def test_warp_rotated_quad_is_upright():
    img = np.full((200, 200, 3), 255, np.uint8)
    box = cv2.boxPoints(((100, 100), (120, 30), 20)).astype(np.float32)
    cv2.fillPoly(img, [box.astype(np.int32)], (0, 0, 0))
    crop = warp_quad(img, box)
    h, w = crop.shape[:2]
    assert abs(w - 120) <= 2 and abs(h - 30) <= 2
    assert crop[3:-3, 3:-3].mean() < 30  # the dark bar fills the rectified crop


def test_tall_crop_rotated():
    img = np.zeros((100, 100, 3), np.uint8)
    crop = warp_quad(img, np.array([[10, 10], [30, 10], [30, 90], [10, 90]], np.float32))
    assert crop.shape[1] > crop.shape[0]


def test_ink_profile_light_and_dark(render, fonts):
    line = render(["hello world"], fonts["sans"], 24, margin=6)
    light = resize_to_height(line)
    dark = 255 - light
    for img in (light, dark):
        prof = ink_profile(img)
        blank = prof.blank()
        assert 10 < prof.text_height <= 48
        assert blank[:3].all() and not blank.all()


def test_short_line_not_split(render, fonts):
    prof = ink_profile(resize_to_height(render(["short"], fonts["sans"], 24, margin=6)))
    pieces = split_long(prof, len(prof.columns), split_width=800, piece_width=560)
    assert len(pieces) == 1 and (pieces[0].start, pieces[0].end) == (0, len(prof.columns))


def test_long_line_split_at_gaps(render, fonts):
    words = "the quick brown fox jumps over the lazy dog " * 4
    img = resize_to_height(render([words.strip()], fonts["sans"], 24, margin=6))
    prof = ink_profile(img)
    width = img.shape[1]
    pieces = split_long(prof, width, split_width=480, piece_width=320)
    assert len(pieces) >= width // 400
    # Owned parts tile the line exactly, starts are frame aligned, no piece
    # is far above the trained width.
    assert pieces[0].own_start == 0 and pieces[-1].own_end == width
    for a, b in zip(pieces, pieces[1:]):
        assert a.own_end == b.own_start
        assert b.start % 8 == 0
    assert max(p.end - p.start for p in pieces) <= 480
    # Every inner cut lands in (or next to) a blank column: no glyph is cut.
    blank = prof.blank()
    for p in pieces[1:]:
        c = p.own_start
        assert blank[max(0, c - 8):c + 8].any()
