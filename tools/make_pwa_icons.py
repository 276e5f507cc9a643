"""Draw the installable app's icons into static/img/ (run once; the PNGs are
committed): ``python -m tools.make_pwa_icons``.

A white page with lines of "text" and a magnifier on the brand blue; the
maskable one keeps everything inside the safe zone (the middle 80 %)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
BLUE = (36, 86, 211)


def icon(size: int, maskable: bool = False) -> Image.Image:
    scale = 4  # drawn large, then reduced, for smooth edges
    big = size * scale
    image = Image.new("RGB", (big, big), BLUE)
    draw = ImageDraw.Draw(image)
    inset = big * (0.22 if maskable else 0.14)
    page = (inset, inset, big - inset, big - inset * 0.9)
    draw.rounded_rectangle(page, radius=big * 0.05, fill="white")
    left, top, right, bottom = page
    step = (bottom - top) / 7
    for n in range(1, 6):
        y = top + step * n
        end = right - (right - left) * (0.18 if n % 2 else 0.38)
        draw.rounded_rectangle((left + step * 0.8, y - step * 0.16, end, y + step * 0.16), radius=step * 0.16,
                               fill=(190, 200, 220))
    cx, cy, r = right - (right - left) * 0.3, bottom - (bottom - top) * 0.32, (right - left) * 0.17
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=BLUE, width=int(r * 0.35))
    draw.line((cx + r * 0.7, cy + r * 0.7, cx + r * 1.6, cy + r * 1.6), fill=BLUE, width=int(r * 0.4))
    return image.resize((size, size), Image.LANCZOS)


def main() -> None:
    target = ROOT / "static" / "img"
    for size in (192, 512):
        icon(size).save(target / f"icon-{size}.png", optimize=True)
    icon(512, maskable=True).save(target / "icon-maskable-512.png", optimize=True)


if __name__ == "__main__":
    main()
