"""Draw the installable app's icons (static/img/icon-192.png, icon-512.png).

    .venv/bin/python -m tools.make_app_icons

The icons are committed; run this again only to change them. A full-bleed
square (usable as a maskable icon: the mark stays inside the safe circle)
with a page and a text cursor, in the site's blue.
"""
from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parents[1] / "static" / "img"
BLUE, WHITE, LIGHT = (36, 86, 211), (255, 255, 255), (190, 206, 245)


def draw(size: int) -> Image.Image:
    scale = 4  # drawn large, scaled down for smooth edges
    s = size * scale
    im = Image.new("RGB", (s, s), BLUE)
    d = ImageDraw.Draw(im)
    # A page inside the maskable safe zone (the central 80% circle).
    left, top, right, bottom = s * 0.30, s * 0.24, s * 0.70, s * 0.76
    d.rounded_rectangle((left, top, right, bottom), radius=s * 0.04, fill=WHITE)
    # Lines of text on it, the last one selected.
    for k, width in enumerate((0.30, 0.24, 0.28)):
        y = top + s * (0.10 + 0.11 * k)
        colour = BLUE if k < 2 else LIGHT
        d.rounded_rectangle((left + s * 0.05, y, left + s * (0.05 + width), y + s * 0.05), radius=s * 0.02, fill=colour)
    d.rectangle((left + s * 0.05, top + s * 0.40, left + s * 0.065, top + s * 0.48), fill=BLUE)
    return im.resize((size, size), Image.LANCZOS)


def main() -> None:
    for size in (192, 512):
        draw(size).save(OUT / f"icon-{size}.png", optimize=True)
        print(OUT / f"icon-{size}.png")


if __name__ == "__main__":
    main()
