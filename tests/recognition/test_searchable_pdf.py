"""Searchable PDF: the page images with an invisible text layer whose words
sit on their boxes, checked by extracting the text and its character
positions with pypdfium2."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from recognition import processing, searchable_pdf, services, tasks
from recognition.models import Upload
from tests.documents import (  # noqa: F401 - fixtures
    loaded_engine, pdf, png_bytes, real_engine, text_image, text_with_positions,
)

pytestmark = pytest.mark.django_db
PT = 72 / searchable_pdf.IMAGE_DPI  # points per pixel of an image without a stated DPI


def _finish(upload: Upload, lines: list, text: str | None = None, pages: list | None = None) -> Upload:
    """Store a reading with exactly these line (and word) boxes."""
    processing.claim(upload.pk, stale_after_seconds=300)
    processing.complete(upload, text=text if text is not None else "\n".join(l["text"] for l in lines),
                        confidence=0.9, lines=lines, engine_version="test", timings={}, pages=pages)
    return Upload.objects.select_related("result").get(pk=upload.pk)


def _box(x0, y0, x1, y1):
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


def _chars_of(page: dict, word: str) -> list[tuple]:
    """The extracted characters that spell ``word`` (its first occurrence)."""
    chars = [c for c in page["chars"] if not c[0].isspace()]
    letters = "".join(c[0] for c in chars)
    start = letters.index(word.replace(" ", ""))
    return chars[start:start + len(word.replace(" ", ""))]


def _inside(chars, box_px, scale, slack=2.0) -> bool:
    (x0, y0), _, (x1, y1), _ = box_px
    for _, left, top, right, bottom in chars:
        cx, cy = (left + right) / 2, (top + bottom) / 2
        if not (x0 * scale - slack <= cx <= x1 * scale + slack and y0 * scale - slack <= cy <= y1 * scale + slack):
            return False
    return True


def test_each_word_is_placed_on_its_own_box(team, member, queued):
    image = text_image(["Invoice 4711 paid", "Total due: 120.50 EUR"], size=(900, 260))
    upload = services.create_upload(team, member, png_bytes(image), "invoice.png").upload
    words = [("Invoice", _box(40, 40, 190, 85)), ("4711", _box(210, 40, 300, 85)), ("paid", _box(320, 40, 400, 85))]
    lines = [
        {"text": "Invoice 4711 paid", "confidence": 0.95, "box": _box(40, 40, 400, 85),
         "words": [{"text": t, "box": b, "confidence": 0.95} for t, b in words]},
        {"text": "Total due: 120.50 EUR", "confidence": 0.9, "box": _box(40, 105, 520, 150)},  # no word boxes
    ]
    data = searchable_pdf.build([_finish(upload, lines)])

    [page] = text_with_positions(data)
    assert (round(page["width"]), round(page["height"])) == (round(900 * PT), round(260 * PT))
    assert "Invoice 4711 paid" in page["text"] and "Total due: 120.50 EUR" in page["text"]
    for text, box in words:
        assert _inside(_chars_of(page, text), box, PT), text
    # Not only inside: the word spans its box, so a selection matches the image.
    chars = _chars_of(page, "Invoice")
    # (glyph boxes are tight: a side bearing of a few points at either end)
    assert chars[0][1] == pytest.approx(40 * PT, abs=4.5) and chars[-1][3] == pytest.approx(190 * PT, abs=4.5)
    # A line without words is spread over the whole line box.
    spread = _chars_of(page, "Total due: 120.50 EUR")
    assert _inside(spread, lines[1]["box"], PT)
    assert spread[0][1] == pytest.approx(40 * PT, abs=4.5) and spread[-1][3] == pytest.approx(520 * PT, abs=4.5)


def test_the_text_layer_is_invisible_over_the_image(team, member, queued):
    image = text_image(["Hello"], size=(400, 120))
    upload = services.create_upload(team, member, png_bytes(image), "hello.png").upload
    data = searchable_pdf.build([_finish(upload, [{"text": "Hello", "confidence": 1.0, "box": _box(40, 40, 160, 85)}])])
    document = pdfium.PdfDocument(data)
    page = document[0]
    kinds = [obj.type for obj in page.get_objects()]
    assert pdfium.raw.FPDF_PAGEOBJ_IMAGE in kinds and pdfium.raw.FPDF_PAGEOBJ_TEXT in kinds
    text_objects = [obj for obj in page.get_objects() if obj.type == pdfium.raw.FPDF_PAGEOBJ_TEXT]
    assert all(pdfium.raw.FPDFTextObj_GetTextRenderMode(obj.raw) == pdfium.raw.FPDF_TEXTRENDERMODE_INVISIBLE
               for obj in text_objects)


def test_a_read_image_becomes_a_searchable_page(team, member, queued, real_engine):
    image = text_image(["Shipment 8812 arrived", "Warehouse north"], size=(1280, 720), font_size=48)
    upload = services.create_upload(team, member, png_bytes(image), "shipment.png").upload
    tasks.run_ocr(upload.pk)
    upload = Upload.objects.select_related("result").get(pk=upload.pk)
    [page] = text_with_positions(searchable_pdf.build([upload]))
    assert "Shipment 8812 arrived" in page["text"] and "Warehouse north" in page["text"]
    for line in upload.result.lines:
        assert _inside(_chars_of(page, line["text"]), line["box"], PT, slack=3.0), line


def test_a_document_gives_its_pages_at_their_size(team, member, queued):
    data = pdf(["First page text layer here", text_image(["Second page"], size=(600, 300))])
    upload = services.create_upload(team, member, data, "two.pdf").upload
    lines = [{"text": "First page text layer here", "confidence": 1.0, "box": _box(150, 190, 600, 215), "page": 1},
             {"text": "Second page", "confidence": 0.9, "box": _box(40, 40, 290, 85), "page": 2}]
    pages = [{"page": 1, "source": "text_layer", "width": 1240, "height": 1754, "confidence": 1.0},
             {"page": 2, "source": "ocr", "width": 600, "height": 300, "confidence": 0.9}]
    upload = _finish(upload, lines, text="First page text layer here\fSecond page", pages=pages)
    first, second = text_with_positions(searchable_pdf.build([upload]))
    assert (round(first["width"]), round(first["height"])) == (595, 842)  # A4, as the original
    assert (round(second["width"]), round(second["height"])) == (288, 144)  # 600×300 px at 150 DPI
    scale = 72 / 150
    assert "Second page" in second["text"] and "Second page" not in first["text"]
    assert _inside(_chars_of(second, "Second page"), lines[1]["box"], scale)


def test_several_uploads_make_one_file_in_order(team, member, queued):
    uploads = []
    for word in ("Alpha", "Bravo"):
        upload = services.create_upload(team, member, png_bytes(text_image([word], size=(300, 100))), f"{word}.png").upload
        uploads.append(_finish(upload, [{"text": word, "confidence": 1.0, "box": _box(40, 40, 150, 85)}]))
    pages = text_with_positions(searchable_pdf.build(uploads))
    assert [p["text"].strip() for p in pages] == ["Alpha", "Bravo"]


def test_nothing_finished_or_too_many_pages_is_refused(team, member, queued, settings):
    pending = services.create_upload(team, member, png_bytes(text_image(["x"])), "x.png").upload
    with pytest.raises(searchable_pdf.SearchablePdfError, match="finished"):
        searchable_pdf.build([pending])
    settings.OCRSPACE_SEARCHABLE_PDF_MAX_PAGES = 1
    done = [_finish(services.create_upload(team, member, png_bytes(text_image([w])), f"{w}.png").upload,
                    [{"text": w, "confidence": 1.0, "box": _box(40, 40, 90, 85)}]) for w in ("one", "two")]
    with pytest.raises(searchable_pdf.SearchablePdfError, match="at most 1"):
        searchable_pdf.build(done)


def test_text_beyond_latin1_is_kept(team, member, queued):
    upload = services.create_upload(team, member, png_bytes(text_image(["x"], size=(500, 120))), "zh.png").upload
    upload = _finish(upload, [{"text": "销售报表 Q3", "confidence": 0.9, "box": _box(40, 40, 300, 85)}])
    [page] = text_with_positions(searchable_pdf.build([upload]))
    assert "销售报表 Q3" in page["text"]
