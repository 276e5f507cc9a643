"""The table of error codes: each stable code with its HTTP status and the
sentence the OpenAPI schema documents it with.

This is the only place a domain error meets a status code. Services raise
errors that carry a code and a message; the API's exception handler, the
``/ocr/recognize`` adapter, the pages and the schema all look the code up
here. Adding an error is adding a row.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorCode:
    status: int
    description: str


CODES: dict[str, ErrorCode] = {
    # 400: the request itself is wrong
    "invalid": ErrorCode(400, "Invalid input."),
    "parse_error": ErrorCode(400, "The request body could not be parsed."),
    "no_file": ErrorCode(400, "No file was attached in the expected field."),
    "empty_file": ErrorCode(400, "The file is empty."),
    "empty_image": ErrorCode(400, "The image has no pixels."),
    "corrupt_image": ErrorCode(400, "The image is damaged or truncated."),
    "image_error": ErrorCode(400, "The file cannot be read as an image."),
    "unknown_profile": ErrorCode(400, "No such OCR profile."),
    "bad_archive": ErrorCode(400, "Not a readable ZIP archive."),
    "empty_archive": ErrorCode(400, "The archive contains no files."),
    "unsafe_entry": ErrorCode(400, "An archive entry's path is absolute or leaves the archive."),
    "encrypted_entry": ErrorCode(400, "An archive entry is encrypted."),
    "damaged_entry": ErrorCode(400, "An archive entry is damaged."),
    "unreadable_source": ErrorCode(400, "A file to import cannot be read."),
    "bad_query": ErrorCode(400, "The search query cannot be run (empty, too long, a NUL)."),
    "bad_export": ErrorCode(400, "The selection cannot be exported."),
    "team_rule": ErrorCode(400, "A team rule was broken (e.g. an admin making someone owner)."),
    "webhook_refused": ErrorCode(400, "The webhook cannot be registered or changed (URL, events, secret, limit)."),
    "token_rule": ErrorCode(400, "The access token cannot be made as asked (name, scopes, teams, expiry)."),
    "token_expiry_required": ErrorCode(
        400, "A team the token would reach requires access tokens to expire: give its number of days."),
    "two_factor_refused": ErrorCode(400, "The two-factor code is wrong, or tried too often."),
    "correction_refused": ErrorCode(400, "The correction cannot be applied (NUL, too long, unknown or repeated line)."),
    "sharing_refused": ErrorCode(400, "The share link cannot be made as asked (expiry, an unfinished result, too many)."),
    "region_invalid": ErrorCode(400, "The region must lie on the image and be at least 8 pixels on each side."),
    # Outputs (layout modes, tables)
    "unknown_layout": ErrorCode(400, "No such layout mode (lines, paragraphs, code)."),
    # documents (recognition.documents)
    "pdf_damaged": ErrorCode(400, "The PDF is damaged or truncated."),
    "pdf_encrypted": ErrorCode(400, "The PDF is protected by a password."),
    "pdf_empty": ErrorCode(400, "The PDF has no pages."),
    "bad_filter": ErrorCode(400, "A filter parameter is malformed (see errors)."),
    "tag_refused": ErrorCode(400, "The tag cannot be made or set as asked (name, colour, a name taken, too many)."),
    "note_refused": ErrorCode(400, "The note cannot be saved (empty, too long, a NUL)."),
    "bulk_refused": ErrorCode(400, "The bulk action cannot run as asked (action, selection, its options)."),
    "saved_search_refused": ErrorCode(400, "The search cannot be saved (name, filter, limit)."),
    "bad_precondition": ErrorCode(400, "If-Match is not one ETag of this upload's text, or disagrees with the version."),
    # 401, 403, 404, 405: who asks for what
    "not_authenticated": ErrorCode(401, "Not authenticated."),
    "authentication_failed": ErrorCode(401, "The credentials or the token are invalid or expired."),
    "token_not_valid": ErrorCode(401, "The token is invalid or expired."),
    "no_active_account": ErrorCode(401, "No active account with these credentials."),
    "permission_denied": ErrorCode(403, "Your role in the team does not allow this."),
    "sharing_off": ErrorCode(403, "Sharing is switched off for the team."),
    "not_found": ErrorCode(404, "No such object in your teams."),
    "unknown_uploads": ErrorCode(404, "Some of the ids are not uploads of the team."),
    "unknown_table": ErrorCode(404, "The result has no table with this number."),
    "method_not_allowed": ErrorCode(405, "Method not allowed."),
    "not_acceptable": ErrorCode(406, "None of the accepted media types can be produced."),
    # 409, 410: the state of things forbids it
    "last_owner": ErrorCode(409, "The team's last owner cannot leave or be demoted; make someone else owner first."),
    "image_removed": ErrorCode(409, "The image was removed by a moderator."),
    "region_not_ready": ErrorCode(409, "The image is still being read; a region can be read once it is done."),
    "not_ready": ErrorCode(409, "The upload has no finished text to correct yet."),
    "no_text_yet": ErrorCode(409, "The upload has no finished text yet (queued, being read or failed)."),
    "stale_version": ErrorCode(409, "The text changed since the version the change was made on."),
    "training_running": ErrorCode(409, "The team's recognizer is being trained already."),
    "nothing_to_learn": ErrorCode(409, "The team has no corrected lines or vocabulary terms to train on yet."),
    "upload_deleted": ErrorCode(410, "The upload was deleted before its text was ready."),
    "version_mismatch": ErrorCode(412, "The If-Match ETag names an older version of the text."),
    # 413, 415: the content
    "request_too_large": ErrorCode(413, "The request is too large."),
    "file_too_large": ErrorCode(413, "The file is larger than the upload limit."),
    "image_too_large": ErrorCode(413, "The image has too many pixels."),
    "pdf_too_many_pages": ErrorCode(413, "The PDF has more pages than accepted."),
    "too_many_files": ErrorCode(413, "The archive has more files than accepted."),
    "archive_too_large": ErrorCode(413, "The archive is larger than the unpacked-size limit."),
    "entry_too_large": ErrorCode(413, "An archive entry is larger than the upload limit."),
    "storage_quota_exceeded": ErrorCode(
        413, "The team's stored uploads would exceed its storage quota; delete some or ask for a larger one."),
    "unsupported_image": ErrorCode(415, "Not an image type this server reads."),
    "nested_archive": ErrorCode(415, "Archives inside archives are not imported."),
    "unsupported_compression": ErrorCode(415, "An archive entry uses an unsupported compression method."),
    "unsupported_media_type": ErrorCode(415, "The request's content type is not accepted."),
    # 422, 428, 429: the outcome, the preconditions, the pace
    "recognition_failed": ErrorCode(422, "Recognition failed."),
    "version_required": ErrorCode(428, "Say which version the change was made on (version or If-Match)."),
    "throttled": ErrorCode(429, "Too many requests; see Retry-After."),
    "queue_quota_exceeded": ErrorCode(
        429, "The team has as many uploads waiting or being read as its quota allows; see Retry-After."),
    "locked_out": ErrorCode(429, "Too many failed login attempts; see Retry-After."),
    # 503, 507: the server
    "storage_unavailable": ErrorCode(503, "Storage unavailable."),
    "database_unavailable": ErrorCode(503, "The database is unavailable right now; try again."),
    "storage_full": ErrorCode(507, "Storage full."),
}


def status_for(code: str) -> int:
    """The HTTP status of ``code``; an unknown code is a server bug (500)."""
    entry = CODES.get(code)
    return entry.status if entry is not None else 500


def code_for_status(status: int) -> str:
    """The general code of ``status`` (the first row with it), for answers
    made by libraries whose own codes are not in the table."""
    return next((code for code, entry in CODES.items() if entry.status == status), "invalid")
