"""Searchable PDF: the upload's own page images with the text read from them
as an invisible layer on top, placed on each word's box (a line without
word boxes is spread over the line's box), so selecting or searching in a
PDF viewer finds the words where the image shows them.

Written with fpdf2 (pure Python, maintained, with invisible text rendering
and horizontal stretching built in). An image upload is one page at its
stored image (upright, as the engine read it); a PDF upload gives one page
per page of the document, rendered at ``OCRSPACE_PDF_DPI`` (the pixels its
boxes are measured in), with its own page size. Text within Latin-1 uses
the PDF's built-in Helvetica; other text a TrueType font
(``OCRSPACE_SEARCHABLE_PDF_FONT``, else the first of ``FONT_CANDIDATES``
installed), embedded as a subset.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from fpdf import FPDF
from PIL import Image

from ocrspace.errors import DomainError
from recognition import documents, selectors, storage
from recognition.engine.image_io import decode_image
from recognition.models import Result, Upload

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)
IMAGE_DPI = 96  # an image's page size when the file states none
# Of the font size: where the baseline sits above the box's bottom, and the
# font size as a share of the box's height (glyphs span ascent to descent).
DESCENT = 0.2
SIZE_OF_HEIGHT = 0.85


class SearchablePdfError(DomainError):
    """The selection cannot be made into a searchable PDF."""

    code = "bad_export"


@lru_cache(maxsize=1)
def _unicode_font() -> str | None:
    configured = settings.OCRSPACE_SEARCHABLE_PDF_FONT
    for candidate in ([configured] if configured else []) + list(FONT_CANDIDATES):
        if Path(candidate).is_file():
            return candidate
    return None


def _latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def _words(line: dict) -> list[tuple[str, list]]:
    """(text, box) pieces of a line: its words when it has word boxes."""
    words = [w for w in line.get("words") or [] if w.get("text") and w.get("box")]
    if words:
        return [(w["text"] + (" " if n < len(words) - 1 else ""), w["box"]) for n, w in enumerate(words)]
    return [(line.get("text", ""), line.get("box"))] if line.get("box") else []


class _Writer:
    def __init__(self, latin: bool):
        self.pdf = FPDF(unit="pt")
        self.pdf.set_auto_page_break(False)
        self.pdf.set_margin(0)
        self.pdf.set_creator("ocrspace")
        self.family = "helvetica"
        if not latin and (font := _unicode_font()):
            self.pdf.add_font("ocrtext", fname=font)
            self.family = "ocrtext"
        self.latin_only = self.family == "helvetica"

    def page(self, image, width_px: int, height_px: int, dpi: float, lines: Iterable[dict],
             size: tuple[float, float] | None = None) -> None:
        """A page of ``size`` points (default: the image's pixels at ``dpi``)."""
        scale = 72.0 / dpi
        pdf = self.pdf
        width, height = size or (width_px * scale, height_px * scale)
        pdf.add_page(format=(width, height))
        pdf.image(image, x=0, y=0, w=width, h=height)
        pdf.text_mode = "INVISIBLE"
        for line in lines:
            for text, box in _words(line):
                self._place(text, box, scale)
        pdf.text_mode = "FILL"

    def _place(self, text: str, box: list, scale: float) -> None:
        if self.latin_only:
            text = text.encode("latin-1", "replace").decode("latin-1")
        if not text.strip() or len(box) < 4:
            return
        (x0, y0), (x1, y1), _, (x3, y3) = box[:4]
        width = math.hypot(x1 - x0, y1 - y0) * scale
        height = math.hypot(x3 - x0, y3 - y0) * scale
        if width <= 0 or height <= 0:
            return
        pdf = self.pdf
        size = max(height * SIZE_OF_HEIGHT, 1.0)
        pdf.set_font(self.family, size=size)
        pdf.set_stretching(100)
        natural = pdf.get_string_width(text.rstrip())  # a word's trailing space may overhang its box
        if natural > 0:
            pdf.set_stretching(max(1.0, width / natural * 100))
        # The baseline starts at the box's lower-left corner, lifted by the descent.
        angle = -math.degrees(math.atan2(y1 - y0, x1 - x0))
        bx, by = x3 * scale, y3 * scale
        if abs(angle) < 0.5:
            pdf.text(bx, by - size * DESCENT, text)
            return
        with pdf.rotation(angle, x=bx, y=by):
            pdf.text(bx, by - size * DESCENT, text)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def _image_page(data: bytes, upload: Upload):
    """The upright image (what the boxes refer to) and its DPI."""
    dpi = IMAGE_DPI
    with Image.open(io.BytesIO(data)) as original:
        stated = original.info.get("dpi")
        if stated and stated[0] and 30 <= float(stated[0]) <= 1200:
            dpi = float(stated[0])
        plain_jpeg = original.format == "JPEG" and original.getexif().get(0x0112, 1) == 1
    if plain_jpeg:
        return io.BytesIO(data), dpi  # embedded as it is, no re-encoding
    decoded = decode_image(data, max_bytes=settings.OCRSPACE_MAX_UPLOAD_BYTES,
                           max_pixels=settings.OCRSPACE_MAX_IMAGE_PIXELS)
    return Image.fromarray(decoded.array), dpi


def _pages_of(upload: Upload, result: Result) -> int:
    return len(result.pages) if result.pages else 1


def build(uploads: Iterable[Upload]) -> bytes:
    """One PDF of every finished upload of ``uploads``, in their order;
    unfinished ones are left out. Raises ``SearchablePdfError`` when none
    is finished or there are more than OCRSPACE_SEARCHABLE_PDF_MAX_PAGES pages."""
    chosen = [(u, r) for u in uploads if (r := selectors.done_result(u)) is not None]
    if not chosen:
        raise SearchablePdfError("None of the selected uploads has finished text to put into a PDF.")
    total = sum(_pages_of(u, r) for u, r in chosen)
    limit = settings.OCRSPACE_SEARCHABLE_PDF_MAX_PAGES
    if total > limit:
        raise SearchablePdfError(f"The selection has {total} pages; a searchable PDF holds at most {limit}. "
                                 "Select fewer uploads.")
    latin = all(_latin1(line.get("text", "")) and all(_latin1(w.get("text", "")) for w in line.get("words") or [])
                for _, r in chosen for line in r.lines)
    writer = _Writer(latin)
    for upload, result in chosen:
        try:
            data = storage.read(upload.file_path)
        except FileNotFoundError:
            raise SearchablePdfError(f"The stored file of upload {upload.pk} is missing.") from None
        if upload.image_type == "pdf":
            dpi = settings.OCRSPACE_PDF_DPI
            by_page: dict[int, list] = {}
            for line in result.lines:
                by_page.setdefault(line.get("page", 1), []).append(line)
            for page in result.pages:
                number = page["page"]
                image, size = documents.render_page(data, number, dpi=dpi, with_size=True)
                writer.pdf.set_image_filter("DCTDecode")  # rendered pages: JPEG, a fraction of the size
                writer.page(image, image.width, image.height, dpi, by_page.get(number, []), size)
        else:
            image, dpi = _image_page(data, upload)
            writer.pdf.set_image_filter("FlateDecode")
            writer.page(image, upload.width, upload.height, dpi, result.lines)
    return writer.output()
