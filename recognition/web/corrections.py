"""Browser side of corrections: the lines the result page's editor shows,
the whole-text form, the history page with its diffs, and reverting.

Line by line editing on the result page saves through the REST API
(``PATCH /api/uploads/<id>/`` with the session); the forms here work
without scripts too.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from recognition import corrections, history, selectors
from recognition.models import Result, Upload, VersionKind
from teams.permissions import can
from teams.roles import Capability


def _visible_upload(user, upload_id: int) -> Upload:
    return get_object_or_404(selectors.visible_uploads(user), pk=upload_id)


def _crop(box: list) -> str:
    """The line's bounding rectangle "x,y,w,h" (the page crops the image to it)."""
    xs, ys = [p[0] for p in box], [p[1] for p in box]
    left, top = max(0.0, min(xs)), max(0.0, min(ys))
    return f"{left:.0f},{top:.0f},{max(1.0, max(xs) - left):.0f},{max(1.0, max(ys) - top):.0f}"


def editor_lines(result: Result | None, low_confidence: float) -> list[dict]:
    """The current text's lines for the result page, each with the box and
    confidence of the engine line it corrects (when there is one)."""
    if result is None:
        return []
    current = history.LINE_BREAK.split(result.text) if result.text else []
    lines = []
    for index, (text, engine_line) in enumerate(zip(current, history.line_boxes(result))):
        box = (engine_line or {}).get("box") or []
        confidence = float((engine_line or {}).get("confidence", 0.0))
        edited = engine_line is None or text != engine_line.get("text", "")
        lines.append({
            "number": index + 1,
            "index": index,
            "text": text,
            "confidence": confidence,
            "percent": round(confidence * 100),
            "has_confidence": engine_line is not None,
            "low": not edited and confidence < low_confidence,
            "edited": edited,
            "page": (engine_line or {}).get("page", 1),
            "points": " ".join(f"{x:.1f},{y:.1f}" for x, y in box),
            "crop": _crop(box) if len(box) >= 2 else "",
        })
    return lines


def waiting_reading(upload: Upload, result: Result | None):
    """A newer engine reading that is not current because a correction is."""
    if result is None or result.text == result.engine_text:
        return None
    newest = upload.text_versions.filter(kind=VersionKind.READ).order_by("-number").first()
    return newest if newest is not None and not newest.became_current else None


@login_required
@require_GET
def history_page(request, upload_id: int):
    upload = _visible_upload(request.user, upload_id)
    result = selectors.done_result(upload)
    entries = history.versions(upload)
    texts = {entry.number: entry.text for entry in entries}
    rows = []
    for entry in entries:
        diff = history.diff(texts.get(entry.parent, "") if entry.parent else "", entry.text)
        rows.append({"entry": entry, "diff": diff, "counts": history.changed(diff),
                     "current": result is not None and entry.number == result.version})
    return render(request, "recognition/history.html", {
        "team": upload.team,
        "upload": upload,
        "result": result,
        "rows": rows,
        "may_correct": result is not None and can(request.user, upload.team, Capability.CORRECT),
    })


def _expected_version(request) -> int | None:
    value = (request.POST.get("version") or "").strip()
    return int(value) if value.isdecimal() and len(value) < 19 else None


def unsaved_key(upload_id: int) -> str:
    return f"unsaved-text-{upload_id}"


def _saved_or_refused(request, upload: Upload, call, saved: str, unsaved: str | None = None) -> None:
    try:
        call()
    except corrections.StaleVersion as stale:
        messages.error(request, _("Someone changed the text meanwhile (now version %(version)s); nothing was "
                                  "saved. Check the current text and try again.") % {"version": stale.result.version})
        if unsaved is not None:
            # The refused text comes back in the form, so nothing typed is lost.
            request.session[unsaved_key(upload.pk)] = unsaved
    except corrections.CorrectionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, saved)


@login_required
@require_POST
def save_text(request, upload_id: int):
    """The whole-text form of the result page."""
    upload = _visible_upload(request.user, upload_id)
    expected = _expected_version(request)
    if expected is None:
        messages.error(request, _("The form did not say which version it corrects; reload the page."))
        return redirect("upload-result", upload_id=upload.pk)
    text = request.POST.get("text", "")
    _saved_or_refused(request, upload, lambda: corrections.correct_text(upload, request.user, text, expected),
                      _("The corrected text is saved."), unsaved=text[:corrections.MAX_TEXT_CHARS])
    return redirect("upload-result", upload_id=upload.pk)


@login_required
@require_POST
def revert(request, upload_id: int, number: int):
    upload = _visible_upload(request.user, upload_id)
    _saved_or_refused(request, upload,
                      lambda: corrections.revert(upload, request.user, number, _expected_version(request)),
                      _("Version %(number)s is the current text again.") % {"number": number})
    return redirect("upload-history", upload_id=upload.pk)
