"""Generator: plan determinism, degradation geometry, and a real render of two pages."""

from __future__ import annotations

import importlib.util
import json
import os
import random
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bench.ocr import degrade, generate
from bench.ocr.render import CHROMIUM, reading_order


def test_plan_is_deterministic_and_covers_categories() -> None:
    a, da = generate.plan("full", 7)
    b, db = generate.plan("full", 7)
    assert [s.id for s in a] == [s.id for s in b] and da == db
    assert {s.category for s in a} == set(generate.CATEGORIES)
    assert {s.lang for s in a} == set(generate.LANGS)
    assert {1, 2} <= {s.dpr for s in a}
    assert {"tall", "wide", "720p"} <= {t for s in a for t in s.tags}
    assert {k for _, k in da} == set(degrade.KINDS)
    assert 120 <= len(a) + len(da) <= 200
    smoke, ds = generate.plan("smoke", 7)
    assert 15 <= len(smoke) + len(ds) <= 25
    other, _ = generate.plan("full", 8)
    assert [s.params for s in other] != [s.params for s in a]


def test_pages_are_deterministic_and_text_is_varied() -> None:
    specs, _ = generate.plan("full", 0)
    chats = [s for s in specs if s.category == "chat"][:4]
    pages = [generate.build_page(s, 0).html for s in chats]
    assert pages == [generate.build_page(s, 0).html for s in chats]
    assert len(set(pages)) == len(pages)


def test_downscale_and_photo_move_boxes() -> None:
    img = np.full((200, 300, 3), 255, np.uint8)
    lines = [{"text": "x", "box": [10.0, 20.0, 110.0, 40.0]}]
    _, moved = degrade.downscale(img, lines, 0.5)
    assert moved[0]["box"] == [5.0, 10.0, 55.0, 20.0]
    out, warped = degrade.photo(img, lines, random.Random(1))
    h, w = out.shape[:2]
    x0, y0, x1, y1 = warped[0]["box"]
    assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h
    assert len(warped[0]["quad"]) == 4


class _GtText(HTMLParser):
    """Collects the text inside [data-gt] elements of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.depth, self.text = 0, []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if self.depth or any(k == "data-gt" for k, _ in attrs):
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.text.append(data)


browser_missing = (importlib.util.find_spec("playwright") is None or not os.path.exists(CHROMIUM))


@pytest.mark.skipif(browser_missing, reason=f"needs the playwright package and Chromium at {CHROMIUM}")
def test_render_two_pages_ground_truth(tmp_path: Path) -> None:
    records = generate.generate(tmp_path, "smoke", seed=3, only=2, log=lambda *_: None)
    assert len(records) == 3  # two clean pages and one degraded copy
    index = json.loads((tmp_path / "index.json").read_text(encoding="utf-8"))
    assert index["count"] == 3
    specs, _ = generate.plan("smoke", 3)
    for rec in records:
        img = Image.open(tmp_path / rec["file"])
        assert (img.width, img.height) == (rec["width"], rec["height"])
        assert rec["lines"] and rec["text"].strip()
        for ln in rec["lines"]:
            assert ln["text"].strip()
            x0, y0, x1, y1 = ln["box"]
            assert 0 <= x0 < x1 <= img.width and 0 <= y0 < y1 <= img.height, ln
        # Boxes must sit on ink: the box region differs from the page background.
        if rec["degradation"] == "none":
            arr = np.asarray(img.convert("L"), dtype=np.int16)
            for ln in rec["lines"][:10]:
                x0, y0, x1, y1 = (int(v) for v in ln["box"])
                assert arr[y0:y1 + 1, x0:x1 + 1].std() > 5, ln
    # No text is lost or invented by grouping characters into lines (row
    # containers may reorder lines, so compare character counts).
    for spec, rec in zip(specs[:2], records):
        parser = _GtText()
        parser.feed(generate.build_page(spec, 3).html)
        expected = Counter(re.sub(r"\s+", "", "".join(parser.text)))
        assert Counter(re.sub(r"\s+", "", rec["text"])) == expected


def _ln(text: str, row: int, x0: float, y0: float, h: float = 18) -> dict:
    return {"text": text, "row": row, "box": [x0, y0, x0 + 50, y0 + h]}


def test_reading_order_goes_across_rows_but_keeps_columns() -> None:
    lines = [_ln("title", -1, 0, 0),
             # A receipt row: the name wraps to two lines, price on the right.
             _ln("Mechanical", 0, 0, 30), _ln("Keyboard", 0, 0, 48), _ln("1 x 9.99", 0, 200, 30), _ln("$9.99", 0, 300, 30),
             # A settings row: label, help below it, value centred on the right.
             _ln("Language", 1, 0, 80), _ln("Shown in menus", 1, 0, 98), _ln("English", 1, 400, 89),
             # Outside rows DOM order stands, even when lower lines come first (a sidebar).
             _ln("sidebar", -1, 0, 200), _ln("main", -1, 300, 20)]
    out = reading_order([dict(ln) for ln in lines])
    assert [ln["text"] for ln in out] == ["title", "Mechanical", "1 x 9.99", "$9.99", "Keyboard",
                                          "Language", "English", "Shown in menus", "sidebar", "main"]
    assert all("row" not in ln for ln in out)
