"""Plain result types (no heavy imports)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Bump whenever a change to the pipeline can change the text it produces:
# stored results carrying an older version are then recomputed.
# 4: lines carry their words with word and character boxes (text unchanged;
# bumped so that results reused for identical images carry them too).
PIPELINE_VERSION = "4"

Point = list[int]


@dataclass
class Line:
    """One visual line of text, in reading order."""

    text: str
    confidence: float
    # Four corners (top-left, top-right, bottom-right, bottom-left) in
    # original image pixels.
    box: list[Point]
    # A row of table or form cells (its text has tabs between them): each
    # cell's text and [x0, y0, x1, y1] box, left to right.
    cells: list[dict[str, Any]] | None = None
    # The line's words, left to right, with word and character boxes from
    # the CTC alignment (shape in words.py).
    words: list[dict[str, Any]] | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {
            "text": self.text,
            "confidence": round(float(self.confidence), 4),
            "box": [[int(x), int(y)] for x, y in self.box],
        }
        if self.cells:
            out["cells"] = self.cells
        if self.words:
            out["words"] = self.words
        return out


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
    profile: str = "custom"  # the engine profile that read it

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "confidence": round(float(self.confidence), 4),
            "lines": [line.to_dict() for line in self.lines],
            "timings": {k: round(float(v), 1) for k, v in self.timings.items()},
            "engine_version": self.engine_version,
            "profile": self.profile,
            "width": int(self.width),
            "height": int(self.height),
        }


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


__all__ = ["Line", "OcrResult", "DecodedImage", "ImageInfo", "PIPELINE_VERSION"]
