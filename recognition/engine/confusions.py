"""Look-alike fixes in Latin words.

In the sans-serif fonts of most screens capital I and lower-case l are the
same glyph, and O and 0 nearly so; the recognizer picks by the shapes alone
and writes "APl", "HDMl", "0rder", "0ct". Inside a word the other letters
settle it. Only fixes that are safe in code and identifiers are made (no
"l" -> "I" at the start of a word: ``ls`` and ``ln`` are commands; no trailing
"0": ``col0`` is a name). Every fix replaces one character by one, so
per-character confidences stay aligned.
"""
from __future__ import annotations

import re

_TOKEN = re.compile(r"[A-Za-z0-9]+")


def _fix_token(token: str) -> str:
    letters = [c for c in token if c.isalpha()]
    if len(letters) < 2:
        return token
    upper = sum(c.isupper() for c in letters)
    lower = [c for c in letters if c.islower()]
    if "l" in token and upper >= 2 and set(lower) == {"l"} and not any(c.isdigit() for c in token):
        token = token.replace("l", "I")  # APl, HDMl -> API, HDMI
    if "0" in token and not any(c.isdigit() and c != "0" for c in token):
        chars = list(token)
        for i, c in enumerate(chars):
            if c != "0":
                continue
            prev = chars[i - 1] if i > 0 else ""
            nxt = chars[i + 1] if i + 1 < len(chars) else ""
            if i == 0 and token[1:3].isalpha() and token[1:3].islower() and nxt != "x":
                chars[i] = "O"  # 0rder, 0ct
            elif prev.isalpha() and nxt.isalpha():
                chars[i] = "O" if prev.isupper() and nxt.isupper() else "o"  # Pr0duct, ST0P
        token = "".join(chars)
    return token


def fix_confusions(text: str) -> str:
    """The text with look-alike characters fixed inside Latin words."""
    return _TOKEN.sub(lambda m: _fix_token(m.group(0)), text)
