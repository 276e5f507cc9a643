"""``POST /ocr/recognize``: one image in, its text out, for simple clients.

    requests.post(url, files={"image": open("shot.png", "rb")},
                  headers={"Authorization": "Bearer <access token>"})

The image goes through ``services.create_upload`` like every other upload and
is recognised by the worker; this view then waits for the result. It is an
async view that polls the database with ``asyncio.sleep`` between short
synchronous look-ups, so a waiting client holds no server thread. After
``OCRSPACE_RECOGNIZE_WAIT_SECONDS`` it answers 202 with the URL to poll.
"""

from __future__ import annotations

import asyncio
from datetime import timezone as dt_timezone

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation, TooManyFilesSent
from django.http import Http404, HttpRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken, TokenError
from rest_framework_simplejwt.tokens import Token

from ocrspace.throttling import AnonRateThrottle, SimpleRateThrottle
from recognition import services, storage
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


def _error(status: int, message: str, **extra) -> JsonResponse:
    response = JsonResponse({"success": False, "error": message, **extra}, status=status, json_dumps_params={"ensure_ascii": False})
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def _throttled(throttle: SimpleRateThrottle, request) -> JsonResponse | None:
    if throttle.allow_request(request, None):
        return None
    wait = throttle.wait()
    response = _error(429, "Too many requests; try again later.")
    if wait is not None:
        response["Retry-After"] = str(max(1, int(wait + 0.999)))
    return response


def _authenticate(request: HttpRequest):
    """(user, token) from the Authorization header (a personal access token
    or a JWT), or an error response."""
    try:
        auth = AccessTokenAuthentication().authenticate(request)
    except exceptions.AuthenticationFailed as error:
        return None, _error(401, str(error.detail))
    try:
        auth = auth or JWTAuthentication().authenticate(request)
    except (InvalidToken, AuthenticationFailed, TokenError):
        return None, _error(401, "The access token is invalid or expired.")
    if auth is None:
        limited = _throttled(AnonRateThrottle(), request)
        return None, limited or _error(401, "Send an access token: Authorization: Bearer <token>.")
    user, token = auth
    request.user = user
    return (user, token), _throttled(RecognizeThrottle(), request)


def _team_for(user, token, slug: str) -> Team:
    # A JWT made by ``issue_token --team`` names the team of requests without one.
    claim = token.get("team") if isinstance(token, Token) else None
    return team_for(user, slug, claim, Capability.UPLOAD)


def _submit(request: HttpRequest, user, token) -> tuple[services.UploadOutcome | None, JsonResponse | None]:
    try:
        image = request.FILES.get("image") or request.FILES.get("file")
        slug = (request.POST.get("team") or "").strip()
        profile = request.POST.get("profile")
    except (RequestDataTooBig, TooManyFilesSent):
        return None, _error(413, "The request is too large.")
    except (MultiPartParserError, SuspiciousOperation):
        return None, _error(400, "Send the image as multipart/form-data in the field “image”.")
    if image is None:
        return None, _error(400, "Send the image as multipart/form-data in the field “image”.")
    try:
        team = _team_for(user, token, slug)
        data = image.read(settings.OCRSPACE_MAX_UPLOAD_BYTES + 1)
        return services.create_upload(team, user, data, image.name or "image", profile), None
    except Http404 as error:
        return None, _error(404, str(error) or "No such team.")
    except PermissionDenied as error:
        return None, _error(403, str(error) or "Your role in this team does not allow uploads.")
    except services.UploadRejected as error:
        return None, _error(error.status, str(error))
    except storage.StorageUnavailable as error:
        return None, _error(507 if error.full else 503, str(error))


def _current(upload_id: int) -> Upload | None:
    return Upload.objects.select_related("result").filter(pk=upload_id, hidden=False).first()


def _answer(upload: Upload, deduplicated: bool) -> JsonResponse:
    url = reverse("api-upload-detail", args=[upload.pk])
    if upload.status == UploadStatus.FAILED:
        return _error(422, upload.error or "Recognition failed.", id=upload.pk, md5=upload.md5, url=url)
    result = upload.result
    return JsonResponse(
        {
            "success": True,
            "text": result.text,
            "confidence": round(result.confidence, 4),
            "timestamp": result.created_at.astimezone(dt_timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "id": upload.pk,
            "md5": upload.md5,
            "lines": result.lines,
            "deduplicated": deduplicated,
            "engine_version": result.engine_version,
            "profile": result.profile,
            "url": url,
        },
        json_dumps_params={"ensure_ascii": False},
    )


def _pending(upload: Upload, deduplicated: bool, waited: float) -> JsonResponse:
    url = reverse("api-upload-detail", args=[upload.pk])
    response = JsonResponse(
        {
            "success": False,
            "pending": True,
            "status": upload.status,
            "error": f"The text was not ready within {waited:g} s; poll {url} for the result.",
            "id": upload.pk,
            "md5": upload.md5,
            "deduplicated": deduplicated,
            "url": url,
        },
        status=202,
    )
    response["Location"] = url
    return response


@csrf_exempt
async def recognize(request: HttpRequest) -> JsonResponse:
    if request.method != "POST":
        response = _error(405, "Use POST with a multipart field “image”.")
        response["Allow"] = "POST"
        return response
    auth, problem = await sync_to_async(_authenticate)(request)
    if problem is not None:
        return problem
    user, token = auth
    outcome, problem = await sync_to_async(_submit)(request, user, token)
    if problem is not None:
        return problem

    upload, deduplicated = outcome.upload, outcome.deduplicated
    wait = float(settings.OCRSPACE_RECOGNIZE_WAIT_SECONDS)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    interval = FIRST_POLL
    while True:
        current = await sync_to_async(_current)(upload.pk)
        if current is None:
            return _error(410, "The upload was deleted before its text was ready.", id=upload.pk)
        if current.is_finished:
            return await sync_to_async(_answer)(current, deduplicated)
        remaining = deadline - loop.time()
        if remaining <= 0:
            return _pending(current, deduplicated, wait)
        await asyncio.sleep(min(interval, remaining))
        interval = min(interval * 1.5, MAX_POLL)
