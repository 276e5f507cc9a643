"""Plain result and configuration types (no heavy imports)."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import pathlib
from dataclasses import dataclass
from typing import Any, Literal

# Bump whenever a change to the pipeline can change the text it produces:
# stored results carrying an older version are then recomputed.
PIPELINE_VERSION = "2"

Point = list[int]


@dataclass
class Line:
    """One visual line of text, in reading order."""

    text: str
    confidence: float
    # Four corners (top-left, top-right, bottom-right, bottom-left) in
    # original image pixels.
    box: list[Point]

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "confidence": round(float(self.confidence), 4),
            "box": [[int(x), int(y)] for x, y in self.box],
        }


@dataclass
class OcrResult:
    """What the engine read in one image.

    ``confidence`` is the character-weighted mean of the per-character
    confidences of all lines (spaces the engine inferred from the layout are
    not counted); 0.0 when nothing was read.
    """

    text: str
    confidence: float
    lines: list[Line]
    timings: dict[str, float]
    engine_version: str
    width: int
    height: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "confidence": round(float(self.confidence), 4),
            "lines": [line.to_dict() for line in self.lines],
            "timings": {k: round(float(v), 1) for k, v in self.timings.items()},
            "engine_version": self.engine_version,
            "width": int(self.width),
            "height": int(self.height),
        }


@dataclass(frozen=True)
class EngineConfig:
    """Engine settings. Fields marked *output* change what is read and are
    part of ``OcrResult.engine_version``; the others only change speed."""

    weights_dir: pathlib.Path | str | None = None  # None: recognition/engine/weights
    device: str = "cpu"
    threads: int | None = None  # None: the cores this process may run on

    # Input limits (decoding of bytes).
    max_bytes: int = 50 * 1024 * 1024
    max_pixels: int = 60_000_000

    # Preprocessing (*output*). See preprocess.py for what each step does.
    # All off by default: the PP-OCRv4 models were trained on colour images
    # of both polarities, and on the benchmark's dark-theme screenshots
    # automatic inversion raised CER (14.2% -> 12.6% when turned off, 75
    # images of bench/out/devset-full). The others are for photos and scans.
    invert: Literal["auto", "always", "never"] = "never"
    grayscale: bool = False
    clahe: bool = False
    denoise: bool = False
    binarize: bool = False
    deskew: bool = False

    # Detection (*output*).
    det_short_side_cap: int = 1280  # downscale only when the short side exceeds this
    det_min_long_side: int = 800  # small images are upscaled towards this
    det_max_upscale: float = 2.0
    det_max_pixels: int = 1_100_000  # beyond this (after scaling) the image is tiled
    det_tile: int = 0  # tile length along the long axis; 0: as long as det_max_pixels allows
    det_thresh: float = 0.3
    box_thresh: float = 0.5
    unclip_ratio: float = 1.6
    min_box_size: int = 3

    # Recognition (*output*).
    use_classifier: bool = False
    rec_split_width: int = 800  # crops wider than this (at height 48) are split
    rec_piece_width: int = 560  # target width of the pieces
    rec_batch_size: int = 16
    rec_batch_columns: int = 1536  # bounds recognizer memory (about 60 KB per column)
    insert_spaces: bool = True

    # Reading order (*output*): read cards, bubbles and sidebars one at a
    # time (panels.py).
    panels: bool = True

    _SPEED_ONLY = ("weights_dir", "device", "threads", "max_bytes", "max_pixels", "rec_batch_size",
                   "rec_batch_columns", "det_max_pixels", "det_tile")

    def fingerprint(self) -> str:
        """Short stable hash of the settings that change the output."""
        items = {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if f.name not in self._SPEED_ONLY
        }
        blob = json.dumps(items, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:8]


@dataclass
class DecodedImage:
    """A decoded image: ``array`` is RGB, uint8, shape (height, width, 3)."""

    array: Any  # numpy.ndarray; typed loosely to keep this module import-light
    format: str
    width: int
    height: int


@dataclass(frozen=True)
class ImageInfo:
    format: str
    width: int
    height: int


__all__ = ["Line", "OcrResult", "EngineConfig", "DecodedImage", "ImageInfo", "PIPELINE_VERSION"]
