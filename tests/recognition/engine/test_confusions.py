"""Look-alike fixes inside Latin words."""
from __future__ import annotations

import pytest

from recognition.engine.confusions import fix_confusions


@pytest.mark.parametrize("read, meant", [
    ("APl", "API"),
    ("the HDMl port", "the HDMI port"),
    ("0rder: 12", "Order: 12"),
    ("15 0ct 2024", "15 Oct 2024"),
    ("Pr0duct", "Product"),
    ("ST0P", "STOP"),
])
def test_look_alikes_fixed(read, meant):
    assert fix_confusions(read) == meant


@pytest.mark.parametrize("text", [
    "ls -l", "ln -s", "col0 = row0", "0x1f", "N0", "v1.0", "2024-10-01", "Ml", "URLs", "lsof", "中文 0 个",
    "html", "x86", "100",
])
def test_code_and_numbers_left_alone(text):
    assert fix_confusions(text) == text
