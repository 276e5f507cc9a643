"""Rendered training and check lines.

- ``term_samples``: lines that carry a team's vocabulary terms, in the
  installed fonts, with the degradations screenshots and photos show
  (blur, JPEG, scaling, slight rotation, dark mode), so fine-tuning sees
  the terms in more looks than a few corrected crops give.
- ``general_samples``: everyday English, Chinese and mixed lines
  (``general_lines.txt``), the check that a team's model has not forgotten
  how to read everything else.

Everything is drawn from a seeded generator: the same inputs give the same
lines, so two runs' figures compare.
"""
from __future__ import annotations

import random
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .. import crops
from .samples import LineSample

# Debian's font packages that ``make system-packages`` installs.
CJK_FONTS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
             "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
             "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
             "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
LATIN_FONTS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
               "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
               "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
               "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")
DEGRADATIONS = ("clean", "blur", "jpeg", "scale", "rotate", "dark")
GENERAL_LINES = Path(__file__).with_name("general_lines.txt")

TERM_CONTEXTS_CJK = ("{}", "请联系{}确认", "{}已经完成", "关于{}的说明", "型号 {} 有货")
TERM_CONTEXTS_LATIN = ("{}", "Order {} shipped", "Please check {} today", "Ticket {} closed", "{} is ready")


class NoFonts(RuntimeError):
    """None of the fonts lines are rendered in is installed."""


def installed_fonts(cjk: bool) -> list[str]:
    """The installed fonts that can draw Chinese (``cjk``) or Latin text;
    CJK fonts draw Latin too."""
    names = CJK_FONTS if cjk else CJK_FONTS + LATIN_FONTS
    found = [name for name in names if Path(name).is_file()]
    if not found:
        raise NoFonts("no font for rendering training lines is installed (Debian: fonts-noto-cjk, fonts-wqy-microhei)")
    return found


def has_cjk(text: str) -> bool:
    return any("\u2e80" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff" for c in text)


def render_line(text: str, font_path: str, size: int, dark: bool = False) -> np.ndarray:
    """``text`` drawn on one line, cut to its ink with a margin, 48 high (BGR)."""
    font = ImageFont.truetype(font_path, size)
    left, top, right, bottom = font.getbbox(text)
    margin = max(4, size // 4)
    width, height = right - left + 2 * margin, bottom - top + 2 * margin
    ink, paper = ((230, 230, 230), (30, 33, 38)) if dark else ((20, 20, 20), (255, 255, 255))
    canvas = Image.new("RGB", (max(width, 8), max(height, 8)), paper)
    ImageDraw.Draw(canvas).text((margin - left, margin - top), text, font=font, fill=ink)
    return crops.resize_to_height(cv2.cvtColor(np.asarray(canvas), cv2.COLOR_RGB2BGR))


def degrade(image: np.ndarray, kind: str, rng: random.Random) -> np.ndarray:
    """One of ``DEGRADATIONS`` applied to a 48-high line (``dark`` is drawn
    by ``render_line``; here it is the identity)."""
    if kind == "blur":
        return cv2.GaussianBlur(image, (0, 0), rng.uniform(0.6, 1.2))
    if kind == "jpeg":
        ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(25, 60)])
        return cv2.imdecode(data, cv2.IMREAD_COLOR) if ok else image
    if kind == "scale":
        factor = rng.uniform(0.45, 0.75)
        small = cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
        return crops.resize_to_height(small)
    if kind == "rotate":
        h, w = image.shape[:2]
        turn = cv2.getRotationMatrix2D((w / 2, h / 2), rng.uniform(-1.5, 1.5), 1.0)
        return cv2.warpAffine(image, turn, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    return image


def _render(text: str, rng: random.Random, kind: str, source: str) -> LineSample:
    font = rng.choice(installed_fonts(has_cjk(text)))
    image = render_line(text, font, rng.randint(22, 40), dark=kind == "dark")
    return LineSample(degrade(image, kind, rng), text, source)


def term_samples(terms: list[str], count: int, seed: int = 0) -> list[LineSample]:
    """``count`` lines, each showing one of ``terms`` (taken in turn) alone
    or in a short sentence, in a random installed font and degradation."""
    if not terms or count <= 0:
        return []
    rng = random.Random(seed)
    samples = []
    for k in range(count):
        term = terms[k % len(terms)]
        contexts = TERM_CONTEXTS_CJK if has_cjk(term) else TERM_CONTEXTS_LATIN
        samples.append(_render(rng.choice(contexts).format(term), rng, DEGRADATIONS[k % len(DEGRADATIONS)],
                               "vocabulary"))
    return samples


def _general_lines() -> list[str]:
    return [t for t in GENERAL_LINES.read_text(encoding="utf-8").splitlines() if t.strip()]


def general_samples(per_line: int = 2, seed: int = 0) -> list[LineSample]:
    """The everyday check lines, each rendered ``per_line`` times (clean,
    then degraded)."""
    rng = random.Random(seed)
    return [_render(text, rng, ("clean", "blur", "jpeg", "dark")[k % 4], "general")
            for text in _general_lines() for k in range(per_line)]


def replay_samples(count: int, seed: int = 1) -> list[LineSample]:
    """Everyday lines for training beside a team's: without them, a few
    epochs on one team's words made the network forget others (a run on
    one product name raised the everyday CER from 0 to 15 %). Each is a
    new line spliced from two halves of different check lines, so the
    check lines themselves are never trained on."""
    rng = random.Random(seed)
    lines = _general_lines()
    samples = []
    for k in range(count):
        first, second = rng.sample(lines, 2)
        text = (first[: len(first) // 2] + second[len(second) // 2:]).strip()
        samples.append(_render(text, rng, DEGRADATIONS[k % len(DEGRADATIONS)], "replay"))
    return samples
