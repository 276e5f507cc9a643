"""Layout modes: paragraphs (Latin, CJK, hyphens) and code (indentation,
gutter numbers, monospace detection), on pages read by the engine and on
stored line data."""
from __future__ import annotations

import numpy as np
import pytest

from recognition.outputs.layouts import is_monospace, join_wrapped, lay_out
from recognition.outputs.source import SourceLine, current_lines
from tests.recognition.outputs.conftest import CJK, MONO, SANS, font, page

LATIN = ["The quarterly report shows that the", "sales team exceeded its targets in every",
         "region, with the strongest growth in infor-", "mation services and consulting."]
CHINESE = ["本季度报告显示销售团队在每个地区都超", "额完成了目标，其中信息服务增长最快。"]


def test_paragraphs_join_wrapped_latin_and_chinese_lines(read):
    im, d = page(760, 420)
    f, zh = font(SANS, 20), font(CJK, 22)
    y = 30
    for t in LATIN:
        d.text((30, y), t, font=f, fill="black")
        y += 30
    y += 30
    d.text((30, y), "Next steps are listed below.", font=f, fill="black")
    y += 60
    for t in CHINESE:
        d.text((30, y), t, font=zh, fill="black")
        y += 34
    lines = read(np.array(im))
    assert len(lines) == 7  # the lines mode keeps every visual line
    assert lay_out(lines, "lines").text.split("\n")[:4] == LATIN
    assert lay_out(lines, "paragraphs").text.split("\n") == [
        "The quarterly report shows that the sales team exceeded its targets in every region, "
        "with the strongest growth in information services and consulting.",
        "Next steps are listed below.",
        "本季度报告显示销售团队在每个地区都超额完成了目标，其中信息服务增长最快。",
    ]


def test_a_short_line_ends_its_paragraph_even_without_a_gap(read):
    im, d = page(700, 200)
    f = font(SANS, 20)
    for k, t in enumerate(["The meeting moved to Friday", "Please bring the signed contracts and the",
                           "budget for the next quarter to the meeting."]):
        d.text((30, 30 + 30 * k), t, font=f, fill="black")
    text = lay_out(read(np.array(im)), "paragraphs").text
    assert text == ("The meeting moved to Friday\n"
                    "Please bring the signed contracts and the budget for the next quarter to the meeting.")


def box(x0, y0, x1, y1):
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


def test_paragraph_rules_on_stored_lines():
    lines = [SourceLine("Meeting notes", box(20, 10, 300, 50)),  # a heading: taller
             SourceLine("本次会议讨论了新版本的", box(20, 60, 320, 88)),
             SourceLine("发布计划。", box(20, 92, 140, 120)),
             SourceLine("- first item of the list", box(20, 124, 330, 152)),
             SourceLine("- second item", box(20, 156, 200, 184))]
    assert lay_out(lines, "paragraphs").text.split("\n") == [
        "Meeting notes", "本次会议讨论了新版本的发布计划。", "- first item of the list", "- second item"]


@pytest.mark.parametrize("left,right,joined", [
    ("infor-", "mation", "information"),
    ("Jean-", "Paul", "Jean-Paul"),
    ("the", "sales", "the sales"),
    ("报告显示", "销售", "报告显示销售"),
    ("版本", "API", "版本API"),
    ("twenty-", "3 people", "twenty- 3 people"),
])
def test_join_wrapped(left, right, joined):
    assert join_wrapped(left, right) == joined


def test_corrected_text_without_geometry_falls_back_to_blank_lines():
    stored = [{"text": "a", "box": box(0, 0, 10, 10)}]
    lines = current_lines(stored, "Two lines of one\nparagraph here\n\nAnd another", "a")
    assert lay_out(lines, "paragraphs").text == "Two lines of one paragraph here\nAnd another"


CODE = ["def total(items):", "    result = 0", "    for item in items:", "        if item.price > 0:",
        "            result += item.price", "    return result"]


def render_code(d, f, gutter: bool):
    size = f.size
    for k, t in enumerate(CODE):
        y = 30 + int(k * size * 1.6)
        if gutter:
            d.text((20, y), f"{k + 1:>2}", font=f, fill=(140, 140, 140))
        d.text((90 if gutter else 30, y), t, font=f, fill="black")


def test_code_keeps_indentation_and_drops_gutter_numbers(read):
    im, d = page(700, 280)
    render_code(d, font(MONO, 20), gutter=True)
    lines = read(np.array(im))
    assert lines[0].text.startswith("1")  # the gutter is read ...
    laid = lay_out(lines, "code")
    assert laid.gutter and laid.monospace
    assert laid.text.split("\n") == CODE  # ... and left out of the code


def test_monospace_pages_are_told_from_proportional_ones(read):
    im, d = page(700, 280)
    render_code(d, font(MONO, 20), gutter=False)
    assert is_monospace(read(np.array(im))) is True
    im, d = page(900, 300)
    for k, t in enumerate(["Little pillars of light fill the hall,", "while the willow still tilts its limbs",
                           "in a quiet, idle, mild illumination."]):
        d.text((30, 30 + 36 * k), t, font=font(SANS, 22), fill="black")
    assert is_monospace(read(np.array(im))) is False


def test_code_on_a_proportional_page_indents_by_levels():
    lines = [SourceLine("if ready:", box(20, 0, 120, 20)), SourceLine("start()", box(52, 24, 130, 44)),
             SourceLine("done()", box(20, 48, 90, 68))]
    assert lay_out(lines, "code").text == "if ready:\n    start()\ndone()"


def test_unknown_layout_is_refused():
    with pytest.raises(ValueError):
        lay_out([], "columns")


def test_pages_are_joined_with_a_form_feed():
    lines = [SourceLine("one", box(0, 0, 10, 10), page=1), SourceLine("two", box(0, 0, 10, 10), page=2)]
    assert lay_out(lines, "paragraphs").text == "one\ftwo"
