"""Fixtures for the OCR engine tests.

The engine (real PyTorch weights from ``python -m tools.convert_weights``) is
loaded once per session with 2 threads. Text is rendered with DejaVu (Latin)
and WenQuanYi Micro Hei (Chinese, Debian package ``fonts-wqy-microhei``).
"""
from __future__ import annotations

import pathlib

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from tests.support import TESTDATA

DEJAVU = pathlib.Path("/usr/share/fonts/truetype/dejavu")
SANS = DEJAVU / "DejaVuSans.ttf"
SERIF = DEJAVU / "DejaVuSerif.ttf"
MONO = DEJAVU / "DejaVuSansMono.ttf"
CJK = pathlib.Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
REAL_SCANS = TESTDATA / "real-scans"


def font(path: pathlib.Path, size: int) -> ImageFont.FreeTypeFont:
    if not path.exists():
        pytest.fail(f"font {path} is missing (apt-get install -y fonts-dejavu-core fonts-wqy-microhei)")
    return ImageFont.truetype(str(path), size)


def render_lines(lines: list[str], path: pathlib.Path = SANS, size: int = 20, width: int | None = None,
                 bg=(255, 255, 255), fg=(20, 20, 20), margin: int = 24, spacing: float = 1.8) -> np.ndarray:
    """RGB image with the lines drawn top to bottom."""
    f = font(path, size)
    probe = ImageDraw.Draw(Image.new("RGB", (10, 10)))
    text_w = max(int(probe.textlength(t, font=f)) for t in lines)
    w = width or text_w + 2 * margin
    h = int(len(lines) * size * spacing) + 2 * margin
    im = Image.new("RGB", (w, h), bg)
    d = ImageDraw.Draw(im)
    for i, t in enumerate(lines):
        d.text((margin, margin + int(i * size * spacing)), t, font=f, fill=fg)
    return np.array(im)


@pytest.fixture(scope="session")
def engine():
    from recognition.engine import DEFAULT_PROFILE, EngineConfig, OcrEngine

    try:
        from recognition.engine.nets import WeightsNotFound
    except ImportError as exc:  # pragma: no cover
        pytest.fail(f"recognition.engine.nets is not importable: {exc}")
    try:
        eng = OcrEngine(EngineConfig.for_profile(DEFAULT_PROFILE, threads=2))
    except WeightsNotFound as exc:
        pytest.fail(f"model weights missing, build them with `python -m tools.convert_weights`: {exc}")
    return eng


# Test modules cannot import conftest under --import-mode=importlib; the
# helpers are handed out as fixtures.
@pytest.fixture(scope="session")
def render():
    return render_lines


@pytest.fixture(scope="session")
def fonts():
    return {"sans": SANS, "serif": SERIF, "mono": MONO, "cjk": CJK}


@pytest.fixture(scope="session")
def char_error_rate():
    """CER(hypothesis, reference), whitespace ignored: the benchmark's scorer."""
    from bench.ocr.score import cer

    return lambda hyp, ref: cer(ref, hyp)
