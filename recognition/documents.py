"""PDF documents: recognising one from its bytes, checking it, and reading
it page by page (pypdfium2, no torch).

A PDF is one upload. ``probe`` runs in the web process when it arrives
(``engine_gateway.probe``): it must open without a password, have between 1
and ``OCRSPACE_PDF_MAX_PAGES`` pages, each at most
``OCRSPACE_MAX_IMAGE_PIXELS`` once rendered at ``OCRSPACE_PDF_DPI``; every
page is loaded once, so a damaged file is refused before anything is stored.

The worker then reads it with ``pages``: a page that carries a text layer
(at least ``OCRSPACE_PDF_TEXT_MIN_CHARS`` characters that are not spaces)
gives its text and line boxes without OCR; the others are rendered at
``OCRSPACE_PDF_DPI`` for the engine. Boxes are in the pixels of that
rendering, top-left origin, like the engine's.

PDFium is not thread-safe: every call into it holds ``_lock``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pypdfium2 as pdfium

from recognition.engine.errors import ImageError, ImageTooLarge
from recognition.engine.image_io import sniff_format

_lock = threading.RLock()
POINTS_PER_INCH = 72


class DocumentError(ImageError):
    """A PDF the platform will not read; the message says why."""

    code = "pdf_damaged"


class EncryptedDocument(DocumentError):
    code = "pdf_encrypted"


class EmptyDocument(DocumentError):
    code = "pdf_empty"


class TooManyPages(DocumentError):
    code = "pdf_too_many_pages"


@dataclass(frozen=True)
class DocumentInfo:
    """What ``probe`` found: the first page's size in rendered pixels."""

    format: str
    width: int
    height: int
    pages: int


@dataclass
class Page:
    """One page as the worker gets it: its text layer's text and lines, or
    (when it has none) its rendering as an RGB array for the engine."""

    number: int          # from 1
    width: int           # pixels at the rendering's DPI
    height: int
    text: str | None     # None: no text layer, read ``image``
    lines: list[dict]
    image: object = None  # numpy array (H, W, 3), RGB


def is_pdf(data: bytes) -> bool:
    """PDF readers accept the header anywhere in the first kilobyte (an
    image whose metadata happens to hold it stays an image)."""
    return b"%PDF-" in data[:1024] and sniff_format(data) is None


def _pixels(points: float, dpi: int) -> int:
    return round(points * dpi / POINTS_PER_INCH) or 1


def _open(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        pass
    # PDFium's reason is unreliable here (a document without pages is
    # reported as a password error): say what the bytes show.
    if re.search(rb"/Encrypt\b", data):
        raise EncryptedDocument("The PDF is protected by a password; remove the protection and upload it again.") from None
    if re.search(rb"/Type\s*/Pages\b", data) and not re.search(rb"/Type\s*/Page\b(?!s)", data):
        raise EmptyDocument("The PDF has no pages.") from None
    raise DocumentError("The PDF is damaged or truncated and cannot be read.") from None


def probe(data: bytes, *, max_pages: int, max_pixels: int, dpi: int) -> DocumentInfo:
    """Check the document against the limits (see the module docstring)."""
    with _lock:
        document = _open(data)
        try:
            count = len(document)
            if count == 0:
                raise EmptyDocument("The PDF has no pages.")
            if count > max_pages:
                raise TooManyPages(f"The PDF has {count} pages; at most {max_pages} are accepted.")
            first = None
            for index in range(count):
                try:
                    page = document[index]
                except pdfium.PdfiumError:
                    raise DocumentError(f"Page {index + 1} of the PDF is damaged and cannot be read.") from None
                try:
                    width, height = page.get_size()
                finally:
                    page.close()
                w, h = _pixels(width, dpi), _pixels(height, dpi)
                if w * h > max_pixels:
                    raise ImageTooLarge(f"Page {index + 1} of the PDF is {w}×{h} pixels at {dpi} DPI "
                                        f"({w * h:,}); the limit is {max_pixels:,} pixels.")
                if first is None:
                    first = (w, h)
        finally:
            document.close()
    return DocumentInfo(format="PDF", width=first[0], height=first[1], pages=count)


def page_count(data: bytes) -> int:
    with _lock:
        document = _open(data)
        try:
            return len(document)
        finally:
            document.close()


def _render(page: pdfium.PdfPage, scale: float):
    bitmap = page.render(scale=scale, rev_byteorder=True, may_draw_forms=True)
    try:
        array = bitmap.to_numpy()
        return array[:, :, :3].copy() if array.shape[2] > 3 else array.copy()
    finally:
        bitmap.close()


def _same_line(a: tuple, b: tuple) -> bool:
    """Two text rectangles (left, bottom, right, top) that share most of their height."""
    overlap = min(a[3], b[3]) - max(a[1], b[1])
    return overlap > 0.5 * min(a[3] - a[1], b[3] - b[1])


def _text_lines(textpage: pdfium.PdfTextPage, page_height: float, scale: float) -> list[dict]:
    """The text layer's lines: PDFium's text rectangles (runs of text in
    one style), joined when they share a line, as engine-shaped lines."""
    merged: list[tuple[list[float], list[str]]] = []
    for index in range(textpage.count_rects()):
        rect = textpage.get_rect(index)
        text = textpage.get_text_bounded(*rect).replace("\r", " ").replace("\n", " ").strip()
        if not text:
            continue
        if merged and _same_line(tuple(merged[-1][0]), rect) and rect[0] >= merged[-1][0][0]:
            box, parts = merged[-1]
            box[:] = [min(box[0], rect[0]), min(box[1], rect[1]), max(box[2], rect[2]), max(box[3], rect[3])]
            parts.append(text)
        else:
            merged.append((list(rect), [text]))
    lines = []
    for (left, bottom, right, top), parts in merged:
        x0, x1 = round(left * scale), round(right * scale)
        y0, y1 = round((page_height - top) * scale), round((page_height - bottom) * scale)
        lines.append({"text": " ".join(parts), "confidence": 1.0,
                      "box": [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]})
    return lines


def _read_page(document: pdfium.PdfDocument, index: int, scale: float, text_min_chars: int) -> Page:
    page = document[index]
    try:
        width, height = page.get_size()
        textpage = page.get_textpage()
        try:
            raw = textpage.get_text_bounded()
            has_text = _characters(raw) >= text_min_chars
            lines = _text_lines(textpage, height, scale) if has_text else []
        finally:
            textpage.close()
        image = None if has_text else _render(page, scale)
    finally:
        page.close()
    text = "\n".join(line["text"] for line in lines) if has_text else None
    return Page(index + 1, round(width * scale) or 1, round(height * scale) or 1, text, lines, image)


def pages(data: bytes, *, dpi: int, text_min_chars: int) -> Iterator[Page]:
    """Every page in order, as ``Page`` (see the module docstring). The
    lock is held for each page's reading, not while the caller works on it."""
    scale = dpi / POINTS_PER_INCH
    with _lock:
        document = _open(data)
    try:
        for index in range(len(document)):
            with _lock:
                try:
                    page = _read_page(document, index, scale, text_min_chars)
                except pdfium.PdfiumError:
                    raise DocumentError(f"Page {index + 1} of the PDF is damaged and cannot be read.") from None
            yield page
    finally:
        with _lock:
            document.close()


def render_page(data: bytes, number: int, *, dpi: int | None = None, longest_side: int | None = None,
                with_size: bool = False):
    """Page ``number`` (from 1) as a PIL image, at ``dpi`` or scaled so its
    longer side is ``longest_side`` pixels (``with_size``: and the page's
    size in points)."""
    from PIL import Image

    with _lock:
        document = _open(data)
        try:
            page = document[number - 1]
            try:
                width, height = page.get_size()
                scale = (dpi / POINTS_PER_INCH) if dpi else longest_side / max(width, height)
                image = Image.fromarray(_render(page, scale))
                return (image, (width, height)) if with_size else image
            finally:
                page.close()
        finally:
            document.close()


def _characters(text: str) -> int:
    """Characters that are not white space."""
    return len("".join(text.split()))


def read(data: bytes, recognize, *, dpi: int, text_min_chars: int, on_page=None) -> dict:
    """Read every page: its text layer, or ``recognize(rgb_array)`` (the
    engine's ``OcrResult.to_dict()``) for a page without one. Calls
    ``on_page(page, pages_so_far)`` after each page. Returns the document's
    result: ``text`` (pages joined by form feeds), ``lines`` (each with its
    ``page``), ``pages`` (page, source, size, confidence), ``confidence``
    (weighted by each page's characters, a text layer counting as certain)
    and ``timings`` (the engine's stages summed over the pages)."""
    texts: list[str] = []
    lines: list[dict] = []
    described: list[dict] = []
    timings: dict[str, float] = {}
    weighted = characters = 0.0
    for page in pages(data, dpi=dpi, text_min_chars=text_min_chars):
        if page.text is not None:
            text, page_lines, confidence, source = page.text, page.lines, 1.0, "text_layer"
        else:
            result = recognize(page.image)
            page.image = None
            text, page_lines, confidence, source = result["text"], result["lines"], result["confidence"], "ocr"
            for stage, ms in result.get("timings", {}).items():
                timings[stage] = round(timings.get(stage, 0.0) + ms, 1)
        texts.append(text)
        lines.extend({**line, "page": page.number} for line in page_lines)
        count = _characters(text)
        weighted += confidence * count
        characters += count
        described.append({"page": page.number, "source": source, "width": page.width, "height": page.height,
                          "confidence": round(float(confidence), 4)})
        if on_page is not None:
            on_page(described[-1], len(described))
    return {
        "text": "\f".join(texts),
        "lines": lines,
        "pages": described,
        "confidence": round(weighted / characters, 4) if characters else 0.0,
        "timings": timings,
    }
