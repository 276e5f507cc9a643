"""CTC greedy decoding with per-character confidence and frame positions."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# One output frame of the recognizer covers this many input columns
# (input width / 8 frames), at the recognizer's input height of 48.
FRAME_STRIDE = 8


@dataclass
class CharHit:
    """One decoded character: its run of frames [start, end] (inclusive)."""

    char: str
    conf: float
    start: int
    end: int

    @property
    def center_px(self) -> float:
        """Centre of the run in input pixels (at recognizer height)."""
        return (self.start + self.end + 1) * 0.5 * FRAME_STRIDE

    def shifted(self, frames: int) -> "CharHit":
        return CharHit(self.char, self.conf, self.start + frames, self.end + frames)


def ctc_greedy(probs: np.ndarray, charset: list[str], n_frames: int | None = None,
               blank: int = 0) -> list[CharHit]:
    """Best-path decode of a [T, C] probability matrix.

    Repeated labels collapse into one character unless a blank separates
    them. A character's confidence is the highest probability along its run:
    the mean would punish characters that the model smears over several
    frames, which is normal for wide glyphs. ``n_frames`` ignores trailing
    frames that only saw batch padding.
    """
    if n_frames is not None:
        probs = probs[:n_frames]
    if probs.shape[0] == 0:
        return []
    labels = probs.argmax(axis=1)
    best = probs[np.arange(len(labels)), labels]
    hits: list[CharHit] = []
    prev = blank
    for t, (lab, p) in enumerate(zip(labels.tolist(), best.tolist())):
        if lab != blank:
            if lab == prev and hits:
                last = hits[-1]
                last.end = t
                last.conf = max(last.conf, p)
            else:
                hits.append(CharHit(charset[lab], float(p), t, t))
        prev = lab
    return hits


def text_of(hits: list[CharHit]) -> str:
    return "".join(h.char for h in hits)
