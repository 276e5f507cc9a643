"""Test documents: PDFs (with a text layer, image-only, encrypted, empty,
truncated), HEIC and AVIF photos, made for each test with the same
libraries the platform reads them with (fpdf2, pypdfium2, pillow-heif)."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2 as pdfium
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

SANS = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
A4_POINTS = (595.28, 841.89)


def text_image(lines: list[str], size: tuple[int, int] = (900, 300), font_size: int = 36,
               margin: int = 40) -> Image.Image:
    """White image with black lines of text (DejaVu Sans)."""
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(SANS), font_size)
    for n, line in enumerate(lines):
        draw.text((margin, margin + n * int(font_size * 1.8)), line, font=font, fill="black")
    return image


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def pdf(pages: list, dpi: int = 150) -> bytes:
    """A PDF whose pages are, in order, text (a str: lines of a real text
    layer, Helvetica 14 pt on A4) or images (a PIL image: one image filling
    a page of its size at ``dpi``, no text layer)."""
    document = FPDF(unit="pt")
    document.set_auto_page_break(False)
    for page in pages:
        if isinstance(page, str):
            document.add_page(format=A4_POINTS)
            document.set_font("helvetica", size=14)
            for n, line in enumerate(page.splitlines()):
                document.text(72, 100 + n * 24, line)
        else:
            width, height = page.width * 72 / dpi, page.height * 72 / dpi
            document.add_page(format=(width, height))
            document.image(page, x=0, y=0, w=width, h=height)
    return bytes(document.output())


def encrypted_pdf() -> bytes:
    document = FPDF()
    document.set_encryption(owner_password="owner", user_password="secret")
    document.add_page()
    document.set_font("helvetica", size=14)
    document.text(20, 20, "Confidential text behind a password")
    return bytes(document.output())


def empty_pdf() -> bytes:
    """A well-formed PDF without a single page."""
    buffer = io.BytesIO()
    pdfium.PdfDocument.new().save(buffer)
    return buffer.getvalue()


def heif_bytes(image: Image.Image, format: str = "HEIF", orientation: int = 1) -> bytes:
    """A HEIC (pillow-heif) or AVIF (Pillow) photo of ``image`` with an EXIF orientation."""
    import pillow_heif

    pillow_heif.register_heif_opener()
    exif = Image.Exif()
    exif[0x0112] = orientation
    buffer = io.BytesIO()
    image.save(buffer, format, exif=exif.tobytes(), quality=90)
    return buffer.getvalue()


def text_with_positions(data: bytes) -> list[dict]:
    """Each page's extracted text and the boxes of its characters, in PDF
    points with a top-left origin: [{"text", "width", "height", "chars": [(ch, left, top, right, bottom)]}]."""
    document = pdfium.PdfDocument(data)
    out = []
    try:
        for page in document:
            width, height = page.get_size()
            textpage = page.get_textpage()
            chars = []
            for index in range(textpage.count_chars()):
                ch = textpage.get_text_range(index, 1)
                left, bottom, right, top = textpage.get_charbox(index)
                chars.append((ch, left, height - top, right, height - bottom))
            out.append({"text": textpage.get_text_bounded(), "width": width, "height": height, "chars": chars})
            textpage.close()
            page.close()
    finally:
        document.close()
    return out


# --- The real engine, in the test process ------------------------------------

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def loaded_engine():
    from recognition.engine import DEFAULT_PROFILE, EngineConfig, OcrEngine

    return OcrEngine(EngineConfig.for_profile(DEFAULT_PROFILE, threads=2))


class CountingEngine:
    """The real engine, counting the pages it is given."""

    def __init__(self, engine):
        self.engine = engine
        self.calls = 0
        self.profile = engine.profile

    def version_for(self, vocabulary=None, recognizer=None) -> str:
        return self.engine.version_for(vocabulary, recognizer)

    def recognize(self, image, **options):
        self.calls += 1
        return self.engine.recognize(image, **options)


@pytest.fixture
def real_engine(monkeypatch, loaded_engine):
    """The worker task reads with the real engine (loaded once per session)."""
    from recognition import engine_gateway

    counting = CountingEngine(loaded_engine)
    monkeypatch.setattr(engine_gateway, "get_engine", lambda profile=None: counting)
    return counting
