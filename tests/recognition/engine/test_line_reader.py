"""The line reader's second opinion: doubtful lines are re-read by the
fallback recognizer, and the more confident reading is kept."""
from __future__ import annotations

import numpy as np

from recognition.engine.config import RecognizerConfig, SpacingConfig
from recognition.engine.stages import LineReader


def fixed_reader(charset: list[str], text: str, confidence: float, calls: list[int]):
    """A model call that reads ``text`` (spread over the frames) with ``confidence`` for every crop."""
    def run(x: np.ndarray) -> np.ndarray:
        calls.append(x.shape[0])
        frames = x.shape[3] // 8
        probs = np.zeros((x.shape[0], frames, len(charset)), np.float32)
        probs[:, :, 0] = 1.0  # blank
        for k, ch in enumerate(text):
            t = 1 + 2 * k
            probs[:, t, :] = (1 - confidence) / (len(charset) - 1)  # the rest spread thin: ch stays the best
            probs[:, t, charset.index(ch)] = confidence
        return probs
    return run


def crops(n: int) -> list[np.ndarray]:
    return [np.full((48, 160, 3), 255, np.uint8) for _ in range(n)]


def reader(primary_conf: float, fallback_conf: float, fallback: str = "ppocrv4", below: float = 0.85):
    charset = ["blank", "a", "b", "*", "本", " "]
    first, second = [], []
    config = RecognizerConfig(fallback=fallback, fallback_below=below)
    line_reader = LineReader(fixed_reader(charset, "本本", primary_conf, first), charset, config,
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
