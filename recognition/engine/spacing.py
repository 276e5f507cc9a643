"""Putting spaces back between words.

The recognizer has a space class but, at screenshot sizes, it often drops
spaces between English words ("Version2.1.0releasedon"). The image has
better evidence: for every pair of neighbouring characters, the widest run
of ink-free columns between their CTC positions, measured in text heights.
Within one line those gaps fall into two groups, letter gaps and word gaps;
the threshold between them is found per line (a two-class split that
maximises the between-class variance, as Otsu does for grey levels), so it
adapts to the font: monospaced code has wide letter gaps, condensed fonts
narrow word gaps. Fixed floors keep a line without any word gap from being
split at its widest letter gap.

Spaces are never placed between two CJK characters, and a space the model
emits between two CJK characters is dropped.
"""
from __future__ import annotations

import numpy as np

from .config import SpacingParams
from .crops import InkProfile
from .ctc import CharHit
from .textclass import JOINERS, NO_SPACE_AFTER, NO_SPACE_BEFORE, is_cjk


DEFAULT = SpacingParams()


def longest_blank_run(blank: np.ndarray, x0: float, x1: float) -> int:
    a, b = max(int(np.ceil(x0)), 0), min(int(np.floor(x1)), len(blank))
    best = run = 0
    for v in blank[a:b].tolist():
        run = run + 1 if v else 0
        best = max(best, run)
    return best


def split_threshold(gaps: np.ndarray, separation: float, floor: float = 0.0, jump: float = 1.0) -> float:
    """Threshold between letter gaps and word gaps of one line; inf when the
    gaps do not form two clearly separated groups.

    Candidate boundaries need the word-gap group to be ``separation`` times
    wider on average, its narrowest gap to be at least ``floor`` and ``jump``
    times the widest letter gap (a clear step, not a smooth spread).
    """
    vals = np.sort(gaps)
    best, thr = -1.0, np.inf
    for k in range(1, len(vals)):
        lo, hi = vals[:k], vals[k:]
        if hi[0] < floor or hi[0] < jump * lo[-1] or hi.mean() < separation * max(lo.mean(), 0.03):
            continue
        score = k * (len(vals) - k) * (hi.mean() - lo.mean()) ** 2
        if score > best:
            best, thr = score, (lo[-1] + hi[0]) / 2
    return float(thr)


def _inside_number(chars: list[CharHit], i: int) -> bool:
    """True for the gap around the separator in 2.1.0, 10:30, 1,234."""
    a, b = chars[i].char, chars[i + 1].char
    if a in ".,:" and b.isdigit():
        return i > 0 and chars[i - 1].char.isdigit()
    if a.isdigit() and b in ".,:":
        return i + 2 < len(chars) and chars[i + 2].char.isdigit()
    return False


def _typography(chars: list[CharHit], i: int) -> str:
    """What typography says about a space between chars i and i+1:
    ``"never"``, ``"word"`` (only at a gap as wide as the line's word gaps)
    or ``""`` (no rule; the gap decides)."""
    a, b = chars[i].char, chars[i + 1].char
    before = chars[i - 1].char if i > 0 else ""
    after = chars[i + 2].char if i + 2 < len(chars) else ""
    if b in NO_SPACE_BEFORE or a in NO_SPACE_AFTER:
        return "never"
    if (a == "_" and before.isalnum() and b.isalnum()) or (b == "_" and a.isalnum() and after.isalnum()):
        return "never"  # DATABASE_URL
    if a in JOINERS and before.isalnum() and (b.islower() or b.isdigit() or b in JOINERS):
        return "never"  # export.py, w.Header, app/export, user@host
    if a == ":" and b == "/":
        return "never"  # https://
    if "-" in (a, b) and (a.isalnum() or b.isalnum()):
        return "word"  # 7-Eleven, Go-to-Market, but "2 - 3" at a word gap
    return ""


def assemble(hits: list[CharHit], profile: InkProfile | None,
             params: SpacingParams = DEFAULT) -> list[CharHit]:
    """The hits with spaces decided: model spaces kept or dropped, new
    spaces inserted (confidence -1: inferred, not read); a tab across a
    column gap."""
    chars = [h for h in hits if h.char != " "]
    if not chars:
        return []
    model_space_after = set()
    j = 0
    for h in hits:
        if h.char == " ":
            if j > 0:
                model_space_after.add(j - 1)
        else:
            j += 1
    pairs = list(zip(chars, chars[1:]))
    use_image = profile is not None and profile.text_height >= params.min_text_height
    gaps = np.zeros(len(pairs))
    thr = np.inf
    if use_image and pairs:
        blank = profile.blank()
        gaps = np.array([longest_blank_run(blank, a.center_px, b.center_px) for a, b in pairs],
                        np.float64) / profile.text_height
        # Gaps that typography rules out as spaces (around a dot in
        # "export.py") would pose as a second, word-gap group.
        latin = np.array([not (is_cjk(a.char) or is_cjk(b.char)) and _typography(chars, i) != "never"
                          for i, (a, b) in enumerate(pairs)])
        if latin.sum() >= 2:
            thr = split_threshold(gaps[latin], params.separation, params.min_gap, params.jump)
        if latin.sum() < params.min_pairs:
            thr = max(thr, params.short_gap) if np.isfinite(thr) else params.short_gap
    dists = np.array([b.center_px - a.center_px for a, b in pairs])
    pitch = float(np.median(dists)) if len(dists) else 0.0

    out: list[CharHit] = [chars[0]]
    for i, (a, b) in enumerate(pairs):
        cjk_a, cjk_b = is_cjk(a.char), is_cjk(b.char)
        if use_image and gaps[i] >= params.column_gap:
            out.append(CharHit("\t", -1.0, a.end, b.start))
            out.append(b)
            continue
        if cjk_a and cjk_b:
            space = False
        elif not use_image:
            space = i in model_space_after
        elif i in model_space_after:
            space = gaps[i] >= params.model_gap
        elif _inside_number(chars, i) or dists[i] < params.min_pitch * pitch:
            space = False
        elif (rule := _typography(chars, i)) == "never":
            space = False
        elif rule == "word":
            space = bool(gaps[i] >= thr)
        else:
            if cjk_a or cjk_b:
                need = params.cjk_gap
            elif a.char.isdigit() and b.char.isdigit():
                need = max(params.digit_gap, thr)
            elif a.char.isalnum() and b.char.isalnum():
                need = max(params.min_gap, thr)
            else:
                need = max(params.punct_gap, thr)
            space = bool(gaps[i] >= need)
        if space:
            conf = next((h.conf for h in hits if h.char == " " and a.end <= h.start <= b.start), -1.0)
            out.append(CharHit(" ", conf, a.end, b.start))
        out.append(b)
    return out
