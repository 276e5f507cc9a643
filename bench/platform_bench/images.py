"""Screenshot-like test images, different for every index (so no two are
deduplicated), deterministic (so every run uploads the same bytes)."""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
WORDS = ("invoice total amount order shipped customer meeting report revenue budget "
         "release notes deadline review payment balance account summary").split()


@lru_cache(maxsize=4)
def _font(size: int):
    try:
        return ImageFont.truetype(FONT, size)
    except OSError:  # no DejaVu: Pillow's own scalable font
        return ImageFont.load_default(size)


def _page(i: int, size: tuple[int, int], lines: int, font_size: int, pitch: int, words: int) -> bytes:
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    font = _font(font_size)
    for row in range(lines):
        text = " ".join(WORDS[(i * 7 + row * 3 + k) % len(WORDS)] for k in range(words))
        draw.text((40, 20 + row * pitch), f"{row + 1}. {text} #{i}-{row * 13}", font=font, fill=(30, 30, 30))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def screenshot(i: int) -> bytes:
    """A 1280×720 page with 20 lines of text (websocket, drain, recognize)."""
    return _page(i, (1280, 720), lines=20, font_size=18, pitch=34, words=6)


def small_screenshot(i: int) -> bytes:
    """An 800×450 page with 8 lines (about 15–20 KB): the upload-latency load."""
    return _page(i, (800, 450), lines=8, font_size=16, pitch=50, words=5)
