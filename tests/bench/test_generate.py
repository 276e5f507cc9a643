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
    assert {s.lang for s in a} == set(generate.ALL_LANGS)
    assert {1, 2} <= {s.dpr for s in a}
    assert {"tall", "wide", "720p"} <= {t for s in a for t in s.tags}
    assert {k for _, k in da} == set(degrade.KINDS)
    assert 120 <= len(a) + len(da) <= 200
    smoke, ds = generate.plan("smoke", 7)
    assert 15 <= len(smoke) + len(ds) <= 32
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


# ---------------------------------------------------------------- Japanese pages
# SHA-256 (first 20 hex digits) of the zh/en/mixed part of the plan: every spec,
# its page HTML and the degraded copies, as generator v2 made them before
# Japanese pages were added. Adding languages must not change these pages.
_V2_PLAN_HASHES = {("smoke", 0): "e18f1054ce18dd4fa9db", ("smoke", 5): "bcee21bc64c341aea9ef",
                   ("full", 0): "2b75652553b5730fda34", ("full", 5): "8bc5cd660b00f0b0ba8b"}


def _plan_hash(size: str, seed: int) -> str:
    import dataclasses
    import hashlib

    specs, degraded = generate.plan(size, seed)
    h = hashlib.sha256()
    for s in specs:
        if s.lang == generate.JA:
            continue
        h.update(json.dumps(dataclasses.asdict(s), sort_keys=True, ensure_ascii=False).encode())
        h.update(generate.build_page(s, seed).html.encode())
    ja_ids = {s.id for s in specs if s.lang == generate.JA}
    h.update(json.dumps([list(d) for d in degraded if d[0] not in ja_ids]).encode())
    return h.hexdigest()[:20]


@pytest.mark.parametrize("size,seed", sorted(_V2_PLAN_HASHES))
def test_japanese_pages_leave_the_other_pages_unchanged(size: str, seed: int) -> None:
    assert _plan_hash(size, seed) == _V2_PLAN_HASHES[(size, seed)]


def test_plan_has_japanese_pages_in_every_category() -> None:
    for size, cats in (("full", set(generate.CATEGORIES)), ("smoke", {"chat", "article", "ui", "slide", "table"})):
        specs, degraded = generate.plan(size, 0)
        ja = [s for s in specs if s.lang == "ja"]
        assert {s.category for s in ja} == cats
        assert len({s.id for s in specs}) == len(specs)
        ja_ids = {s.id for s in ja}
        assert sum(1 for cid, _ in degraded if cid in ja_ids) >= 2
        # After all the others, so the zh/en/mixed order is the same as before.
        assert [s.lang for s in specs][-len(ja):] == ["ja"] * len(ja)
    full, _ = generate.plan("full", 0)
    assert {s.layout for s in full if s.lang == "ja"} >= {"chat-mobile", "chat-desktop", "receipt", "invoice", "sheet",
                                                            "settings", "dashboard", "slide", "article"}


def _kana(text: str) -> int:
    return sum(1 for ch in text if "\u3040" <= ch <= "\u30ff")


def test_japanese_pages_use_japanese_text_and_fonts() -> None:
    from bench.ocr import layouts

    specs, _ = generate.plan("full", 0)
    ja_fonts = set(layouts.JA_SANS + layouts.JA_SERIF + layouts.JA_MONO)
    for spec in [s for s in specs if s.lang == "ja"]:
        page = generate.build_page(spec, 0)
        assert "<html lang='ja'>" in page.html
        assert page.font in ja_fonts, (spec.id, page.font)
        parser = _GtText()
        parser.feed(page.html)
        text = "".join(parser.text)
        if spec.layout != "terminal":  # terminal output is English whatever the language
            assert _kana(text) >= 5, spec.id
        # Simplified-Chinese UI words of the other layouts must not leak into Japanese pages.
        for zh in ("项目群", "设置", "小计", "合计", "发票", "昨天", "已开启"):
            assert zh not in text, (spec.id, zh)
    assert all("lang=" not in generate.build_page(s, 0).html for s in specs[:12] if s.lang != "ja")


def _font_file(family: str) -> str | None:
    import shutil
    import subprocess

    if not shutil.which("fc-match"):
        return None
    out = subprocess.run(["fc-match", family, "-f", "%{family}\t%{file}"], capture_output=True, text=True).stdout
    fam, _, path = out.partition("\t")
    return path if family.lower() in fam.lower() and os.path.exists(path) else None


def test_japanese_corpus_is_covered_by_the_fallback_font() -> None:
    """Every character of the Japanese text has a glyph in Noto Sans CJK JP, the
    last font of every Japanese stack, so no page shows a missing-glyph box."""
    from bench.ocr import corpus as C

    path = _font_file("Noto Sans CJK JP")
    if path is None:
        pytest.skip("Noto Sans CJK JP is not installed (fonts-noto-cjk)")
    fontTools = pytest.importorskip("fontTools.ttLib")
    font = fontTools.TTCollection(path).fonts[0] if path.endswith(".ttc") else fontTools.TTFont(path)
    cmap = font.getBestCmap()
    text = "".join(C.JA_LITERARY + C.JA_SENTENCES + C.JA_NAMES + C.JA_PRODUCTS + C.JA_UI_LABELS + C.JA_TITLES
                   + C.JA_LITERARY_TITLES + C.JA_CODE_COMMENTS)
    missing = sorted({ch for ch in text if not ch.isspace() and ord(ch) not in cmap})
    assert not missing
    assert _kana(text) > 500


@pytest.mark.skipif(browser_missing, reason=f"needs the playwright package and Chromium at {CHROMIUM}")
def test_render_japanese_pages_ground_truth(tmp_path: Path) -> None:
    records = generate.generate(tmp_path, "smoke", seed=3, only=2, log=lambda *_: None, langs=["ja"])
    clean = [r for r in records if r["degradation"] == "none"]
    assert len(clean) == 2 and {r["lang"] for r in records} == {"ja"}
    specs = [s for s in generate.plan("smoke", 3)[0] if s.lang == "ja"][:2]
    for spec, rec in zip(specs, clean):
        assert rec["id"] == spec.id
        img = Image.open(tmp_path / rec["file"])
        arr = np.asarray(img.convert("L"), dtype=np.int16)
        for ln in rec["lines"]:
            x0, y0, x1, y1 = ln["box"]
            assert 0 <= x0 < x1 <= img.width and 0 <= y0 < y1 <= img.height, ln
        for ln in rec["lines"][:10]:
            x0, y0, x1, y1 = (int(v) for v in ln["box"])
            assert arr[y0:y1 + 1, x0:x1 + 1].std() > 5, ln
        parser = _GtText()
        parser.feed(generate.build_page(spec, 3).html)
        expected = re.sub(r"\s+", "", "".join(parser.text))
        assert Counter(re.sub(r"\s+", "", rec["text"])) == Counter(expected)
        assert _kana(rec["text"]) >= 5
    for rec in records:
        if rec["degradation"] != "none":
            source = next(r for r in records if r["id"] == rec["source"])
            assert rec["text"] == source["text"]
