"""Scoring of OCR output against the development set's ground truth (pure functions).

Definitions (all on page level; the reference is the ground-truth lines joined
in reading order, the hypothesis is the engine's text as returned):

* **CER** — character error rate with all whitespace removed from both sides:
  ``levenshtein(ref_chars, hyp_chars) / len(ref_chars)``. Whitespace is
  dropped because Chinese has none and engines differ in how they emit line
  breaks and spaces; English spacing is measured by word accuracy instead.
  Can exceed 1.0 when the hypothesis has many extra characters.

* **Order-free CER** (diagnostic) — ``max(missing, extra) / len(ref)`` over
  character multisets (``missing``: reference characters the hypothesis lacks,
  ``extra``: the reverse). It is a lower bound of CER that ignores reading
  order, so ``CER − order-free CER`` shows how much of the error is ordering
  (e.g. a sidebar read interleaved with the main panel).

* **NFKC CER** (diagnostic) — CER after Unicode NFKC normalisation of both
  sides, which folds full-width forms into ASCII (``：`` → ``:``, ``￥`` → ``¥``,
  ``，`` → ``,``) and ``…`` into ``...``: the part of CER that is only about
  glyph variants that look alike on screen. Its denominator is the normalised
  reference length.

* **Word accuracy** (Latin-script words) — words are maximal runs of ASCII
  non-whitespace characters; any whitespace or non-ASCII character (CJK,
  full-width punctuation, ¥, …) separates words, so ``请在Slack里`` and
  ``请在 Slack 里`` both yield ``["Slack"]`` and only real English spacing
  matters. Word accuracy = ``LCS(ref_words, hyp_words) / len(ref_words)``:
  the fraction of reference words found in the hypothesis in the same order,
  compared exactly (case and punctuation included, so ``world,`` ≠ ``world``).
  Merged words (``helloworld`` for ``hello world``) lose both words. Extra
  hypothesis words do not lower it (CER covers those). Pages without
  reference words have no word accuracy (None).

Aggregates are micro-averages (sum of edits / sum of reference characters,
sum of matched words / sum of reference words) so long pages weigh more,
plus the per-image mean of CER for comparison.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

try:  # rapidfuzz is fast C++; the fallback keeps the scorer usable without it (slowly)
    from rapidfuzz.distance import LCSseq, Levenshtein

    def levenshtein(a: Sequence[Hashable], b: Sequence[Hashable]) -> int:
        return int(Levenshtein.distance(a, b))

    def lcs_len(a: Sequence[Hashable], b: Sequence[Hashable]) -> int:
        return int(LCSseq.similarity(a, b))

except ImportError:  # pragma: no cover - exercised only where rapidfuzz is missing
    def levenshtein(a: Sequence[Hashable], b: Sequence[Hashable]) -> int:
        return dp_levenshtein(a, b)

    def lcs_len(a: Sequence[Hashable], b: Sequence[Hashable]) -> int:
        return dp_lcs(a, b)

_WS = re.compile(r"\s+")
_WORD = re.compile(r"[\x21-\x7e]+")  # printable ASCII without space


def dp_levenshtein(a: Sequence[Hashable], b: Sequence[Hashable]) -> int:
    """Unit-cost edit distance by the textbook two-row dynamic programme."""
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, y in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y))
        prev = cur
    return prev[-1]


def dp_lcs(a: Sequence[Hashable], b: Sequence[Hashable]) -> int:
    """Length of the longest common subsequence (dynamic programme)."""
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b, 1):
            cur.append(prev[j - 1] + 1 if x == y else max(prev[j], cur[j - 1]))
        prev = cur
    return prev[-1]


def strip_ws(text: str) -> str:
    return _WS.sub("", text)


def char_edits(ref: str, hyp: str) -> tuple[int, int]:
    """(edit distance, reference length) on whitespace-free text."""
    r, h = strip_ws(ref), strip_ws(hyp)
    return levenshtein(r, h), len(r)


def cer(ref: str, hyp: str) -> float:
    """Whitespace-free character error rate; 0.0 for an empty reference with an empty hypothesis."""
    d, n = char_edits(ref, hyp)
    if n == 0:
        return 0.0 if d == 0 else 1.0
    return d / n


def order_free_edits(ref: str, hyp: str) -> int:
    r, h = Counter(strip_ws(ref)), Counter(strip_ws(hyp))
    return max(sum((r - h).values()), sum((h - r).values()))


def words(text: str) -> list[str]:
    """Latin-script words: maximal runs of printable ASCII characters."""
    return _WORD.findall(text)


def word_matches(ref: str, hyp: str) -> tuple[int, int]:
    """(reference words found in order, reference word count)."""
    rw, hw = words(ref), words(hyp)
    if not rw:
        return 0, 0
    return lcs_len(rw, hw), len(rw)


def word_accuracy(ref: str, hyp: str) -> float | None:
    m, n = word_matches(ref, hyp)
    return None if n == 0 else m / n


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


@dataclass
class PageScore:
    edits: int
    chars: int
    order_free_edits: int
    words_matched: int
    words: int
    nfkc_edits: int = 0
    nfkc_chars: int = 0

    @property
    def cer(self) -> float:
        return self.edits / self.chars if self.chars else 0.0

    @property
    def word_accuracy(self) -> float | None:
        return self.words_matched / self.words if self.words else None


def score_page(ref: str, hyp: str) -> PageScore:
    d, n = char_edits(ref, hyp)
    m, nw = word_matches(ref, hyp)
    nd, nn = char_edits(nfkc(ref), nfkc(hyp))
    return PageScore(d, n, order_free_edits(ref, hyp), m, nw, nd, nn)


@dataclass
class Aggregate:
    images: int
    cer: float               # micro-average
    cer_mean: float          # mean of per-image CER
    order_free_cer: float
    nfkc_cer: float
    word_accuracy: float | None
    words: int


def aggregate(scores: Iterable[PageScore]) -> Aggregate:
    scores = list(scores)
    chars = sum(s.chars for s in scores)
    nwords = sum(s.words for s in scores)
    return Aggregate(
        images=len(scores),
        cer=sum(s.edits for s in scores) / chars if chars else 0.0,
        cer_mean=statistics.fmean(s.cer for s in scores) if scores else 0.0,
        order_free_cer=sum(s.order_free_edits for s in scores) / chars if chars else 0.0,
        nfkc_cer=(sum(s.nfkc_edits for s in scores) / max(1, sum(s.nfkc_chars for s in scores))) if chars else 0.0,
        word_accuracy=sum(s.words_matched for s in scores) / nwords if nwords else None,
        words=nwords,
    )


def group_by(items: Iterable[tuple[str, PageScore]]) -> dict[str, Aggregate]:
    """Aggregates per key, plus ``overall`` over all items."""
    items = list(items)
    keys: dict[str, list[PageScore]] = {}
    for k, s in items:
        keys.setdefault(k, []).append(s)
    out = {k: aggregate(v) for k, v in sorted(keys.items())}
    out["overall"] = aggregate(s for _, s in items)
    return out
