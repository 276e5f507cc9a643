"""The OCR engine: decode -> preprocess -> detect -> crop -> recognise ->
spaces -> reading order, assembled from the stages in stages.py.

Importing this module does not import torch; the models are loaded when an
``OcrEngine`` is constructed, so the web process can import the package for
``decode_image`` and the types without paying for (or forking) torch.
"""
from __future__ import annotations

import os
import threading
import time
from typing import Any

import cv2
import numpy as np

from . import crops
from .config import EngineConfig
from .image_io import _to_rgb, decode_image
from .segments import Segment
from .stages import Layout, LineFinder, LineReader, Preprocessor
from .tuned import TunedRecognizer
from .types import PIPELINE_VERSION, DecodedImage, OcrResult
from .vocabulary import Vocabulary
from .words import text_frame, word_boxes

TRIM_ABOVE_PIXELS = 1_500_000  # see release_memory


def _load_malloc_trim() -> Any:
    try:
        import ctypes

        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


_MALLOC_TRIM = _load_malloc_trim()


def release_memory() -> None:
    """Hand freed heap memory back to the OS. Model calls with varying input
    shapes fragment glibc's heap and the process keeps growing from image to
    image; trimming once per stage keeps a worker near its working set
    (peak RSS ~770 MB instead of ~915 MB over three large dev-set images).
    It costs ~100 ms in page faults on the next calls, so the engine only
    trims after large images (after every model call it cost ~300 ms)."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def to_bgr(image: Any, channels: str = "rgb", config: EngineConfig | None = None) -> np.ndarray:
    """Any accepted input as a BGR uint8 (H, W, 3) array.

    bytes are decoded with ``decode_image``; numpy arrays are RGB unless
    ``channels="bgr"`` (2-D arrays are grayscale, 4 channels have alpha).
    """
    config = config or EngineConfig()
    if isinstance(image, (bytes, bytearray, memoryview)):
        image = decode_image(bytes(image), max_bytes=config.max_bytes, max_pixels=config.max_pixels)
    if isinstance(image, DecodedImage):
        return cv2.cvtColor(image.array, cv2.COLOR_RGB2BGR)
    if hasattr(image, "mode") and hasattr(image, "size") and hasattr(image, "convert"):  # PIL
        return cv2.cvtColor(_to_rgb(image), cv2.COLOR_RGB2BGR)
    if not isinstance(image, np.ndarray):
        raise TypeError(f"unsupported image type {type(image).__name__}")
    a = image
    if a.dtype != np.uint8:
        a = a.astype(np.float64)
        peak = float(a.max()) if a.size else 0.0
        if peak <= 1.0:
            a = a * 255.0
        elif peak > 255.0:
            a = a / 257.0
        a = np.clip(a + 0.5, 0, 255).astype(np.uint8)
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[:, :, 0]
    if a.ndim == 2:
        return cv2.cvtColor(a, cv2.COLOR_GRAY2BGR)
    if a.ndim != 3 or a.shape[2] not in (3, 4) or a.shape[0] == 0 or a.shape[1] == 0:
        raise ValueError(f"expected an (H, W), (H, W, 3) or (H, W, 4) array, got shape {a.shape}")
    if a.shape[2] == 4:  # flatten alpha onto white
        alpha = a[:, :, 3:4].astype(np.float32) / 255.0
        a = (a[:, :, :3].astype(np.float32) * alpha + 255.0 * (1 - alpha) + 0.5).astype(np.uint8)
    if channels.lower() == "rgb":
        return cv2.cvtColor(np.ascontiguousarray(a), cv2.COLOR_RGB2BGR)
    return np.ascontiguousarray(a)


class OcrEngine:
    """One assembled pipeline: the stages of ``config`` around its networks.

    The networks are loaded once (``nets.catalog``, shared by every engine
    of the process that names the same model); ``recognize`` is thread-safe
    (serialised).
    """

    def __init__(self, config: EngineConfig | None = None, *, models: Any = None) -> None:
        import torch

        self.config = config = config or EngineConfig()
        self._torch = torch
        torch.set_num_threads(config.threads or available_cores())
        if models is None:
            from .nets.catalog import load_models

            models = load_models(config.detector.model, config.recognizer.model, weights_root=config.weights_dir,
                                 device=config.device, with_classifier=config.recognizer.use_classifier,
                                 fallback=config.recognizer.fallback)
        for part in (models.detector, models.recognizer, getattr(models, "classifier", None)):
            if part is not None and hasattr(part, "eval"):
                part.eval()
        self.models = models
        self.charset: list[str] = list(models.charset)
        self.profile = config.profile
        self.engine_version = f"ocrspace-engine/{PIPELINE_VERSION}+{models.version}+{config.fingerprint()}"
        self._lock = threading.Lock()
        self.preprocess = Preprocessor(config.preprocess)
        self.find_lines = LineFinder(self._run_det, config.detector, deskew=config.preprocess.deskew)
        classifier = self._run_cls if getattr(models, "classifier", None) is not None else None
        second = None
        if getattr(models, "fallback", None) is not None:
            second = (lambda x: self._call(models.fallback, x), list(models.fallback_charset))
        self.read_lines = LineReader(self._run_rec, self.charset, config.recognizer, config.spacing, classifier, second,
                                     config.vocabulary)
        self.layout = Layout(config.layout)

    # -- model calls -------------------------------------------------------
    def _call(self, net: Any, x: np.ndarray) -> np.ndarray:
        t = self._torch.from_numpy(x)
        if self.config.device != "cpu":
            t = t.to(self.config.device)
        with self._torch.inference_mode():
            y = net(t)
        return y.float().cpu().numpy()

    def _run_det(self, x: np.ndarray) -> np.ndarray:
        return self._call(self.models.detector, x)[0, 0]

    def _run_rec(self, x: np.ndarray) -> np.ndarray:
        return self._call(self.models.recognizer, x)

    def _run_cls(self, x: np.ndarray) -> np.ndarray:
        return self._call(self.models.classifier, x)

    # -- pipeline ----------------------------------------------------------
    def warm_up(self) -> None:
        """Read a small synthetic page once, so that the first real page does
        not pay for the first model calls (oneDNN primitive creation)."""
        img = np.full((96, 512, 3), 255, np.uint8)
        cv2.putText(img, "warm up 123", (8, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (0, 0, 0), 2)
        self.recognize(img, channels="bgr")

    def version_for(self, vocabulary: Vocabulary | None = None, recognizer: TunedRecognizer | None = None) -> str:
        """The ``engine_version`` of a read with ``vocabulary`` and a team's
        ``recognizer``: the engine's own version, plus the team model's tag
        and the vocabulary's fingerprint, so a result is only ever reused
        for the same model and list of terms."""
        version = self.engine_version
        if recognizer is not None:
            version += f"+m{recognizer.tag}"
        if vocabulary:
            version += f"+v{self.config.vocabulary_fingerprint(vocabulary.fingerprint)}"
        return version

    def accepts(self, recognizer: TunedRecognizer) -> bool:
        """Whether ``recognizer`` was tuned from this engine's recognizer."""
        return recognizer.family == self.config.recognizer.model

    def recognize(self, image: Any, *, channels: str = "rgb", vocabulary: Vocabulary | None = None,
                  recognizer: TunedRecognizer | None = None) -> OcrResult:
        """Read ``image``: bytes (any supported format), a numpy array (RGB
        by default, ``channels="bgr"`` for OpenCV arrays), a PIL image or a
        ``DecodedImage``. With a ``vocabulary`` (a team's terms), decoding
        favours its terms where the network's evidence supports them; with
        a team's fine-tuned ``recognizer`` (of this engine's family), lines
        are read with it. The engine itself stays the same for every team."""
        if recognizer is not None and not self.accepts(recognizer):
            raise ValueError(f"a recognizer tuned from {recognizer.family} cannot read for the "
                             f"{self.profile} profile ({self.config.recognizer.model})")
        with self._lock:
            return self._recognize(image, channels, vocabulary or None, recognizer)

    def _recognize(self, image: Any, channels: str, vocabulary: Vocabulary | None = None,
                   recognizer: TunedRecognizer | None = None) -> OcrResult:
        timings: dict[str, float] = {}
        t0 = t = time.perf_counter()

        def lap(name: str) -> None:
            nonlocal t
            now = time.perf_counter()
            timings[name] = (now - t) * 1000.0
            t = now

        bgr = to_bgr(image, channels, self.config)
        height, width = bgr.shape[:2]
        trim = height * width > TRIM_ABOVE_PIXELS
        lap("decode")
        img = self.preprocess(bgr)
        lap("preprocess")
        quads = self.find_lines(img)
        if trim:
            release_memory()
        lap("detect")
        crops48 = [crops.resize_to_height(crops.warp_quad(img, q)) for q in quads]
        lap("crop")
        run = None if recognizer is None else (lambda x: self._call(recognizer.module, x))
        readings = self.read_lines.read(crops48, vocabulary, run=run)
        if trim:
            release_memory()
        lap("recognize")
        segments = [Segment(q, r.text, r.confs,
                            words=word_boxes(r.chars, r.text, text_frame(q, img.shape), r.width, r.flipped))
                    for q, r in zip(quads, readings)]
        lines, confidences = self.layout(img, segments)
        lap("layout")
        timings["total"] = (time.perf_counter() - t0) * 1000.0
        return OcrResult(
            text="\n".join(line.text for line in lines),
            confidence=float(np.mean(confidences)) if confidences else 0.0,
            lines=lines,
            timings=timings,
            engine_version=self.version_for(vocabulary, recognizer),
            width=width,
            height=height,
            profile=self.profile,
        )
