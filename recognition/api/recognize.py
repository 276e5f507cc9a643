"""``POST /ocr/recognize``: one image in, its text out, for simple clients.

    requests.post(url, files={"image": open("shot.png", "rb")},
                  headers={"Authorization": "Bearer <access token>"})

A PDF is answered the same way, its pages' texts joined by form feeds, with
``pages`` (text, confidence, lines of each). A ZIP archive is a batch: it is
checked and imported like the REST ZIP import (``recognition.zip_import``)
and answered ``{"success": true, "results": [...]}``, one seed-shaped entry
per file in the archive's order, each with its own ``success`` or ``error``.

The image goes through ``recognition.ingest`` like every other upload and
is recognised by the worker; this view then waits for the result. It is an
async view that polls the database with ``asyncio.sleep`` between short
synchronous look-ups, so a waiting client holds no server thread. After
``OCRSPACE_RECOGNIZE_WAIT_SECONDS`` it answers 202 with the URL to poll.
"""

from __future__ import annotations

import asyncio

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFilesSent
from django.http import HttpRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken, TokenError
from rest_framework_simplejwt.tokens import Token

from ocrspace.errors import DomainError
from ocrspace.errors.recognize import seed_response
from ocrspace.throttling import AccessTokenRateThrottle, AnonRateThrottle, SimpleRateThrottle
from recognition import result_outputs, services, zip_import
from recognition.ingest import Incoming, ItemResult, Source, ingest
from recognition.representation import RECOGNIZE, represent
from recognition.models import Upload, UploadStatus
from teams.access_tokens import AccessTokenAuthentication
from teams.models import Team
from teams.roles import Capability
from teams.selectors import team_for
from teams.tokens import JWTAuthentication

# One primary-key lookup per poll is cheap; a cap of 1 s made answers arrive
# up to a second after the text was stored.
FIRST_POLL, MAX_POLL = 0.1, 0.3


class RecognizeThrottle(SimpleRateThrottle):
    scope = "recognize"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class Refused(DomainError):
    """What this view itself refuses (no token, no image, wrong method)."""


def _throttled(throttle: SimpleRateThrottle, request) -> JsonResponse | None:
    if throttle.allow_request(request, None):
        return None
    wait = throttle.wait()
    response = seed_response(Refused("Too many requests; try again later.", "throttled"))
    if wait is not None:
        response["Retry-After"] = str(max(1, int(wait + 0.999)))
    return response


def _authenticate(request: HttpRequest):
    """(user, token) from the Authorization header (a personal access token
    or a JWT), or an error response."""
    try:
        auth = AccessTokenAuthentication().authenticate(request)
    except exceptions.AuthenticationFailed as error:
        return None, seed_response(Refused(str(error.detail), "authentication_failed"))
    try:
        auth = auth or JWTAuthentication().authenticate(request)
    except (InvalidToken, AuthenticationFailed, TokenError):
        return None, seed_response(Refused("The access token is invalid or expired.", "authentication_failed"))
    if auth is None:
        limited = _throttled(AnonRateThrottle(), request)
        return None, limited or seed_response(
            Refused("Send an access token: Authorization: Bearer <token>.", "not_authenticated"))
    user, token = auth
    request.user = user
    # A personal access token's own limit (OCRSPACE_THROTTLE_TOKEN) counts
    # here as on the REST API, on top of the user's.
    request.auth = token
    return (user, token), _throttled(RecognizeThrottle(), request) or _throttled(AccessTokenRateThrottle(), request)


def _team_for(user, token, slug: str) -> Team:
    # A JWT made by ``issue_token --team`` names the team of requests without one.
    claim = token.get("team") if isinstance(token, Token) else None
    return team_for(user, slug, claim, Capability.UPLOAD)


NO_IMAGE = "Send the image (or a PDF, or a ZIP of them) as multipart/form-data in the field “image”."


def _submit(request: HttpRequest, user, token
            ) -> tuple[tuple[services.UploadOutcome | list[ItemResult], str | None] | None, JsonResponse | None]:
    try:
        try:
            image = request.FILES.get("image") or request.FILES.get("file")
            slug = (request.POST.get("team") or "").strip()
            profile = request.POST.get("profile")
            layout = request.POST.get("layout")
        except (RequestDataTooBig, TooManyFilesSent):
            raise Refused("The request is too large.", "request_too_large") from None
        except (MultiPartParserError, SuspiciousOperation):
            raise Refused(NO_IMAGE, "no_file") from None
        if image is None:
            raise Refused(NO_IMAGE, "no_file")
        if layout is not None:
            layout = result_outputs.check_layout(layout)
        team = _team_for(user, token, slug)
        head = image.read(4)
        image.seek(0)
        if zip_import.is_zip(head):
            return (_submit_archive(image, team, user, profile), layout), None
        data = image.read(settings.OCRSPACE_MAX_UPLOAD_BYTES + 1)
        item = Incoming(Source.RECOGNIZE, team, user, image.name or "image", data, profile)
        return (ingest(item), layout), None
    except DomainError as error:
        return None, seed_response(error)


def _submit_archive(archive, team: Team, user, profile: str | None) -> list[ItemResult]:
    limits = zip_import.ZipLimits.from_settings()
    if archive.size > limits.max_total_bytes:
        raise zip_import.ArchiveRejected("The archive is larger than the unpacked-size limit.", "archive_too_large")
    results = zip_import.import_archive(team, user, archive, limits, profile, source=Source.RECOGNIZE)
    if not results:
        raise zip_import.ArchiveRejected("The archive contains no files.", "empty_archive")
    return results


def _current(upload_id: int) -> Upload | None:
    return Upload.objects.select_related("result").filter(pk=upload_id, hidden=False).first()


def _answer_body(upload: Upload, deduplicated: bool, layout: str | None = None) -> dict:
    if upload.status == UploadStatus.FAILED:
        return {"success": False, "error": upload.error or "Recognition failed.", "id": upload.pk,
                "md5": upload.md5, "url": reverse("api-upload-detail", args=[upload.pk])}
    answer = {"success": True, **represent(upload, RECOGNIZE), "deduplicated": deduplicated}
    if layout is not None:  # the ``layout`` form field: the text in that layout mode
        answer.update(text=result_outputs.layout_text(upload, layout), layout=layout)
    return answer


def _answer(upload: Upload, deduplicated: bool, layout: str | None = None) -> JsonResponse:
    if upload.status == UploadStatus.FAILED:
        url = reverse("api-upload-detail", args=[upload.pk])
        failed = Refused(upload.error or "Recognition failed.", "recognition_failed")
        return seed_response(failed, id=upload.pk, md5=upload.md5, url=url)
    return JsonResponse(_answer_body(upload, deduplicated, layout), json_dumps_params={"ensure_ascii": False})


def _pending_body(upload: Upload, deduplicated: bool, waited: float) -> dict:
    url = reverse("api-upload-detail", args=[upload.pk])
    return {
        "success": False,
        "pending": True,
        "status": upload.status,
        "error": f"The text was not ready within {waited:g} s; poll {url} for the result.",
        "id": upload.pk,
        "md5": upload.md5,
        "deduplicated": deduplicated,
        "url": url,
    }


def _pending(upload: Upload, deduplicated: bool, waited: float) -> JsonResponse:
    response = JsonResponse(_pending_body(upload, deduplicated, waited), status=202)
    response["Location"] = reverse("api-upload-detail", args=[upload.pk])
    return response


def _batch_answer(items: list[ItemResult], current: dict[int, Upload | None], waited: float,
                  layout: str | None = None) -> JsonResponse:
    """One seed-shaped entry per archive member, in order."""
    entries = []
    for item in items:
        if item.upload is None:
            entry = {"success": False, "error": item.message, "code": item.error.code if item.error else "invalid"}
        else:
            upload = current.get(item.upload.pk)
            if upload is None:
                entry = {"success": False, "error": "The upload was deleted before its text was ready.",
                         "code": "upload_deleted", "id": item.upload.pk}
            elif upload.is_finished:
                entry = _answer_body(upload, item.deduplicated, layout)
            else:
                entry = _pending_body(upload, item.deduplicated, waited)
        entries.append({"name": item.name, **entry})
    return JsonResponse({"success": True, "results": entries}, json_dumps_params={"ensure_ascii": False})


def _current_many(ids: list[int]) -> dict[int, Upload]:
    return {u.pk: u for u in Upload.objects.select_related("result", "uploaded_by").filter(pk__in=ids, hidden=False)}


@csrf_exempt
async def recognize(request: HttpRequest) -> JsonResponse:
    if request.method != "POST":
        response = seed_response(Refused("Use POST with a multipart field “image”.", "method_not_allowed"))
        response["Allow"] = "POST"
        return response
    auth, problem = await sync_to_async(_authenticate)(request)
    if problem is not None:
        return problem
    user, token = auth
    outcome, problem = await sync_to_async(_submit)(request, user, token)
    if problem is not None:
        return problem
    (outcome, layout) = outcome
    wait = float(settings.OCRSPACE_RECOGNIZE_WAIT_SECONDS)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    interval = FIRST_POLL
    if isinstance(outcome, list):
        return await _wait_for_batch(outcome, wait, deadline, layout)

    upload, deduplicated = outcome.upload, outcome.deduplicated
    while True:
        current = await sync_to_async(_current)(upload.pk)
        if current is None:
            gone = Refused("The upload was deleted before its text was ready.", "upload_deleted")
            return seed_response(gone, id=upload.pk)
        if current.is_finished:
            return await sync_to_async(_answer)(current, deduplicated, layout)
        remaining = deadline - loop.time()
        if remaining <= 0:
            return _pending(current, deduplicated, wait)
        await asyncio.sleep(min(interval, remaining))
        interval = min(interval * 1.5, MAX_POLL)


async def _wait_for_batch(items: list[ItemResult], wait: float, deadline: float,
                          layout: str | None = None) -> JsonResponse:
    """Wait (as for one image) until every stored member is finished or the time is up."""
    loop = asyncio.get_running_loop()
    ids = [item.upload.pk for item in items if item.upload is not None]
    interval = FIRST_POLL
    while True:
        current = await sync_to_async(_current_many)(ids)
        remaining = deadline - loop.time()
        if all(u.is_finished for u in current.values()) or remaining <= 0:
            return await sync_to_async(_batch_answer)(items, current, wait, layout)
        await asyncio.sleep(min(interval, remaining))
        interval = min(interval * 1.5, MAX_POLL)
