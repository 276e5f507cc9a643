"""Permission-checked file access for uploads.

Images and thumbnails are streamed from the storage in chunks: under ASGI
(daphne) through an async iterator, since Django reads a synchronous
streaming body into a list before sending it, which for an image in an
object store would hold all of it in memory.
"""

from __future__ import annotations

import io

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.handlers.asgi import ASGIRequest
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from PIL import Image

from recognition import documents, storage, thumbnails
from recognition.engine.errors import ImageError
from recognition.engine.image_io import decode_image
from recognition.models import Upload

# Only types we accept are ever sent back, under their real type.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "heic": "image/heic",
    "avif": "image/avif",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "gif": "image/gif",
    "bmp": "image/bmp",
    "tiff": "image/tiff",
}


async def _async_chunks(stream: storage.Stream):
    read = sync_to_async(stream.read, thread_sensitive=False)
    try:
        while chunk := await read(storage.CHUNK_SIZE):
            yield chunk
    finally:
        await sync_to_async(stream.close, thread_sensitive=False)()


def stored_file_response(request: HttpRequest | None, path: str, content_type: str, filename: str,
                         max_age: int) -> HttpResponse:
    """The stored file ``path`` with headers that stop a browser from
    treating it as anything else (an image may carry an HTML payload after
    its data); 503 while the storage cannot be reached."""
    try:
        stream = storage.open_stream(path)
    except (FileNotFoundError, ValueError):
        raise Http404("The file is missing.")
    except storage.StorageUnavailable:
        response = JsonResponse({"detail": "The image storage cannot be reached right now; try again shortly."},
                                status=503)
        response["Retry-After"] = "30"
        return response
    under_asgi = isinstance(getattr(request, "_request", request), ASGIRequest)  # a DRF Request wraps it
    body = _async_chunks(stream) if under_asgi else stream.chunks()
    response = StreamingHttpResponse(body, content_type=content_type)
    response["Content-Length"] = str(stream.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = f"private, max-age={max_age}"
    return response


def image_response(upload: Upload, request: HttpRequest | None = None) -> HttpResponse:
    """The stored image of ``upload``."""
    content_type = CONTENT_TYPES.get(upload.image_type, "application/octet-stream")
    return stored_file_response(request, upload.file_path, content_type,
                                f"upload-{upload.pk}.{upload.image_type}", max_age=3600)


@login_required
@require_GET
def upload_image(request, upload_id: int) -> HttpResponse:
    upload = get_object_or_404(Upload.objects.for_user(request.user), pk=upload_id)
    return image_response(upload, request)


@login_required
@require_GET
def upload_thumbnail(request, upload_id: int) -> HttpResponse:
    """A small WebP of the image (same permission check as the image)."""
    upload = get_object_or_404(Upload.objects.for_user(request.user), pk=upload_id)
    path = thumbnails.ensure(upload.file_path)
    if path is None:
        return image_response(upload, request)  # unreadable for the thumbnailer: the image as it is
    return stored_file_response(request, path, "image/webp", f"upload-{upload.pk}-thumbnail.webp", max_age=86400)


# Stored types a browser cannot show in an <img>: their pages are rendered.
RENDERED_TYPES = ("pdf", "heic")


@login_required
@require_GET
def upload_page(request, upload_id: int, number: int) -> HttpResponse:
    """Page ``number`` of the upload as an image a browser shows: a PDF's
    page rendered at OCRSPACE_PDF_DPI (the pixels its line boxes are in), a
    HEIC photo as JPEG, any other image as it is (page 1 only). Same
    permission check as the image."""
    upload = get_object_or_404(Upload.objects.for_user(request.user), pk=upload_id)
    return page_response(request, upload, number)


def page_response(request: HttpRequest, upload: Upload, number: int) -> HttpResponse:
    """Page ``number`` of ``upload`` as a browser shows it (no permission check)."""
    if not 1 <= number <= upload.page_count:
        raise Http404("No such page.")
    if upload.image_type not in RENDERED_TYPES:
        return image_response(upload, request)
    try:
        data = storage.read(upload.file_path)
    except FileNotFoundError:
        raise Http404("The file is missing.")
    except storage.StorageUnavailable:
        response = JsonResponse({"detail": "The image storage cannot be reached right now; try again shortly."},
                                status=503)
        response["Retry-After"] = "30"
        return response
    try:
        jpeg = page_jpeg(upload, data, number)
    except ImageError as error:
        # Uploads are probed from their headers only; damaged pixel data is
        # found when the bytes are decoded (the worker fails such an upload).
        return JsonResponse({"detail": f"The image cannot be shown: {error}"}, status=422)
    response = HttpResponse(jpeg, content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="upload-{upload.pk}-page-{number}.jpg"'
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


def page_jpeg(upload: Upload, data: bytes, number: int) -> bytes:
    if upload.image_type == "pdf":
        image = documents.render_page(data, number, dpi=settings.OCRSPACE_PDF_DPI)
    else:
        decoded = decode_image(data, max_bytes=settings.OCRSPACE_MAX_UPLOAD_BYTES,
                               max_pixels=settings.OCRSPACE_MAX_IMAGE_PIXELS)
        image = Image.fromarray(decoded.array)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=85)
    return buffer.getvalue()
