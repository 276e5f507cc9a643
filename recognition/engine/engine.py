"""The OCR engine: decode -> preprocess -> detect -> crop -> recognise ->
spaces -> reading order.

Importing this module does not import torch; the models are loaded when an
``OcrEngine`` is constructed, so the web process can import the package for
``decode_image`` and the types without paying for (or forking) torch.
"""
from __future__ import annotations

import os
import pathlib
import threading
import time
from typing import Any

import cv2
import numpy as np

from . import crops, preprocess
from .confusions import fix_confusions
from .ctc import FRAME_STRIDE, CharHit, ctc_greedy
from .db_postprocess import DBParams
from .detection import ScaleParams, detect
from .image_io import _to_rgb, decode_image
from .layout import Segment, join_row, reading_order
from .panels import find_panels
from .recognizer import normalise_rec, recognise
from .spacing import assemble
from .types import PIPELINE_VERSION, DecodedImage, EngineConfig, Line, OcrResult

TRIM_ABOVE_PIXELS = 1_500_000  # see release_memory
DEFAULT_WEIGHTS_DIR = pathlib.Path(__file__).resolve().parent / "weights"


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
    """Loads the models once; ``recognize`` is thread-safe (serialised)."""

    def __init__(self, config: EngineConfig | None = None, *, models: Any = None) -> None:
        import torch

        self.config = config = config or EngineConfig()
        self._torch = torch
        torch.set_num_threads(config.threads or available_cores())
        self.models_dir = pathlib.Path(config.weights_dir) if config.weights_dir else DEFAULT_WEIGHTS_DIR
        if models is None:
            from .nets import load_models

            models = load_models(self.models_dir, device=config.device, with_classifier=config.use_classifier)
        for part in (models.detector, models.recognizer, getattr(models, "classifier", None)):
            if part is not None and hasattr(part, "eval"):
                part.eval()
        self.models = models
        self.charset: list[str] = list(models.charset)
        self.engine_version = f"ocrspace-engine/{PIPELINE_VERSION}+{models.version}+{config.fingerprint()}"
        self._lock = threading.Lock()
        self._scale = ScaleParams(short_side_cap=config.det_short_side_cap,
                                  min_long_side=config.det_min_long_side,
                                  max_upscale=config.det_max_upscale,
                                  max_pixels=config.det_max_pixels, tile=config.det_tile)
        self._db = DBParams(thresh=config.det_thresh, box_thresh=config.box_thresh,
                            unclip_ratio=config.unclip_ratio, min_size=config.min_box_size)

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

    # -- pipeline ----------------------------------------------------------
    def warmup(self) -> None:
        """Run once on a small synthetic image (first calls are slower)."""
        img = np.full((64, 256, 3), 255, np.uint8)
        cv2.putText(img, "warm up 123", (8, 44), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (0, 0, 0), 2)
        self.recognize(img, channels="bgr")

    def recognize(self, image: Any, *, channels: str = "rgb") -> OcrResult:
        """Read ``image``: bytes (any supported format), a numpy array (RGB
        by default, ``channels="bgr"`` for OpenCV arrays), a PIL image or a
        ``DecodedImage``."""
        with self._lock:
            return self._recognize(image, channels)

    def _recognize(self, image: Any, channels: str) -> OcrResult:
        cfg = self.config
        timings: dict[str, float] = {}
        t0 = t = time.perf_counter()

        def lap(name: str) -> None:
            nonlocal t
            now = time.perf_counter()
            timings[name] = (now - t) * 1000.0
            t = now

        bgr = to_bgr(image, channels, cfg)
        height, width = bgr.shape[:2]
        trim = height * width > TRIM_ABOVE_PIXELS
        lap("decode")

        img = self._preprocess(bgr)
        lap("preprocess")

        quads = [b.quad for b in detect(img, self._run_det, self._scale, self._db)]
        if cfg.deskew and quads:
            angle = preprocess.estimate_skew(quads)
            if 0.5 <= abs(angle) <= 20:
                rotated, back = preprocess.rotate(img, angle)
                quads = [preprocess.map_points(b.quad, back)
                         for b in detect(rotated, self._run_det, self._scale, self._db)]
        if trim:
            release_memory()
        lap("detect")

        crops48 = [crops.resize_to_height(crops.warp_quad(img, q)) for q in quads]
        lap("crop")
        if cfg.use_classifier and crops48 and self.models.classifier is not None:
            crops48 = self._orient(crops48)
            lap("classify")

        texts = self._read_lines(crops48)
        if trim:
            release_memory()
        lap("recognize")

        segs = [Segment(q, text, confs) for q, (text, confs) in zip(quads, texts)]
        lines: list[Line] = []
        all_confs: list[float] = []
        read = [s for s in segs if s.text]
        panels = []
        if cfg.panels and len(read) > 2:
            panels = find_panels(img, float(np.median([s.height for s in read])))
        for row in reading_order(read, panels=panels):
            text, confs, quad = join_row(row)
            if not text:
                continue
            conf = float(np.mean(confs)) if confs else 0.0
            box = [[int(round(x)), int(round(y))] for x, y in quad]
            lines.append(Line(text=text, confidence=conf, box=box))
            all_confs.extend(confs)
        lap("layout")
        timings["total"] = (time.perf_counter() - t0) * 1000.0
        return OcrResult(
            text="\n".join(line.text for line in lines),
            confidence=float(np.mean(all_confs)) if all_confs else 0.0,
            lines=lines,
            timings=timings,
            engine_version=self.engine_version,
            width=width,
            height=height,
        )

    def _preprocess(self, img: np.ndarray) -> np.ndarray:
        cfg = self.config
        if cfg.invert == "always" or (cfg.invert == "auto" and preprocess.is_dark_mode(img)):
            img = preprocess.invert(img)
        if cfg.denoise:
            img = preprocess.denoise(img)
        if cfg.grayscale:
            img = preprocess.to_grayscale(img)
        if cfg.clahe:
            img = preprocess.clahe(img)
        if cfg.binarize:
            img = preprocess.binarize(img)
        return img

    def _orient(self, images: list[np.ndarray], thresh: float = 0.9) -> list[np.ndarray]:
        """Turn crops the direction classifier is sure are upside down."""
        x = np.zeros((len(images), 3, 48, 192), np.float32)
        for k, im in enumerate(images):
            piece = im[:, :192]
            x[k, :, :, : piece.shape[1]] = normalise_rec(piece)
        probs = self._call(self.models.classifier, x)
        return [np.ascontiguousarray(im[::-1, ::-1]) if p[1] > thresh else im
                for im, p in zip(images, probs)]

    def _read_lines(self, images: list[np.ndarray]) -> list[tuple[str, list[float]]]:
        """Text and per-character confidences for every crop. Long crops are
        read in pieces (see crops.split_long) and stitched by CTC position."""
        cfg = self.config
        profiles = [crops.ink_profile(im) for im in images]
        pieces: list[np.ndarray] = []
        owners: list[tuple[int, crops.Piece]] = []
        for i, (im, prof) in enumerate(zip(images, profiles)):
            for pc in crops.split_long(prof, im.shape[1], cfg.rec_split_width, cfg.rec_piece_width):
                pieces.append(im[:, pc.start:pc.end])
                owners.append((i, pc))
        probs = recognise(pieces, self._run_rec, cfg.rec_batch_size, cfg.rec_batch_columns)
        hits: list[list[CharHit]] = [[] for _ in images]
        for (i, pc), p in zip(owners, probs):
            shift = pc.start // FRAME_STRIDE
            for h in ctc_greedy(p, self.charset):
                h = h.shifted(shift)
                if pc.own_start <= h.center_px < pc.own_end:
                    hits[i].append(h)
        out = []
        for hs, prof in zip(hits, profiles):
            if cfg.insert_spaces:
                hs = assemble(hs, prof)
            text = fix_confusions("".join(h.char for h in hs).strip())
            confs = [h.conf for h in hs if h.char != " "]
            out.append((text, confs))
        return out
