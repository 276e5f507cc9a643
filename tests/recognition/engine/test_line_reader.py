"""The line reader's second opinion: doubtful lines are re-read by the
fallback recognizer, and the more confident reading is kept; on pages
where most lines are doubtful, none are."""
from __future__ import annotations

import numpy as np

from recognition.engine.config import RecognizerConfig, SpacingConfig
from recognition.engine.stages import LineReader


def fixed_reader(charset: list[str], text: str, confidence: float, calls: list[int], on_white: float | None = None):
    """A model call that reads ``text`` (spread over the frames) with
    ``confidence`` for every crop, or ``on_white`` for white crops when given."""
    def run(x: np.ndarray) -> np.ndarray:
        calls.append(x.shape[0])
        frames = x.shape[3] // 8
        probs = np.zeros((x.shape[0], frames, len(charset)), np.float32)
        probs[:, :, 0] = 1.0  # blank
        for n in range(x.shape[0]):
            conf = on_white if on_white is not None and x[n].mean() > 0 else confidence
            for k, ch in enumerate(text):
                t = 1 + 2 * k
                probs[n, t, :] = (1 - conf) / (len(charset) - 1)  # the rest spread thin: ch stays the best
                probs[n, t, charset.index(ch)] = conf
        return probs
    return run


def crops(n: int, grey: int = 0) -> list[np.ndarray]:
    """``n`` white crops and ``grey`` grey ones (read with the primary's
    ``confidence`` when ``on_white`` is given)."""
    return [np.full((48, 160, 3), 255, np.uint8) for _ in range(n)] + \
        [np.full((48, 160, 3), 60, np.uint8) for _ in range(grey)]


def reader(primary_conf: float, fallback_conf: float, fallback: str = "ppocrv4", below: float = 0.85,
           max_share: float = 1.0, primary_on_white: float | None = None):
    charset = ["blank", "a", "b", "*", "本", " "]
    first, second = [], []
    config = RecognizerConfig(fallback=fallback, fallback_below=below, fallback_max_share=max_share)
    line_reader = LineReader(fixed_reader(charset, "本本", primary_conf, first, primary_on_white), charset, config,
                             SpacingConfig(insert_spaces=False),
                             fallback=(fixed_reader(charset, "**", fallback_conf, second), charset))
    return line_reader, first, second


def test_doubtful_lines_take_the_more_confident_reading():
    line_reader, first, second = reader(primary_conf=0.4, fallback_conf=0.9)
    out = line_reader(crops(2))
    assert [text for text, _ in out] == ["**", "**"]
    assert sum(first) == 2 and sum(second) == 2


def test_the_first_reading_stays_when_the_fallback_is_less_sure():
    line_reader, _, second = reader(primary_conf=0.5, fallback_conf=0.3)
    assert [text for text, _ in line_reader(crops(1))] == ["本本"]
    assert second == [1]


def test_confident_lines_are_never_re_read():
    line_reader, _, second = reader(primary_conf=0.95, fallback_conf=0.99)
    assert [text for text, _ in line_reader(crops(3))] == ["本本"] * 3
    assert second == []


def test_no_fallback_configured_means_one_reading():
    line_reader, _, second = reader(primary_conf=0.4, fallback_conf=0.99, fallback="")
    assert [text for text, _ in line_reader(crops(1))] == ["本本"]
    assert second == []


def test_a_page_of_mostly_doubtful_lines_is_read_once():
    # 3 of 4 lines doubtful: over a third, so no second reading at all.
    line_reader, _, second = reader(primary_conf=0.4, fallback_conf=0.99, max_share=0.35, primary_on_white=0.95)
    assert [text for text, _ in line_reader(crops(1, grey=3))] == ["本本"] * 4
    assert second == []


def test_a_few_doubtful_lines_on_a_page_are_read_again():
    # 1 of 4 lines doubtful: within the share, that line alone is re-read.
    line_reader, _, second = reader(primary_conf=0.4, fallback_conf=0.99, max_share=0.35, primary_on_white=0.95)
    assert [text for text, _ in line_reader(crops(3, grey=1))] == ["本本"] * 3 + ["**"]
    assert second == [1]
