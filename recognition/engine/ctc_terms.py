"""CTC decoding that favours a vocabulary's terms, only where the network
itself gives them a chance.

Greedy decoding (``ctc.ctc_greedy``) picks the best label of every frame.
Here a prefix beam search runs over a small candidate set per frame: the
frame's best label plus the blank and the labels of the vocabulary's trie
whose probability is at least ``min_prob``. A path that follows a term
gains ``char_bonus`` per character while it is inside the term; when the
term is left unfinished the bonus is taken back, and a finished term keeps
at most ``max_bonus``. So a term wins only where its characters have real
probability mass and the whole term is within a bounded factor of the
network's own reading; a character read with more than ``1 - min_prob`` is
never replaced, since no alternative reaches ``min_prob`` there.

Cost: the beam search only runs on lines where some frame offers a term
character other than the frame's own best reading; on all other lines (most
lines of a clean screenshot) the greedy result is returned as it is.
"""
from __future__ import annotations

import math

import numpy as np

from .config import VocabularyConfig
from .ctc import CharHit, ctc_greedy
from .vocabulary import Trie

NEG = -1e30


def _logadd(a: float, b: float) -> float:
    if a < b:
        a, b = b, a
    if b <= NEG:
        return a
    return a + math.log1p(math.exp(b - a))


class _State:
    """Where a prefix stands in the trie and the bonus it has earned."""

    __slots__ = ("node", "depth", "kept", "done")

    def __init__(self, node: int = 0, depth: int = 0, kept: float = 0.0, done: float = 0.0) -> None:
        self.node = node  # trie node of the current match (0: none)
        self.depth = depth  # characters matched so far
        self.kept = kept  # bonus of finished terms before the current match
        self.done = done  # bonus of the longest finished term inside the current match

    def bonus(self, char_bonus: float) -> float:
        """Bonus while searching: the current match counts in full, so an
        unfinished term survives pruning until it is finished or left."""
        return self.kept + max(self.done, self.depth * char_bonus)

    def final(self) -> float:
        return self.kept + self.done

    def step(self, trie: Trie, label: int, cfg: VocabularyConfig) -> "_State":
        nxt = trie.children[self.node].get(label) if self.depth else None
        if nxt is not None:
            depth = self.depth + 1
            done = min(depth * cfg.char_bonus, cfg.max_bonus) if trie.depth_end[nxt] else self.done
            return _State(nxt, depth, self.kept, done)
        kept = self.kept + self.done  # the match ends: keep what was finished
        start = trie.children[0].get(label)
        if start is None:
            return _State(0, 0, kept, 0.0)
        done = min(cfg.char_bonus, cfg.max_bonus) if trie.depth_end[start] else 0.0
        return _State(start, 1, kept, done)


def _candidates(probs: np.ndarray, trie: Trie, best: np.ndarray, min_prob: float) -> list[list[int]]:
    """Per frame: its best label, then the blank and trie labels with at least ``min_prob``."""
    labels = np.concatenate(([0], trie.labels))
    rows, cols = np.nonzero(probs[:, labels] >= min_prob)
    out = [[int(b)] for b in best.tolist()]
    for t, c in zip(rows.tolist(), cols.tolist()):
        label = int(labels[c])
        if label != out[t][0]:
            out[t].append(label)
    return out


def _worth_searching(cands: list[list[int]], best: np.ndarray) -> bool:
    """True when some frame offers a term character that is not the best
    reading of that frame or its neighbours (else only the alignment of the
    greedy reading could change, never its text)."""
    n = len(cands)
    for t, labels in enumerate(cands):
        if len(labels) < 2:
            continue
        near = {int(best[t]), int(best[max(t - 1, 0)]), int(best[min(t + 1, n - 1)])}
        if any(label and label not in near for label in labels[1:]):
            return True
    return False


def _beam_search(probs: np.ndarray, cands: list[list[int]], trie: Trie,
                 cfg: VocabularyConfig) -> tuple[tuple[int, ...], float]:
    """Best label sequence and its final bonus (prefix beam search)."""
    # prefix -> [log p ending in blank, log p ending in a label]
    beams: dict[tuple[int, ...], list[float]] = {(): [0.0, NEG]}
    states: dict[tuple[int, ...], _State] = {(): _State()}
    for t, labels in enumerate(cands):
        row = probs[t]
        logs = [math.log(max(float(row[label]), 1e-30)) for label in labels]
        best, before = labels[0], cands[t - 1][0] if t else -1
        nxt: dict[tuple[int, ...], list[float]] = {}
        for prefix, (pb, pnb) in beams.items():
            total = _logadd(pb, pnb)
            last = prefix[-1] if prefix else -1
            for label, lp in zip(labels, logs):
                if label == 0:
                    entry = nxt.setdefault(prefix, [NEG, NEG])
                    entry[0] = _logadd(entry[0], total + lp)
                    continue
                if label == last:
                    # Same label again: the run goes on (unless a blank came between).
                    entry = nxt.setdefault(prefix, [NEG, NEG])
                    entry[1] = _logadd(entry[1], pnb + lp)
                    extend_from = pb
                elif label == best and last == before:
                    extend_from = total
                else:
                    # One glyph is never split into two characters: a new
                    # label follows another without a blank only where both
                    # are the best readings of their frames.
                    extend_from = pb if prefix else total
                if extend_from <= NEG:
                    continue
                longer = prefix + (label,)
                if longer not in states:
                    state = states[prefix]
                    states[longer] = state if label == trie.space else state.step(trie, label, cfg)
                entry = nxt.setdefault(longer, [NEG, NEG])
                entry[1] = _logadd(entry[1], extend_from + lp)
        ranked = sorted(nxt.items(), key=lambda kv: _logadd(*kv[1]) + states[kv[0]].bonus(cfg.char_bonus),
                        reverse=True)
        beams = dict(ranked[: cfg.beam])
    prefix, (pb, pnb) = max(beams.items(), key=lambda kv: _logadd(*kv[1]) + states[kv[0]].final())
    return prefix, states[prefix].final()


def align(probs: np.ndarray, labels: tuple[int, ...], charset: list[str]) -> list[CharHit]:
    """The most probable CTC alignment (Viterbi) of ``labels``: each
    character's run of frames and its highest probability along the run."""
    if not labels:
        return []
    ext = np.zeros(2 * len(labels) + 1, np.int64)
    ext[1::2] = labels
    n_states, n_frames = len(ext), probs.shape[0]
    lp = np.log(np.maximum(probs[:, ext], 1e-30))
    # A state may skip the blank before it unless it repeats the label two back.
    skip = np.zeros(n_states, bool)
    skip[3::2] = ext[3::2] != ext[1:-2:2]
    score = np.full(n_states, NEG)
    score[:2] = lp[0, :2]
    back = np.zeros((n_frames, n_states), np.int8)
    for t in range(1, n_frames):
        one = np.concatenate(([NEG], score[:-1]))
        two = np.where(skip, np.concatenate(([NEG, NEG], score[:-2])), NEG)
        stacked = np.stack((score, one, two))
        move = stacked.argmax(axis=0)
        score = stacked[move, np.arange(n_states)] + lp[t]
        back[t] = move
    state = n_states - 1 if n_states < 2 or score[-1] >= score[-2] else n_states - 2
    path = np.zeros(n_frames, np.int64)
    for t in range(n_frames - 1, -1, -1):
        path[t] = state
        state -= int(back[t, state])
    hits: list[CharHit] = []
    prev = -1
    for t, s in enumerate(path.tolist()):
        if s % 2:
            p = float(probs[t, ext[s]])
            if s == prev:
                hits[-1].end = t
                hits[-1].conf = max(hits[-1].conf, p)
            else:
                hits.append(CharHit(charset[ext[s]], p, t, t))
        prev = s
    return hits


def term_spans(labels: tuple[int, ...], trie: Trie) -> list[tuple[int, int]]:
    """Index ranges [first, last] of the finished terms in ``labels``, as
    the beam search's state machine found them (the longest finished term of
    each match; spaces are transparent)."""
    spans: list[tuple[int, int]] = []
    node = depth = 0
    first = last = -1
    for i, label in enumerate(labels):
        if label == trie.space:
            continue
        nxt = trie.children[node].get(label) if depth else None
        if nxt is None:
            if last >= 0:
                spans.append((first, last))
            first, last = i, -1
            nxt = trie.children[0].get(label)
            node, depth = (nxt, 1) if nxt is not None else (0, 0)
        else:
            node, depth = nxt, depth + 1
        if depth and trie.depth_end[node]:
            last = i
    if last >= 0:
        spans.append((first, last))
    return spans


def ctc_with_terms(probs: np.ndarray, charset: list[str], trie: Trie | None,
                   cfg: VocabularyConfig) -> list[CharHit]:
    """Decode a [T, C] probability matrix, favouring the trie's terms where
    the evidence allows (see the module docstring); greedy without a trie.

    Only the frames of the terms found change: the rest of the line keeps
    its greedy reading, so the search can never alter text next to a term.
    """
    greedy = ctc_greedy(probs, charset)
    if trie is None or not trie.terms or probs.shape[0] == 0:
        return greedy
    best = probs.argmax(axis=1)
    cands = _candidates(probs, trie, best, cfg.min_prob)
    if not _worth_searching(cands, best):
        return greedy
    labels, bonus = _beam_search(probs, cands, trie, cfg)
    if bonus <= 0.0:
        return greedy  # no finished term: the greedy reading stands
    spans = term_spans(labels, trie)
    hits = align(probs, labels, charset)
    out = list(greedy)
    for first, last in spans:
        lo, hi = hits[first].start, hits[last].end
        # Greedy characters sharing frames with the term are the ones it
        # replaces (the search may have kept one beside its substitute).
        out = [h for h in out if h.end < lo or h.start > hi]
        out.extend(hits[first:last + 1])
    out.sort(key=lambda h: h.start)
    if [h.char for h in out] == [h.char for h in greedy]:
        return greedy
    return out
