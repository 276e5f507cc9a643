"""Translated strings the page scripts show, handed over with ``json_script``.

Kept in Python so they are in the same message catalogue as the templates
and the scripts need no translation machinery of their own. Placeholders use
``{name}`` and are filled in by the scripts.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from recognition.models import UploadStatus


def ui_strings() -> dict:
    return {
        "status": {value: str(label) for value, label in UploadStatus.choices},
        "pinned": _("Pinned"),
        "pageProgress": _("page {done} of {pages}"),
        "openResult": _("Open result"),
        "noText": _("No text was found in this image."),
        "uploading": _("Uploading…"),
        "waiting": _("Waiting…"),
        "uploaded": _("Uploaded — the text is being read."),
        "readDone": _("Done: {line}"),
        "readFailed": _("Could not be read: {error}"),
        "duplicate": _("This image is already in the team."),
        "failedHttp": _("Upload failed (HTTP {status})."),
        "networkError": _("Network error: the file did not reach the server."),
        "pastedName": _("Pasted screenshot"),
        "live": _("Live"),
        "connecting": _("Connecting…"),
        "polling": _("Live updates are unavailable, so this page checks for new results every few seconds."),
        "stopped": _("You no longer have access to this team's feed. Reload the page."),
        "copied": _("Copied"),
        "copyFailed": _("Copy failed: select the text and copy it by hand."),
        "confirmDelete": _("Delete this upload and its text for the whole team?"),
        "readAloud": _("Read aloud"),
        "stopReading": _("Stop reading"),
        "resultReady": _("The result is ready. Reloading…"),
        "deleted": _("This upload was deleted."),
        "editLine": _("Corrected line"),
        "editHint": _("Enter or double-click to correct this line"),
        "editCancelled": _("Not changed."),
        "saving": _("Saving…"),
        "saved": _("Saved as version {version}."),
        "conflict": _("Someone else changed the text first; their text is shown now. Your change was not saved "
                      "yet: it waits in the line, press Enter to save it on top."),
        "saveFailed": _("Could not save (HTTP {status})."),
        "unsavedLine": _("Your unsaved line: “{text}”"),
        "changedElsewhere": _("The text was changed by a team member (version {version})."),
        # Cropper, screen capture and region reads (cropper.js, capture.js, region-reader.js)
        "cropTitle": _("Choose the part to upload"),
        "cropHelp": _("Drag over the image, or use the arrow keys (Shift+arrows resize, Alt for single pixels). "
                      "Only the chosen part is uploaded."),
        "cropArea": _("Image: drag to choose a region"),
        "cropSize": _("Selection: {w} × {h} px"),
        "turnLeft": _("Turn left"),
        "turnRight": _("Turn right"),
        "uploadSelection": _("Upload selection"),
        "uploadWhole": _("Upload whole image"),
        "cancel": _("Cancel"),
        "captureName": _("Screen capture"),
        "captureInsecure": _("Screen capture needs this page over HTTPS (or on localhost)."),
        "captureUnsupported": _("This browser cannot capture the screen; paste or upload a screenshot instead."),
        "captureDenied": _("Screen capture was cancelled or not allowed."),
        "captureFailed": _("The screen could not be captured."),
        "regionReading": _("Reading the region…"),
        "regionEmpty": _("No text was found in the region."),
        "regionFailed": _("The region could not be read: {error}"),
        "regionSaved": _("Saved as a new upload."),
        "regionSize": _("Region: {w} × {h} px at {x}, {y}"),
    }
