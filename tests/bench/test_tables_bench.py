"""The table benchmark's known cells and scoring."""

from __future__ import annotations

import random

from bench import tables


def test_pages_carry_their_known_grid():
    rng = random.Random(3)
    for kind, build in tables.BUILDERS.items():
        page, truth = build(rng)
        assert len({len(row) for row in truth}) == 1, kind  # spanning cells padded to a rectangle
        for row in truth:
            for text in row:
                if text and "<" not in text:
                    assert text.replace("&", "&amp;") in page.html or text in page.html, (kind, text)
    _, operator = tables.operator(random.Random(1))
    assert operator[0][2] and operator[0][3] == ""  # the header spanning two columns


def test_score_takes_the_best_alignment_and_counts_known_cells():
    truth = [["Item", "Qty"], ["Tea", "2"], ["Total", ""]]
    assert tables.score([["Item", "Qty"], ["Tea", "2"], ["Total", ""]], truth) == (5, 5)
    shifted = [["Order 4711", ""], ["Item", "Qty"], ["Tea", "2"], ["Total", ""]]
    assert tables.score(shifted, truth) == (5, 5)
    assert tables.score([["Item", "Qty"], ["Tee", "2"]], truth) == (3, 5)
    assert tables.score(None, truth) == (0, 5)
