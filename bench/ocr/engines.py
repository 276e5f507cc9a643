"""Engine adapters: each turns image bytes into (page text, lines).

An adapter is created inside its own worker process (see worker.py) so that
model memory and threads never mix between engines.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ENGINES = ("ours", "rapidocr", "tesseract")


@dataclass
class Output:
    text: str
    lines: list[dict] = field(default_factory=list)
    extra: dict = field(default_factory=dict)


@dataclass
class Adapter:
    name: str
    version: str
    recognize: Callable[[bytes], Output]


class Unavailable(RuntimeError):
    """The engine cannot run here (not installed or not written yet)."""


def parse_value(raw: str) -> Any:
    """``--ours-option`` values: int, float, true/false/none, else the string."""
    low = raw.lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("none", "null"):
        return None
    for conv in (int, float):
        try:
            return conv(raw)
        except ValueError:
            pass
    return raw


def check(name: str) -> str | None:
    """None when the engine looks runnable, else a reason (cheap, no model load)."""
    import importlib.util

    if name == "ours":
        try:
            if importlib.util.find_spec("recognition.engine") is None:
                return "recognition.engine is not in this tree yet"
        except (ImportError, ValueError) as e:
            return f"recognition.engine cannot be found: {e}"
        return None
    if name == "rapidocr":
        return None if importlib.util.find_spec("rapidocr_onnxruntime") else "rapidocr_onnxruntime is not installed"
    if name == "tesseract":
        return None if shutil.which("tesseract") else "tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-chi-sim)"
    return f"unknown engine {name!r}"


def load(name: str, threads: int, options: dict[str, Any] | None = None) -> Adapter:
    if name == "ours":
        return _ours(threads, options or {})
    if name == "rapidocr":
        return _rapidocr(threads)
    if name == "tesseract":
        return _tesseract()
    raise Unavailable(f"unknown engine {name!r}")


def _ours(threads: int, options: dict[str, Any]) -> Adapter:
    try:
        from recognition.engine import EngineConfig, OcrEngine
    except ImportError as e:
        raise Unavailable(f"recognition.engine does not provide OcrEngine/EngineConfig yet ({e})") from e
    try:
        engine = OcrEngine(EngineConfig(threads=threads, **options))
    except TypeError as e:
        raise Unavailable(f"EngineConfig rejected the options {options}: {e}") from e

    def run(data: bytes) -> Output:
        r = engine.recognize(data)
        lines = [{"text": ln.text, "confidence": float(ln.confidence), "box": _plain(ln.box)} for ln in r.lines]
        return Output(r.text, lines, {"timings": dict(getattr(r, "timings", {}) or {}),
                                      "confidence": float(getattr(r, "confidence", 0.0) or 0.0)})

    probe = getattr(engine, "engine_version", None) or "unknown"
    return Adapter("ours", str(probe), run)


def _rapidocr(threads: int) -> Adapter:
    try:
        import rapidocr_onnxruntime
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as e:
        raise Unavailable(f"rapidocr_onnxruntime cannot be imported: {e}") from e
    # Its defaults, except the thread count, which is pinned for a fair comparison.
    engine = RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1)

    def run(data: bytes) -> Output:
        result, _ = engine(data)
        lines = [{"text": text, "confidence": float(score), "box": _plain(box)} for box, text, score in (result or [])]
        return Output("\n".join(ln["text"] for ln in lines), lines)

    import onnxruntime

    version = getattr(rapidocr_onnxruntime, "__version__", None) or _dist_version("rapidocr-onnxruntime")
    return Adapter("rapidocr", f"rapidocr-onnxruntime {version}, onnxruntime {onnxruntime.__version__}", run)


def _tesseract() -> Adapter:
    exe = shutil.which("tesseract")
    if not exe:
        raise Unavailable("tesseract is not installed")
    version = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # its own threading is much slower on 2 cores
    tmp = tempfile.mkdtemp(prefix="bench-tess-")

    def run(data: bytes) -> Output:
        path = os.path.join(tmp, "page.jpg" if data[:2] == b"\xff\xd8" else "page.png")
        with open(path, "wb") as f:
            f.write(data)
        p = subprocess.run([exe, path, "stdout", "-l", "chi_sim+eng"], capture_output=True, env=env, timeout=300)
        if p.returncode != 0:
            raise RuntimeError(p.stderr.decode("utf-8", "replace")[-500:])
        text = p.stdout.decode("utf-8", "replace")
        lines = [{"text": ln} for ln in text.split("\n") if ln.strip()]
        return Output("\n".join(ln["text"] for ln in lines), lines)

    return Adapter("tesseract", f"{version} (chi_sim+eng, OMP_THREAD_LIMIT=1)", run)


def _plain(box: Any) -> Any:
    """Boxes as JSON-friendly nested lists of floats."""
    if hasattr(box, "tolist"):
        box = box.tolist()
    if isinstance(box, (list, tuple)):
        return [_plain(b) for b in box]
    try:
        return round(float(box), 1)
    except (TypeError, ValueError):
        return str(box)


def _dist_version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "?"
