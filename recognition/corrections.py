"""Corrections of recognised text: edits (whole text or line by line) and
reverts, each a new ``TextVersion``; and the engine's readings entering the
same history.

Views, the API and the worker call these functions. Concurrency is
optimistic: a change names the version it was made on, and is refused
(``StaleVersion``, carrying the current result) when somebody else changed
the text meanwhile, so no edit silently overwrites another.

How a re-run treats corrections: a new reading is always stored (in
``Result.engine_text`` and as a version of the history), but when a
person's text is current (the current text differs from the engine's
previous reading) that text stays current; the new reading waits in the
history until somebody reverts to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from ocrspace.errors import DomainError
from recognition import events, signatures
from recognition.history import LINE_BREAK
from recognition.models import EventKind, Result, TextVersion, Upload, UploadStatus, VersionKind
from recognition.terms import terms_of
from teams import audit
from teams.permissions import require
from teams.roles import Capability

# A page of text is a few thousand characters; this leaves room for long
# scrolling captures and refuses pastes that are not a correction.
MAX_TEXT_CHARS = 200_000


class CorrectionError(DomainError):
    """The change cannot be made; the message says why (shown to the user)."""

    code = "correction_refused"


class NotReady(CorrectionError):
    """The upload has no finished text to correct (queued, being read, failed)."""

    code = "not_ready"


class UnknownVersion(CorrectionError):
    code = "not_found"


class StaleVersion(CorrectionError):
    """The text changed since the version the change was made on."""

    code = "stale_version"

    def __init__(self, message: str, result: Result):
        super().__init__(message)
        self.result = result


@dataclass(frozen=True)
class LineChange:
    index: int  # 0-based line of the current text
    text: str


def clean_text(text: str) -> str:
    """One newline convention; no NUL (no database stores it); a size limit."""
    if "\x00" in text:
        raise CorrectionError(_("The text contains a NUL character, which text cannot hold."))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > MAX_TEXT_CHARS:
        raise CorrectionError(_("The text is too long: at most %(limit)s characters.") % {"limit": MAX_TEXT_CHARS})
    return text


def text_lines(text: str) -> list[str]:
    """The lines of a text; a form feed (between a document's pages) ends a line too."""
    return LINE_BREAK.split(text)


def apply_line_changes(text: str, changes: list[LineChange]) -> str:
    """``text`` with the given lines replaced (indexes count its lines from 0;
    a document's page breaks stay where they are)."""
    if not changes:
        raise CorrectionError(_("Give at least one line to change."))
    breaks = LINE_BREAK.findall(text)
    lines = text_lines(text)
    seen: set[int] = set()
    for change in changes:
        if not 0 <= change.index < len(lines):
            raise CorrectionError(_("Line %(index)s does not exist: the text has lines 0 to %(last)s.")
                                  % {"index": change.index, "last": len(lines) - 1})
        if change.index in seen:
            raise CorrectionError(_("Line %(index)s is given twice.") % {"index": change.index})
        seen.add(change.index)
        line = clean_text(change.text)
        if LINE_BREAK.search(line):
            raise CorrectionError(_("A line cannot contain a line break; send the whole text instead."))
        lines[change.index] = line
    return "".join(line + brk for line, brk in zip(lines, breaks + [""]))


def _locked_result(upload: Upload) -> Result:
    # The upload row is the lock every writer of its text takes (the worker's
    # ``processing.complete`` too), so versions are numbered one at a time.
    current = Upload.objects.select_for_update().filter(pk=upload.pk).first()
    result = Result.objects.filter(upload_id=upload.pk).first() if current is not None else None
    if current is None or current.status != UploadStatus.DONE or result is None:
        raise NotReady(_("This upload has no finished text to correct yet."))
    return result


def _next_number(upload_id: int) -> int:
    return (TextVersion.objects.filter(upload_id=upload_id).aggregate(n=Max("number"))["n"] or 0) + 1


def _check(result: Result, expected: int | None) -> None:
    if expected is not None and expected != result.version:
        raise StaleVersion(
            _("The text was changed (now version %(current)s) since version %(expected)s; nothing was saved. "
              "Apply your change to the current text and send it with its version.")
            % {"current": result.version, "expected": expected},
            result,
        )


def _save(upload: Upload, user, result: Result, text: str, kind: str, expected: int | None,
          reverted_to: int | None = None) -> Result:
    _check(result, expected)
    number = _next_number(upload.pk)
    # Compare-and-set on the version as well as the row lock: SQLite has no
    # row locks, and a concurrent writer must never be overwritten.
    changed = Result.objects.filter(pk=result.pk, version=result.version).update(text=text, version=number,
                                                                                   terms=terms_of(text))
    if not changed:
        raise StaleVersion(_("The text was changed meanwhile; nothing was saved."), Result.objects.get(pk=result.pk))
    TextVersion.objects.create(
        upload_id=upload.pk, number=number, kind=kind, text=text, parent=result.version, reverted_to=reverted_to,
        author=user, author_name=user.get_username(),
    )
    fresh = Upload.objects.select_related("result", "uploaded_by", "team").get(pk=upload.pk)
    # Every version a person makes is signed as it is made (recognition.signatures).
    signatures.sign_result(fresh.result, fresh)
    fresh.result.save(update_fields=["signature", "signature_key", "signed_at"])
    events.record(fresh, EventKind.CORRECTED)
    action = "upload.revert" if kind == VersionKind.REVERT else "upload.correct"
    details = {"version": number, "previous_version": result.version}
    if reverted_to is not None:
        details["reverted_to"] = reverted_to
    audit.record(user, action, fresh, team=fresh.team, **details)
    return fresh.result


def correct_text(upload: Upload, user, text: str, expected_version: int | None) -> Result:
    """Replace the whole current text. ``expected_version`` None skips the
    version check (``If-Match: *``)."""
    require(user, upload.team, Capability.CORRECT)
    text = clean_text(text)
    with transaction.atomic():
        result = _locked_result(upload)
        if text == result.text:
            _check(result, expected_version)
            return result  # nothing changed: no empty version in the history
        return _save(upload, user, result, text, VersionKind.EDIT, expected_version)


def correct_lines(upload: Upload, user, changes: list[LineChange], expected_version: int | None) -> Result:
    """Replace some lines of the current text."""
    require(user, upload.team, Capability.CORRECT)
    with transaction.atomic():
        result = _locked_result(upload)
        _check(result, expected_version)
        text = apply_line_changes(result.text, changes)
        if text == result.text:
            return result
        return _save(upload, user, result, text, VersionKind.EDIT, expected_version)


def revert(upload: Upload, user, number: int, expected_version: int | None = None) -> Result:
    """Make version ``number``'s text current again, as a new version."""
    require(user, upload.team, Capability.CORRECT)
    with transaction.atomic():
        result = _locked_result(upload)
        target = TextVersion.objects.filter(upload_id=upload.pk, number=number).first()
        if target is None:
            raise UnknownVersion(_("This upload has no version %(number)s.") % {"number": number})
        if target.text == result.text:
            _check(result, expected_version)
            return result
        return _save(upload, user, result, target.text, VersionKind.REVERT, expected_version, reverted_to=number)


def record_reading(upload: Upload, *, text: str, profile: str, engine_version: str) -> tuple[str, int]:
    """Enter a new engine reading into the history (inside the worker's
    transaction, with the upload row locked). Returns the text that is
    current afterwards and its version number."""
    number = _next_number(upload.pk)
    current = TextVersion.objects.filter(upload_id=upload.pk, became_current=True).order_by("-number").first()
    last_read = TextVersion.objects.filter(upload_id=upload.pk, kind=VersionKind.READ).order_by("-number").first()
    keep = current is not None and last_read is not None and current.text != last_read.text and current.text != text
    TextVersion.objects.create(
        upload_id=upload.pk, number=number, kind=VersionKind.READ, text=text,
        parent=current.number if current else None, became_current=not keep,
        author_name="", profile=profile, engine_version=engine_version,
    )
    return (current.text, current.number) if keep else (text, number)
