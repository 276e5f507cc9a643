"""Character classes used when deciding where spaces belong."""
from __future__ import annotations


def is_cjk(ch: str) -> bool:
    """Characters written without spaces between them (Han, kana, Hangul
    syllables and CJK/full-width punctuation)."""
    if not ch:
        return False
    o = ord(ch[0])
    return (
        0x4E00 <= o <= 0x9FFF  # CJK unified ideographs
        or 0x3400 <= o <= 0x4DBF  # extension A
        or 0x20000 <= o <= 0x2FA1F  # extensions B.. and compatibility supplement
        or 0xF900 <= o <= 0xFAFF  # compatibility ideographs
        or 0x3000 <= o <= 0x303F  # CJK symbols and punctuation
        or 0x3040 <= o <= 0x30FF  # hiragana, katakana (incl. the prolonged sound mark ー)
        or 0x31F0 <= o <= 0x31FF  # katakana phonetic extensions (small ㇰ etc.)
        or 0xFF61 <= o <= 0xFF9F  # half-width katakana and punctuation
        or 0xAC00 <= o <= 0xD7AF  # Hangul syllables
        or 0xFF00 <= o <= 0xFF60  # full-width forms (，：！ etc.)
        or 0xFFE0 <= o <= 0xFFE6
        or ch in "、。「」『』【】《》〈〉…—·"
    )


# English typography: no space before closing punctuation, none after an
# opening bracket; the gap a proportional or monospaced font leaves around
# these glyphs is wide but is not a space.
NO_SPACE_BEFORE = frozenset(",.;:!?)]}%")
NO_SPACE_AFTER = frozenset("([{")
# Joiners inside one token: file names, identifiers, paths, addresses.
JOINERS = frozenset("._/@")
