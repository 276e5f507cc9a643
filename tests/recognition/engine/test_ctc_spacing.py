"""CTC greedy decoding and space recovery, on hand-made inputs."""
from __future__ import annotations

import numpy as np

from recognition.engine.crops import InkProfile
from recognition.engine.ctc import CharHit, ctc_greedy, text_of
from recognition.engine.spacing import assemble
from recognition.engine.textclass import is_cjk

CHARSET = ["<blank>", "a", "b", "c", "中", "文", ".", "1", "2", " "]


def probs_for(labels: list[int], conf: float = 0.9) -> np.ndarray:
    p = np.full((len(labels), len(CHARSET)), (1 - conf) / (len(CHARSET) - 1), np.float32)
    for t, k in enumerate(labels):
        p[t, k] = conf
    return p


def test_greedy_collapses_repeats_and_blanks():
    hits = ctc_greedy(probs_for([0, 1, 1, 0, 1, 2, 2, 2, 0, 0]), CHARSET)
    assert text_of(hits) == "aab"
    assert [(h.start, h.end) for h in hits] == [(1, 2), (4, 4), (5, 7)]


def test_greedy_confidence_is_max_over_run():
    p = probs_for([1, 1, 0])
    p[0, 1], p[1, 1] = 0.6, 0.95
    (hit,) = ctc_greedy(p, CHARSET)
    assert abs(hit.conf - 0.95) < 1e-6


def test_greedy_ignores_padding_frames():
    hits = ctc_greedy(probs_for([1, 0, 2, 3]), CHARSET, n_frames=2)
    assert text_of(hits) == "a"


def test_greedy_empty():
    assert ctc_greedy(np.zeros((0, len(CHARSET)), np.float32), CHARSET) == []


def hits_at(chars: str, frames: list[int]) -> list[CharHit]:
    return [CharHit(c, 0.9, f, f) for c, f in zip(chars, frames)]


def profile_with_gaps(width: int, gaps: list[tuple[int, int]], text_height: float = 30.0) -> InkProfile:
    cols = np.full(width, 5, np.int32)
    for a, b in gaps:
        cols[a:b] = 0
    return InkProfile(cols, text_height)


def test_space_inserted_at_wide_ink_gap():
    # "abcab": letters 2 frames apart (16 px), a word gap between frames 4 and 8.
    frames = [0, 2, 4, 8, 10]
    gaps = [(12, 14), (28, 31), (36, 60), (68, 70)]  # narrow letter gaps, one 24-px gap
    out = assemble(hits_at("abcab", frames), profile_with_gaps(96, gaps))
    assert text_of(out) == "abc ab"
    space = out[3]
    assert space.char == " " and space.conf == -1.0  # inferred, not read


def test_no_space_for_letter_gaps():
    frames = [0, 2, 4, 6, 8]
    gaps = [(12, 14), (28, 30), (44, 47), (60, 62)]
    assert text_of(assemble(hits_at("abcab", frames), profile_with_gaps(96, gaps))) == "abcab"


def test_never_space_between_cjk():
    frames = [0, 4, 8]
    gaps = [(10, 30), (42, 62)]  # huge gaps
    out = assemble(hits_at("中文中", frames), profile_with_gaps(80, gaps))
    assert text_of(out) == "中文中"


def test_model_space_between_cjk_dropped_and_between_words_kept():
    hits = [CharHit("中", 0.9, 0, 0), CharHit(" ", 0.8, 2, 2), CharHit("文", 0.9, 4, 4)]
    assert text_of(assemble(hits, None)) == "中文"
    hits = [CharHit("a", 0.9, 0, 0), CharHit(" ", 0.8, 2, 2), CharHit("b", 0.9, 4, 4)]
    out = assemble(hits, None)
    assert text_of(out) == "a b" and out[1].conf == 0.8


def test_no_space_inside_numbers():
    # "1.2" with generous side bearings around the dot.
    frames = [0, 3, 6]
    gaps = [(8, 20), (32, 44)]
    assert text_of(assemble(hits_at("1.2", frames), profile_with_gaps(60, gaps))) == "1.2"


def test_is_cjk():
    assert is_cjk("中") and is_cjk("，") and is_cjk("か")
    assert all(is_cjk(c) for c in "カタカナーｶﾀｶﾅㇰ「」。")  # Japanese: full- and half-width kana
    assert not is_cjk("a") and not is_cjk("1") and not is_cjk(",")


def test_no_space_around_a_dot_inside_a_file_name():
    # Monospaced "abcd.js": the dot's cell leaves gaps on both sides more
    # than twice as wide as the letter gaps, which alone look like word gaps.
    frames = [0, 3, 6, 9, 12, 15, 18]
    gaps = [(14, 19), (38, 43), (62, 67), (84, 96), (106, 118), (134, 139)]
    assert text_of(assemble(hits_at("abcd.js", frames), profile_with_gaps(160, gaps))) == "abcd.js"


def test_space_after_a_colon_never_before_it():
    frames = [0, 3, 6, 9, 14, 17]
    gaps = [(14, 18), (38, 42), (62, 70), (78, 110), (126, 130)]
    assert text_of(assemble(hits_at("abc:de", frames), profile_with_gaps(150, gaps))) == "abc: de"


def test_tab_across_a_column_gap_inside_one_box():
    """Cells the detector merged into one box: a date and a time two text
    heights apart, and two Chinese header cells; narrow gaps stay as they were."""
    frames = [0, 2, 12, 14]
    gaps = [(4, 12), (20, 92), (100, 108)]  # 72 px = 2.4 text heights between the pairs
    out = assemble(hits_at("0100", frames), profile_with_gaps(120, gaps))
    assert text_of(out) == "01\t00" and out[2].conf == -1.0
    assert text_of(assemble(hits_at("时间类型", frames), profile_with_gaps(120, gaps))) == "时间\t类型"
