"""A team's vocabulary: terms the decoder may favour where the network's
own evidence supports them (see ``ctc_terms``).

A ``Vocabulary`` is built once per version of a team's list and shared by
every engine of the process: the engines stay team-neutral and get the
vocabulary per call (``OcrEngine.recognize(image, vocabulary=...)``). The
trie of label ids depends on the recognizer's character set, so it is
built on first use for each character set and kept inside the vocabulary.
"""
from __future__ import annotations

import hashlib
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np


def normalise_term(term: str) -> str:
    """The form a term is matched in: NFKC (full-width letters and digits
    as the recognizer's charset has them), inner whitespace removed: the
    recognizer's own spaces are unreliable and the spacing stage puts them
    back from the image's gaps."""
    return "".join(unicodedata.normalize("NFKC", term).split())


@dataclass
class Trie:
    """Terms as paths of label ids. Node 0 is the root; ``children[n]``
    maps a label to the next node, ``depth_end[n]`` is the term length when
    a term ends at ``n`` (else 0)."""

    children: list[dict[int, int]] = field(default_factory=lambda: [{}])
    depth_end: list[int] = field(default_factory=lambda: [0])
    labels: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    terms: int = 0
    space: int = -1  # label of the space (transparent inside a term), -1: none
    unreadable: list[str] = field(default_factory=list)  # terms with characters outside the charset

    def add(self, labels: list[int]) -> None:
        node = 0
        for label in labels:
            nxt = self.children[node].get(label)
            if nxt is None:
                nxt = len(self.children)
                self.children[node][label] = nxt
                self.children.append({})
                self.depth_end.append(0)
            node = nxt
        if not self.depth_end[node]:
            self.terms += 1
        self.depth_end[node] = len(labels)


def build_trie(terms: Iterable[str], charset: list[str]) -> Trie:
    index = {ch: i for i, ch in enumerate(charset) if i > 0}  # 0 is the CTC blank
    trie = Trie(space=index.get(" ", -1))
    used: set[int] = set()
    for term in terms:
        labels = [index.get(ch, -1) for ch in term]
        if not labels:
            continue
        if -1 in labels:
            trie.unreadable.append(term)
            continue
        trie.add(labels)
        used.update(labels)
    trie.labels = np.array(sorted(used), np.int64)
    return trie


class Vocabulary:
    """An immutable list of terms with a stable fingerprint.

    Terms are normalised (``normalise_term``); empty ones and duplicates
    are dropped. ``fingerprint`` names the list in ``OcrResult.engine_version``
    so a result read with one vocabulary is never reused for another.
    """

    def __init__(self, terms: Iterable[str]) -> None:
        seen = {normalise_term(t) for t in terms}
        seen.discard("")
        self.terms: tuple[str, ...] = tuple(sorted(seen))
        self.fingerprint = hashlib.sha256("\n".join(self.terms).encode()).hexdigest()[:12]
        self._tries: dict[int, tuple[list[str], Trie]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.terms)

    def __bool__(self) -> bool:
        return bool(self.terms)

    def __repr__(self) -> str:
        return f"Vocabulary({len(self.terms)} terms, {self.fingerprint})"

    def trie_for(self, charset: list[str]) -> Trie:
        """The trie of this vocabulary in ``charset``'s label ids (built once).

        Keyed by the charset object, which the entry keeps alive so its id
        cannot be reused by another list."""
        entry = self._tries.get(id(charset))
        if entry is not None and entry[0] is charset:
            return entry[1]
        with self._lock:
            entry = self._tries.get(id(charset))
            if entry is None or entry[0] is not charset:
                entry = (charset, build_trie(self.terms, charset))
                self._tries[id(charset)] = entry
            return entry[1]
