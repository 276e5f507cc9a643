"""Panels (cards, sidebars, frames) and reading them one at a time."""
from __future__ import annotations

import cv2
import numpy as np

from recognition.engine.layout import Segment, join_row, reading_order
from recognition.engine.panels import find_panels

WHITE = (255, 255, 255)
CARD = (246, 244, 243)  # a light grey only a few levels off the page, as UI kits use


def seg(x0, y0, x1, y1, text):
    return Segment(np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32), text, [0.9] * len(text))


def page(h=400, w=1000, colour=WHITE):
    return np.full((h, w, 3), colour, np.uint8)


def ink(img, x, y, text, scale=0.6):
    cv2.putText(img, text, (x, y), cv2.FONT_HERSHEY_SIMPLEX, scale, (40, 40, 40), 1, cv2.LINE_AA)


def test_filled_cards_and_a_frame_are_panels_a_rule_is_not():
    img = page()
    cards = [(20 + k * 240, 40, 240 + k * 240, 160) for k in range(4)]
    for x0, y0, x1, y1 in cards:
        cv2.rectangle(img, (x0, y0), (x1 - 1, y1 - 1), CARD, -1)
        ink(img, x0 + 12, y0 + 30, "Orders today")
        ink(img, x0 + 12, y0 + 80, "10.7%", 1.2)
    cv2.rectangle(img, (20, 260), (300, 340), (200, 200, 200), 1)  # a framed box
    ink(img, 40, 305, "Framed note")
    cv2.line(img, (20, 200), (980, 200), (200, 200, 200), 1)  # a separator rule
    found = find_panels(img, text_height=20)
    assert sorted(found[:4]) == [(x0, y0, x1, y1) for x0, y0, x1, y1 in cards]
    assert (20, 260, 301, 341) in found
    assert len(found) == 5


def test_dark_page_with_lighter_cards():
    img = page(colour=(30, 28, 26))
    cv2.rectangle(img, (100, 100), (399, 249), (52, 48, 45), -1)
    assert find_panels(img, text_height=20) == [(100, 100, 400, 250)]


def test_uneven_light_gives_no_panels():
    # A photographed page: brightness ramps across it, no flat background.
    ramp = np.linspace(120, 250, 1000, dtype=np.float32)
    img = np.repeat(np.repeat(ramp[None, :, None], 400, axis=0), 3, axis=2).astype(np.uint8)
    cv2.rectangle(img, (100, 100), (399, 249), (90, 90, 90), -1)
    assert find_panels(img, text_height=20) == []


def test_plain_text_page_has_no_panels():
    img = page()
    for row in range(8):
        ink(img, 40, 40 + row * 40, "An ordinary line of prose on a plain page, nothing boxed.")
    assert find_panels(img, text_height=20) == []


def lines_of(segs, panels):
    return [join_row(r)[0] for r in reading_order(segs, panels=panels)]


def test_cards_on_a_row_are_read_card_by_card():
    segs, panels = [seg(20, 10, 400, 34, "Dashboard")], []
    for k, (title, value) in enumerate([("Orders", "107"), ("Refunds", "6.8%"), ("Response", "143 ms")]):
        x = 20 + k * 240
        panels.append((x, 50, x + 220, 170))
        segs += [seg(x + 10, 60, x + 120, 80, title), seg(x + 10, 100, x + 150, 140, value)]
    segs.append(seg(20, 200, 600, 224, "Recent activity"))
    assert lines_of(segs, panels) == ["Dashboard", "Orders", "107", "Refunds", "6.8%", "Response", "143 ms",
                                      "Recent activity"]
    # Without the panels the same boxes read across the cards, row by row.
    assert lines_of(segs, None)[1] == "Orders\tRefunds\tResponse"


def test_sidebar_panel_is_read_before_the_main_panel():
    sidebar = (0, 0, 200, 500)
    segs = [seg(20, 30 + 40 * i, 160, 50 + 40 * i, f"Menu {i}") for i in range(5)]
    segs += [seg(240, 28, 500, 52, "Settings")]
    for i in range(4):
        y = 90 + 60 * i
        segs += [seg(240, y, 420, y + 20, f"Option {i}"), seg(900, y + 8, 960, y + 28, "On")]
    out = lines_of(segs, [sidebar])
    assert out[:5] == [f"Menu {i}" for i in range(5)]
    assert out[5:7] == ["Settings", "Option 0\tOn"]


def test_panel_holding_every_box_changes_nothing():
    segs = [seg(40, 40 + 30 * i, 600, 60 + 30 * i, f"line {i}") for i in range(4)]
    assert lines_of(segs, [(0, 0, 700, 200)]) == lines_of(segs, None)
