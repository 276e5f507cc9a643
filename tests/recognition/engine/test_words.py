"""Word and character boxes from the CTC alignment, mapped back to the page
(level and rotated lines)."""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from recognition.engine.crops import InkProfile
from recognition.engine.words import char_extents, text_frame, word_boxes

from tests.recognition.engine.conftest import CJK, SANS, font

WORDS = "Invoice 4711 was paid today".split()


def page_with_words():
    """A page with one Latin and one Chinese line; the true box of every word."""
    f = font(SANS, 22)
    im = Image.new("RGB", (700, 200), "white")
    d = ImageDraw.Draw(im)
    x, truth = 40, {}
    for word in WORDS:
        truth[word] = d.textbbox((x, 60), word, font=f)
        d.text((x, 60), word, font=f, fill="black")
        x = truth[word][2] + 14
    zh = font(CJK, 24)
    d.text((40, 120), "销售报表已经发送", font=zh, fill="black")
    # Each Chinese character's own box.
    chars = [d.textbbox((40 + d.textlength("销售报表已经发送"[:k], font=zh), 120), c, font=zh)
             for k, c in enumerate("销售报表已经发送")]
    return np.array(im), truth, chars


def overlap_1d(a0, a1, b0, b1) -> float:
    inter = max(0.0, min(a1, b1) - max(a0, b0))
    return inter / (max(a1, b1) - min(a0, b0))


def test_words_carry_boxes_where_they_are_printed(engine):
    image, truth, zh_chars = page_with_words()
    result = engine.recognize(image)
    latin = next(line for line in result.lines if "Invoice" in line.text)
    words = {w["text"]: w for w in latin.words}
    assert list(words) == WORDS
    for word, (x0, y0, x1, y1) in truth.items():
        box = np.array(words[word]["box"])
        assert overlap_1d(box[:, 0].min(), box[:, 0].max(), x0, x1) > 0.8, (word, box.tolist(), (x0, x1))
        assert box[:, 1].min() <= y0 + 2 and box[:, 1].max() >= y1 - 2
        assert len(words[word]["chars"]) == len(word) == len(words[word]["char_confidences"])
        assert 0 < words[word]["confidence"] <= 1
    chinese = next(line for line in result.lines if "销售" in line.text)
    (run,) = chinese.words  # a run of CJK characters is one word ...
    assert run["text"] == "销售报表已经发送"
    for (cx0, _, cx1, _), (tx0, _, tx1, _) in zip(run["chars"], zh_chars):  # ... with a box per character
        assert overlap_1d(cx0, cx1, tx0, tx1) > 0.5, (run["chars"], zh_chars)


def test_boxes_follow_a_line_turned_a_quarter(engine):
    image, truth, _ = page_with_words()
    turned = np.ascontiguousarray(np.rot90(image, k=-1))  # clockwise: the text runs downwards
    height = image.shape[0]
    result = engine.recognize(turned)
    words = {w["text"]: w for line in result.lines for w in (line.words or [])}
    for word in ("Invoice", "4711", "today"):
        x0, y0, x1, y1 = truth[word]
        box = np.array(words[word]["box"])
        # Clockwise: the page's x becomes y; its y becomes (height - 1 - y) along x.
        assert overlap_1d(box[:, 1].min(), box[:, 1].max(), x0, x1) > 0.8, (word, box.tolist())
        assert box[:, 0].min() <= height - y1 + 2 and box[:, 0].max() >= height - y0 - 2


def test_char_extents_are_trimmed_to_ink():
    columns = np.zeros(100, np.int32)
    columns[10:20] = 5  # "a"
    columns[22:30] = 5  # "b"
    columns[60:70] = 5  # "c", after a word gap
    read = char_extents(list("abc"), [0.9, 0.8, 0.7], [15, 26, 65], InkProfile(columns, 20.0), 100)
    assert [(c.x0, c.x1) for c in read] == [(10, 20), (22, 30), (60, 70)]
    frame = text_frame(np.array([[0, 0], [200, 0], [200, 40], [0, 40]], np.float32), (100, 400, 3))
    words = word_boxes(read, "ab c", frame, 100)
    assert [w["text"] for w in words] == ["ab", "c"]
    assert words[0]["box"] == [[20, 0], [60, 0], [60, 40], [20, 40]]  # crop x doubled onto the page
    assert words[1]["chars"] == [[120, 0, 140, 40]]
    assert words[0]["confidence"] == 0.85
