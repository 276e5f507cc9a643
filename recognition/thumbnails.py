"""Small WebP thumbnails of the stored images, for the feed and search.

A thumbnail is made once, by the worker when it reads the upload (or by the
first request that needs it before then), and stored beside the images
in the same storage under ``thumbs/`` with a name derived from the image's own
content-addressed path: uploads that share an image share its thumbnail,
and it is removed with the image. Like the images it is served only by a
permission-checked view. A tall capture is cut to its top (a square of its
width) first, so the thumbnail shows readable content, not a sliver. A PDF's thumbnail shows its first page.
"""

from __future__ import annotations

import io
import logging

from PIL import Image, ImageOps

from recognition import documents, storage
import recognition.engine.image_io  # noqa: F401 - registers the HEIC opener with Pillow

log = logging.getLogger(__name__)

SIZE = 240  # pixels, the longer side; shown at 96x72 CSS pixels (2x screens)
QUALITY = 75
PREFIX = "thumbs/"


def path_for(image_path: str) -> str:
    return PREFIX + image_path.rsplit(".", 1)[0] + ".webp"


def render(data: bytes) -> bytes:
    """WebP bytes of the thumbnail of the image or PDF ``data``."""
    if documents.is_pdf(data):
        try:
            opened = documents.render_page(data, 1, longest_side=SIZE * 2)
        except documents.DocumentError as error:
            raise ValueError(str(error)) from None
    else:
        opened = Image.open(io.BytesIO(data))
    with opened as image:
        image.draft("RGB", (SIZE * 2, SIZE * 2))  # JPEG: decode at a reduced scale
        image = ImageOps.exif_transpose(image)
        image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
        width, height = image.size
        if height > width * 1.5:
            image = image.crop((0, 0, width, width))
        image.thumbnail((SIZE, SIZE), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        image.save(buffer, "WEBP", quality=QUALITY, method=4)
    return buffer.getvalue()


def ensure(image_path: str, data: bytes | None = None) -> str | None:
    """The thumbnail's storage path, made now if it does not exist yet;
    None when the image cannot be read or the thumbnail not stored (the
    caller goes on without one)."""
    path = path_for(image_path)
    try:
        if storage.exists(path):
            return path
        thumbnail = render(data if data is not None else storage.read(image_path))
        storage.store(thumbnail, path)
    # Uploads are not decoded before the worker reads them, so damaged
    # pixel data shows up here first; Pillow reports it with any of these.
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError,
            storage.StorageUnavailable) as error:
        log.warning("No thumbnail for %s: %s", image_path, error)
        return None
    return path


def delete(image_path: str) -> None:
    storage.delete(path_for(image_path))
