"""The engine with a team vocabulary, end to end on rendered lines."""
from __future__ import annotations

import pathlib

import cv2
import numpy as np
import pytest

from recognition.engine import Vocabulary
from tests.recognition.engine.conftest import CJK, render_lines

NOTO_SANS_CJK = pathlib.Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def blurred(text: str, font: pathlib.Path, size: int, sigma: float) -> np.ndarray:
    if not font.exists():
        pytest.fail(f"font {font} is missing (tools/install-system-packages.sh installs it)")
    return cv2.GaussianBlur(render_lines([text], font, size), (0, 0), sigmaX=sigma)


@pytest.mark.parametrize("text,term,font", [
    ("周頔负责本次发布", "周頔", NOTO_SANS_CJK),  # read 周颇 without the vocabulary
    ("请联系王龑确认订单", "王龑", CJK),  # read 王窦
])
def test_a_rare_name_the_image_supports_is_read_with_the_vocabulary(engine, text, term, font):
    image = blurred(text, font, 16, 1.4)
    plain = engine.recognize(image)
    assert term not in plain.text  # the network alone misreads the rare character
    vocabulary = Vocabulary([term, "XK-7731B", "Zentrixa"])
    read = engine.recognize(image, vocabulary=vocabulary)
    assert read.text == text
    assert read.engine_version == engine.version_for(vocabulary) != plain.engine_version


def test_clearly_read_text_is_left_alone(engine):
    image = render_lines(["Order XK-7731D shipped", "联系人 龚坤"], CJK, 22)
    plain = engine.recognize(image)
    assert "XK-7731D" in plain.text and "龚坤" in plain.text
    read = engine.recognize(image, vocabulary=Vocabulary(["XK-7731B", "龚堃", "Zentrixa"]))
    assert read.text == plain.text


def test_without_a_vocabulary_nothing_changes(engine):
    image = blurred("周頔负责本次发布", NOTO_SANS_CJK, 16, 1.4)
    plain = engine.recognize(image)
    for empty in (None, Vocabulary([])):
        again = engine.recognize(image, vocabulary=empty)
        assert (again.text, again.engine_version) == (plain.text, plain.engine_version)
