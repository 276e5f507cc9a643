"""CSV cells that spreadsheet programs show as text.

Spreadsheet programs evaluate a cell that starts with one of
``FORMULA_PREFIXES`` as a formula (CSV injection); tab and carriage return
can hide such a start. OCR text and user names are untrusted, so every CSV
the platform writes passes its cells through ``csv_safe``.
"""

from __future__ import annotations

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> str:
    """A cell value that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text
