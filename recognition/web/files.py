"""Permission-checked file access for uploads."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from recognition import storage, thumbnails
from recognition.models import Upload

# Only raster types we accept are ever sent back, under their real type.
CONTENT_TYPES = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "gif": "image/gif",
    "bmp": "image/bmp",
    "tiff": "image/tiff",
}


def image_response(upload: Upload) -> FileResponse:
    """The stored image with headers that stop a browser from treating it as
    anything else (an image may carry an HTML payload after its data)."""
    try:
        handle = storage.absolute(upload.file_path).open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("The image file is missing.")
    response = FileResponse(handle, content_type=CONTENT_TYPES.get(upload.image_type, "application/octet-stream"))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="upload-{upload.pk}.{upload.image_type}"'
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_GET
def upload_image(request, upload_id: int) -> FileResponse:
    upload = get_object_or_404(Upload.objects.for_user(request.user), pk=upload_id)
    return image_response(upload)


@login_required
@require_GET
def upload_thumbnail(request, upload_id: int) -> FileResponse:
    """A small WebP of the image (same permission check as the image)."""
    upload = get_object_or_404(Upload.objects.for_user(request.user), pk=upload_id)
    path = thumbnails.ensure(upload.file_path)
    if path is None:
        return image_response(upload)  # unreadable for the thumbnailer: the image as it is
    try:
        handle = storage.absolute(path).open("rb")
    except FileNotFoundError:
        raise Http404("The thumbnail is missing.")
    response = FileResponse(handle, content_type="image/webp")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="upload-{upload.pk}-thumbnail.webp"'
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=86400"
    return response
