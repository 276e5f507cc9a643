"""A team's training data: its corrected lines, cut from the stored images,
and rendered lines of its vocabulary.

A result a person corrected gives two kinds of lines: those whose text the
person changed (``correction``) and those left as read, which the person
saw and let stand (``reviewed``); both train, so the model learns the
team's words without drifting on what it already read right. A line is
used only when the corrected text still has the engine's line structure
(same number of lines), since the crop comes from the engine's line box.
Documents (PDF pages) are not used yet: their lines would need the page
rendered again.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from recognition import storage
from recognition.engine.training import (LineSample, is_held_out, line_crop, normalise_text, replay_samples,
                                         term_samples)
from recognition.models import Result
from recognition.teaching.selectors import corrected_results
from recognition.vocabulary import selectors as vocabulary_selectors

log = logging.getLogger(__name__)
HELD_OUT_SHARE = 0.2
# Rendered vocabulary lines per term, and at most this many in all.
LINES_PER_TERM = 4
MAX_TERM_LINES = 400
# Everyday lines trained beside the team's (engine.training.replay_samples),
# as many as the team's own, at least this many.
MIN_REPLAY_LINES = 100


@dataclass
class TeamData:
    train: list[LineSample] = field(default_factory=list)
    validation: list[LineSample] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, name: str, by: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + by


def _decode(data: bytes) -> np.ndarray | None:
    """BGR pixels of a stored image (any format uploads accept, EXIF turns applied)."""
    from recognition.engine import ImageError
    from recognition.engine.engine import to_bgr

    try:
        return to_bgr(data)
    except (ImageError, ValueError):
        return None


def _result_lines(result: Result, data: TeamData) -> None:
    texts = result.text.split("\n")
    engine_texts = result.engine_text.split("\n")
    boxes = [line.get("box") for line in result.lines or []]
    if len(texts) != len(boxes) or len(engine_texts) != len(boxes) or not all(boxes):
        data.count("results_restructured")
        return
    try:
        image = _decode(storage.read(result.upload.file_path))
    except (FileNotFoundError, storage.StorageUnavailable):
        image = None
    if image is None:
        data.count("images_unreadable")
        return
    for index, (text, read, box) in enumerate(zip(texts, engine_texts, boxes)):
        text = normalise_text(text)
        if not text:
            continue
        source = "correction" if text != normalise_text(read) else "reviewed"
        sample = LineSample(line_crop(image, box), text, source)
        held_out = is_held_out(f"{result.upload.md5}:{index}", HELD_OUT_SHARE)
        (data.validation if held_out else data.train).append(sample)
        data.count(f"{source}_lines")


def collect(team_id: int, seed: int = 0) -> TeamData:
    """The team's lines, split into training and the fixed held-out slice,
    plus rendered lines of its vocabulary (training only: they are not the
    team's real pages)."""
    data = TeamData()
    for result in corrected_results(team_id).iterator(chunk_size=50):
        _result_lines(result, data)
    terms = vocabulary_selectors.term_texts(team_id)
    rendered = term_samples(terms, min(MAX_TERM_LINES, LINES_PER_TERM * len(terms)), seed=seed)
    data.train.extend(rendered)
    data.count("vocabulary_lines", len(rendered))
    if data.train:
        replay = replay_samples(max(MIN_REPLAY_LINES, len(data.train)), seed=seed + 1)
        data.train.extend(replay)
        data.count("replay_lines", len(replay))
    return data
