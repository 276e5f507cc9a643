"""Putting spaces back between words.

The recognizer has a space class but, at screenshot sizes, it often drops
spaces between English words ("Version2.1.0releasedon"). Two more pieces of
evidence are available for every pair of neighbouring characters:

* the image: the widest run of ink-free columns between the two characters'
  CTC positions, relative to the height of the text;
* the line itself: word gaps are clearly wider than the typical gap between
  letters of the same line (this keeps monospaced code, whose letters have
  wide side bearings, from being split into letters).

Spaces are never placed between two CJK characters, and a space the model
emits between two CJK characters is dropped.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .crops import InkProfile
from .ctc import CharHit
from .textclass import CLOSERS, OPENERS, is_cjk


@dataclass(frozen=True)
class SpacingParams:
    # A gap at least this fraction of the text height is a word gap ...
    min_gap: float = 0.30
    # ... and must also stand out from the line's typical letter gap.
    rel_gap: float = 2.0
    # A space predicted by the model is kept if the image shows a gap of at
    # least this fraction of the text height.
    model_gap: float = 0.12
    # Extra gap needed before closing / after opening punctuation.
    punct_gap: float = 0.45
    # A word space adds a whole blank advance: the distance between the two
    # characters' CTC centres must exceed the line's median by this factor.
    # This is what keeps monospaced text (wide side bearings) together.
    rel_pitch: float = 1.4
    # Punctuation and symbols are narrow with wide, font-dependent side
    # bearings; their CTC positions jitter more. Ask for a larger pitch jump.
    punct_pitch: float = 1.8


DEFAULT = SpacingParams()


def longest_blank_run(blank: np.ndarray, x0: float, x1: float) -> int:
    a, b = int(np.ceil(x0)), int(np.floor(x1))
    a, b = max(a, 0), min(b, len(blank))
    best = run = 0
    for v in blank[a:b].tolist():
        run = run + 1 if v else 0
        best = max(best, run)
    return best


def _inside_number(chars: list[CharHit], i: int) -> bool:
    """True for the gap around the separator in 2.1.0, 10:30, 1,234."""
    a, b = chars[i].char, chars[i + 1].char
    if a in ".,:" and b.isdigit():
        return i > 0 and chars[i - 1].char.isdigit()
    if a.isdigit() and b in ".,:":
        return i + 2 < len(chars) and chars[i + 2].char.isdigit()
    return False


def assemble(hits: list[CharHit], profile: InkProfile | None,
             params: SpacingParams = DEFAULT, use_image: bool = True) -> list[CharHit]:
    """Return the hits with spaces decided: model spaces kept or dropped,
    new spaces (confidence = -1, i.e. inferred) inserted."""
    chars = [h for h in hits if h.char != " "]
    if not chars:
        return []
    model_space_after = set()
    j = 0
    for h in hits:  # which gaps (after chars[j-1]) did the model fill with a space
        if h.char == " ":
            if j > 0:
                model_space_after.add(j - 1)
        else:
            j += 1
    blank = profile.blank() if (profile is not None and use_image) else None
    th = profile.text_height if profile is not None else 0.0
    gaps = []
    if blank is not None and th >= 4:
        gaps = [longest_blank_run(blank, a.center_px, b.center_px) / th for a, b in zip(chars, chars[1:])]
    # Typical letter gap of the line: a low quantile, so that a line with many
    # short words still has a small reference.
    ref = float(np.percentile(gaps, 35)) if len(gaps) >= 3 else 0.0
    dists = [b.center_px - a.center_px for a, b in zip(chars, chars[1:])]
    latin_d = [d for d, a, b in zip(dists, chars, chars[1:]) if not (is_cjk(a.char) or is_cjk(b.char))]
    pitch = float(np.median(latin_d)) if len(latin_d) >= 3 else 0.0

    out: list[CharHit] = [chars[0]]
    for i, (a, b) in enumerate(zip(chars, chars[1:])):
        if is_cjk(a.char) and is_cjk(b.char):
            out.append(b)
            continue
        space = False
        model_space = i in model_space_after
        if gaps:
            g = gaps[i]
            need = params.min_gap
            if b.char in CLOSERS or a.char in OPENERS:
                need = max(need, params.punct_gap)
            if is_cjk(a.char) or is_cjk(b.char):
                # Chinese mixed with Latin: the usual font spacing around
                # Latin runs is not a space; only a clear gap is.
                need = max(need, params.punct_gap)
            if model_space:
                space = g >= params.model_gap
            elif _inside_number(chars, i):
                space = False
            else:
                k = params.rel_pitch if (a.char.isalnum() and b.char.isalnum()) else params.punct_pitch
                space = g >= need and g >= params.rel_gap * ref and dists[i] >= k * pitch
        else:
            space = model_space
        if space:
            conf = next((h.conf for h in hits if h.char == " " and a.end <= h.start <= b.start), -1.0)
            out.append(CharHit(" ", conf, a.end, b.start))
        out.append(b)
    return out
