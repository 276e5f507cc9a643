"""The outputs are read from what the real engine stored: the engine
fixture (loaded once per session) and the fonts of the engine tests."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from tests.recognition.engine.conftest import CJK, MONO, SANS, engine, font  # noqa: F401  (fixture)
from recognition.outputs.source import current_lines


@pytest.fixture
def read(engine):  # noqa: F811
    """Read an RGB image and give back the lines as the platform stores them."""
    def run(image: np.ndarray):
        result = engine.recognize(image)
        return current_lines([line.to_dict() for line in result.lines], result.text, result.text)
    return run


def page(width: int, height: int):
    im = Image.new("RGB", (width, height), "white")
    return im, ImageDraw.Draw(im)


__all__ = ["CJK", "MONO", "SANS", "font", "page"]
