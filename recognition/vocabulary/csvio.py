"""The CSV form of a vocabulary, and the rules every term must follow.

Columns ``term`` and ``note`` (optional); a first row reading ``term`` is a
header. Every bad row gets its own message (row number, what is wrong), and
a file with any bad row imports nothing, so a typo never leaves half a list.
Cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``
first) are written with a leading apostrophe and read back without it.
"""
from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass

MAX_TERM_CHARS = 64
MAX_NOTE_CHARS = 200
MAX_TERMS = 5000
MAX_CSV_BYTES = 1024 * 1024
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class TermError(ValueError):
    """Why a term cannot be in a vocabulary (a message for the user)."""


def _refuse_control(raw: str, what: str) -> None:
    # Control, format and lone surrogate characters: invisible in a list,
    # and NUL or a surrogate cannot even be stored by PostgreSQL.
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") and ch not in " \t" for ch in raw):
        raise TermError(f"{what}contains a control character")


def clean_term(raw: str) -> str:
    """The term as stored: NFKC (full-width letters and digits folded) with
    runs of whitespace as one space; raises ``TermError``."""
    _refuse_control(raw, "")
    term = " ".join(unicodedata.normalize("NFKC", raw).split())
    if not term:
        raise TermError("is empty")
    if len(term) > MAX_TERM_CHARS:
        raise TermError(f"is longer than {MAX_TERM_CHARS} characters")
    if len(term.replace(" ", "")) < 2:
        # A single character would be favoured wherever it could appear.
        raise TermError("needs at least 2 characters")
    return term


def clean_note(raw: str) -> str:
    _refuse_control(raw, "note ")
    note = " ".join(raw.split())
    if len(note) > MAX_NOTE_CHARS:
        raise TermError(f"note is longer than {MAX_NOTE_CHARS} characters")
    return note


@dataclass
class Row:
    number: int  # 1-based line of the file
    term: str
    note: str


@dataclass
class RowError:
    number: int
    value: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.number, "term": self.value, "error": self.message}


def _unquote(cell: str) -> str:
    if cell.startswith("'") and cell[1:2] in FORMULA_START:
        return cell[1:]
    return cell


def parse(data: bytes) -> tuple[list[Row], list[RowError]]:
    """Rows and per-row errors of a CSV file. Raises ``TermError`` for a file
    that is not CSV text at all (too large, not UTF-8)."""
    if len(data) > MAX_CSV_BYTES:
        raise TermError(f"The file is larger than {MAX_CSV_BYTES // 1024} KB.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TermError(f"The file is not UTF-8 text (byte {error.start}).") from None
    if "\x00" in text:
        raise TermError("The file is not CSV text (it contains NUL bytes).")
    rows: list[Row] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise TermError(f"The file is not valid CSV: {error}.") from None
    for number, cells in enumerate(records, 1):
        if not any(c.strip() for c in cells):
            continue
        if number == 1 and cells[0].strip().lower() == "term":
            continue
        value = _unquote(cells[0].strip())
        if len(cells) > 2:
            errors.append(RowError(number, value, f"has {len(cells)} columns; expected term and an optional note"))
            continue
        try:
            term = clean_term(value)
            note = clean_note(_unquote(cells[1])) if len(cells) > 1 else ""
        except TermError as error:
            errors.append(RowError(number, value, f"the term {error}" if not str(error).startswith("note") else str(error)))
            continue
        key = term.casefold()
        if key in seen:
            errors.append(RowError(number, value, f"repeats row {seen[key]}"))
            continue
        seen[key] = number
        rows.append(Row(number, term, note))
    return rows, errors


def _cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def write(rows: list[tuple[str, str]]) -> str:
    """CSV text with a header, one (term, note) per row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["term", "note"])
    for term, note in rows:
        writer.writerow([_cell(term), _cell(note)])
    return out.getvalue()
