"""Documents in: the three targets of PDF input and searchable PDF output.

    .venv/bin/python -m bench.documents [--runs 3]

Runs the platform's own path on a scratch SQLite database and media
directory (a temporary ``OCRSPACE_VAR_DIR``), with the real engine in this
process, as a worker runs it (``services.create_upload`` then
``tasks.run_ocr``):

1. a 10-page image-only PDF (A4 at 150 DPI, text on every page) is read in
   at most 10 times the time of one page image of the same size (target
   ratio <= 10);
2. a born-digital 100-page PDF (a text layer on every page) is ingested,
   from arriving bytes to the stored result, in <= 5 s;
3. the searchable PDF of a 1280x720 result is made in <= 200 ms.

Prints the median of ``--runs`` runs of each (new bytes every run, so
deduplication never answers) and whether each target is met. Timings on a
shared machine are indicative.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

LINES = ["Quarterly report {n}: revenue grew in the north", "Invoice {n}-4711 paid on 2025-03-{d:02d}",
         "Shipment {n} arrived at warehouse seven", "Total due {n}.50 EUR, thank you"]


def _setup(var_dir: str) -> None:
    os.environ["OCRSPACE_VAR_DIR"] = var_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocrspace.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _page_image(n: int, size=(1240, 1754)):
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 30)
    for row in range(12):
        draw.text((120, 150 + row * 110), LINES[row % len(LINES)].format(n=n * 100 + row, d=row + 1),
                  font=font, fill="black")
    return image


def _png(image) -> bytes:
    import io

    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _image_pdf(images, dpi=150) -> bytes:
    from fpdf import FPDF

    document = FPDF(unit="pt")
    for image in images:
        width, height = image.width * 72 / dpi, image.height * 72 / dpi
        document.add_page(format=(width, height))
        document.image(image, x=0, y=0, w=width, h=height)
    return bytes(document.output())


def _text_pdf(pages: int, seed: int) -> bytes:
    from fpdf import FPDF

    document = FPDF(unit="pt", format="A4")
    document.set_auto_page_break(False)
    for page in range(pages):
        document.add_page()
        document.set_font("helvetica", size=11)
        for row in range(40):
            document.text(60, 60 + row * 18, LINES[row % len(LINES)].format(n=seed * 1000 + page * 40 + row, d=1))
    return bytes(document.output())


def _read(team, user, data: bytes, name: str) -> tuple[float, object]:
    """Seconds from the bytes to the stored result (create_upload + run_ocr)."""
    from recognition import services, tasks
    from recognition.models import Upload

    start = time.perf_counter()
    upload = services.create_upload(team, user, data, name).upload
    outcome = tasks.run_ocr(upload.pk)
    elapsed = time.perf_counter() - start
    if not outcome.startswith("done"):
        raise SystemExit(f"{name}: {outcome}")
    return elapsed, Upload.objects.select_related("result").get(pk=upload.pk)


def _print_extract(data: bytes, words: int = 12) -> None:
    """The PDF's text layer as a viewer selects it: each word and its box in PDF points."""
    import pypdfium2

    page = pypdfium2.PdfDocument(data)[0]
    text = page.get_textpage()
    full = text.get_text_range()
    print(f"page {page.get_width():.0f} x {page.get_height():.0f} pt; text layer: {full[:80]!r}…")
    start = 0
    for word in full.split()[:words]:
        index = full.index(word, start)
        start = index + len(word)
        boxes = [text.get_charbox(i) for i in range(index, index + len(word))]
        left, bottom = min(b[0] for b in boxes), min(b[1] for b in boxes)
        right, top = max(b[2] for b in boxes), max(b[3] for b in boxes)
        print(f"  {word!r:24} x {left:6.1f}-{right:6.1f}  y {bottom:6.1f}-{top:6.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--extract", action="store_true",
                        help="only the searchable PDF of a 1280x720 page: print its first words and their boxes "
                             "as a PDF viewer finds them (pypdfium2)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ocrspace-bench-documents-") as var_dir:
        _setup(var_dir)
        from django.contrib.auth import get_user_model

        from recognition import engine_gateway, searchable_pdf, services
        from teams import services as team_services

        services.enqueue = lambda upload_id: None  # this process is the worker
        user = get_user_model().objects.create_user("bench", "bench@example.com", "bench-password-1")
        team = team_services.create_team(user, "Bench documents")
        engine_gateway.warm_up()
        _read(team, user, _png(_page_image(999)), "warm-up.png")

        if args.extract:
            _, shot = _read(team, user, _png(_page_image(4242, size=(1280, 720))), "screen.png")
            _print_extract(searchable_pdf.build([shot]))
            return 0
        single, document = [], []
        for run in range(args.runs):
            single.append(_read(team, user, _png(_page_image(run)), f"page-{run}.png")[0])
            pages = [_page_image(run * 10 + p) for p in range(10)]
            seconds, upload = _read(team, user, _image_pdf(pages), f"scan-{run}.pdf")
            assert upload.page_count == 10 and {p["source"] for p in upload.result.pages} == {"ocr"}
            document.append(seconds)
        one, ten = statistics.median(single), statistics.median(document)
        ratio = ten / one

        born = []
        for run in range(args.runs):
            seconds, upload = _read(team, user, _text_pdf(100, run), f"born-digital-{run}.pdf")
            assert upload.page_count == 100 and {p["source"] for p in upload.result.pages} == {"text_layer"}
            born.append(seconds)
        born_s = statistics.median(born)

        _, shot = _read(team, user, _png(_page_image(4242, size=(1280, 720))), "screen.png")
        made = []
        for _ in range(max(args.runs, 5)):
            start = time.perf_counter()
            data = searchable_pdf.build([shot])
            made.append(time.perf_counter() - start)
        pdf_ms = statistics.median(made) * 1000

    print(f"1. one A4 page image (1240x1754): {one:.2f} s; 10-page image-only PDF: {ten:.2f} s; "
          f"ratio {ratio:.2f} (target <= 10) {'OK' if ratio <= 10 else 'MISSED'}")
    print(f"2. born-digital 100-page PDF ingested in {born_s:.2f} s (target <= 5 s) {'OK' if born_s <= 5 else 'MISSED'}")
    print(f"3. searchable PDF of a 1280x720 result ({len(shot.result.lines)} lines, {len(data) // 1024} kB): "
          f"{pdf_ms:.0f} ms (target <= 200 ms) {'OK' if pdf_ms <= 200 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
