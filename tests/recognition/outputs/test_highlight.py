"""Search hits on a result: matched pieces of the text and the matched
characters' boxes on the image."""
from __future__ import annotations

import numpy as np

from recognition.outputs.highlight import hit_boxes, line_pieces
from recognition.outputs.source import SourceLine, current_lines
from tests.recognition.outputs.conftest import CJK, SANS, font, page


def test_a_phrase_is_boxed_word_by_word_where_it_is_printed(read):
    im, d = page(700, 160)
    f = font(SANS, 22)
    d.text((30, 30), "Invoice 4711 was paid", font=f, fill="black")
    start = 30 + d.textlength("Invoice ", font=f)
    d.text((30, 90), "销售报表已经发送", font=font(CJK, 24), fill="black")
    lines = read(np.array(im))
    text = "\n".join(line.text for line in lines)
    at = text.index("4711 was")
    boxes = hit_boxes(lines, [(at, at + len("4711 was"))])
    assert [b.exact for b in boxes] == [True, True]
    assert abs(boxes[0].box[0] - start) <= 3 and boxes[0].box[2] < boxes[1].box[0]
    at = text.index("报表")
    (zh,) = hit_boxes(lines, [(at, at + 2)])
    width = d.textlength("销", font=font(CJK, 24))
    assert abs(zh.box[0] - (30 + 2 * width)) <= 4 and abs(zh.box[2] - (30 + 4 * width)) <= 4


def box(x0, y0, x1, y1):
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


def test_pieces_and_line_boxes_without_character_boxes():
    stored = [{"text": "Total <b>due</b>", "box": box(0, 0, 100, 20)}, {"text": "due today", "box": box(0, 30, 90, 50)}]
    lines = current_lines(stored, "Total <b>due</b>\ndue today", None)
    text = "Total <b>due</b>\ndue today"
    matches = [(9, 12), (17, 20)]
    assert line_pieces(lines, matches) == [[("Total <b>", False), ("due", True), ("</b>", False)],
                                           [("due", True), (" today", False)]]
    assert [(b.line, b.box, b.exact) for b in hit_boxes(lines, matches)] == [(0, [0, 0, 100, 20], False),
                                                                              (1, [0, 30, 90, 50], False)]
    assert text[9:12] == text[17:20] == "due"


def test_a_match_over_a_line_break_marks_both_lines():
    lines = [SourceLine("the sales"), SourceLine("report")]
    assert line_pieces(lines, [(4, 16)]) == [[("the ", False), ("sales", True)], [("report", True)]]
