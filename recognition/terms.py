"""Search terms of a text: what answers one- and two-character CJK queries
from an index.

Substring search runs on PostgreSQL's trigram index, which cannot help a
query shorter than three characters, and the commonest Chinese and Japanese
searches are two characters long (发票, 会议). So each result also stores
``terms``: every CJK character of its current text and every pair of
adjacent non-space characters of which at least one is CJK, lower-cased,
separated by single spaces. A text contains such a query exactly when the
query is one of its terms, which a GIN index over the terms answers
(migration 0015). Pairs are never taken across whitespace: the search does
not match across a line break either.

Latin letters and digits alone make no terms: two-letter Latin queries match
nearly every text (so the newest rows answer them at once), and longer ones
use the trigram index.
"""

from __future__ import annotations

# Ideographs (with extensions and compatibility forms), kana, hangul,
# CJK punctuation and full-width forms.
_WIDE = (
    (0x3000, 0x303F), (0x3040, 0x30FF), (0x3100, 0x312F), (0x31F0, 0x31FF), (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF), (0xFF00, 0xFFEF), (0x20000, 0x3FFFF),
)
# A term never holds the separator; the longest is two characters.
MAX_QUERY = 2


def is_wide(ch: str) -> bool:
    code = ord(ch)
    return any(low <= code <= high for low, high in _WIDE)


def _lower(ch: str) -> str:
    # One character stays one (str.lower turns "İ" into two), so a pair is
    # always two characters, as the query is.
    low = ch.lower()
    return low if len(low) == 1 else ch


def terms_of(text: str) -> str:
    """The terms of ``text``, each once, in first-seen order, space-separated."""
    seen: dict[str, None] = {}
    for word in text.split():
        chars = [_lower(ch) for ch in word]
        wide = [is_wide(ch) for ch in word]
        for i, ch in enumerate(chars):
            if wide[i]:
                seen.setdefault(ch)
            if i + 1 < len(chars) and (wide[i] or wide[i + 1]):
                seen.setdefault(ch + chars[i + 1])
    return " ".join(seen)


def query_term(query: str) -> str | None:
    """The term that answers ``query`` (already normalised), or None when
    the terms cannot: longer than two characters, no CJK in it, or a space."""
    if not query or len(query) > MAX_QUERY or any(ch.isspace() for ch in query):
        return None
    if not any(is_wide(ch) for ch in query):
        return None
    return "".join(_lower(ch) for ch in query)
