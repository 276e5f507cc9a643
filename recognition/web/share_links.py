"""Share links in the browser: made and revoked from the result page
(members), and the read-only page a link opens for anyone holding it
(``/s/<token>/``: the image, the text and its TXT and searchable PDF, and
nothing else of the team)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ocrspace.errors.web import attempt
from recognition import export, selectors, sharing
from recognition.models import ShareLink
from recognition.web.files import page_response

SHARED_FORMATS = ("txt", "pdf")


def _no_referrer(response: HttpResponse) -> HttpResponse:
    # The token is in the URL: never hand it on to another site, never cache it in between.
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_required
@require_POST
def create_link(request, upload_id: int):
    upload = get_object_or_404(selectors.visible_uploads(request.user), pk=upload_id)
    try:
        days = int(request.POST.get("days", "7"))
    except ValueError:
        days = 0
    ok, made = attempt(request, lambda: sharing.create(upload, request.user, days))
    if ok:
        link, token = made
        url = request.build_absolute_uri(reverse("shared-result", args=[token]))
        messages.success(request, _("Share link (shown only now; copy it): %(url)s") % {"url": url})
    return redirect("upload-result", upload.pk)


@login_required
@require_POST
def revoke_link(request, upload_id: int, pk: int):
    upload = get_object_or_404(selectors.visible_uploads(request.user), pk=upload_id)
    link = get_object_or_404(ShareLink, pk=pk, upload=upload)
    if attempt(request, lambda: sharing.revoke(link, request.user), _("The link was revoked."))[0]:
        pass
    return redirect("upload-result", upload.pk)


@require_GET
def shared_result(request, token: str):
    link = sharing.open_link(token)
    upload = link.upload
    context = {"link": link, "upload": upload, "result": upload.result, "token": token, "formats": SHARED_FORMATS}
    return _no_referrer(render(request, "recognition/shared.html", context))


@require_GET
def shared_image(request, token: str):
    link = sharing.resolve(token)
    return _no_referrer(page_response(request, link.upload, 1))


@require_GET
def shared_download(request, token: str, fmt: str):
    link = sharing.resolve(token)
    if fmt not in SHARED_FORMATS:
        return HttpResponse(status=404)
    data, file_format = export.render([link.upload], fmt)
    response = HttpResponse(data, content_type=file_format.content_type)
    response["Content-Disposition"] = f'attachment; filename="shared.{file_format.extension}"'
    return _no_referrer(response)
