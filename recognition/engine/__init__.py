"""ocrspace OCR engine (PP-OCRv6 and PP-OCRv4 models running on PyTorch).

Importing this package is cheap and never imports torch: the web process
uses ``decode_image`` / ``probe_image`` to validate uploads, and only worker
processes construct an ``OcrEngine``.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

# oneDNN keeps the primitives (with their reordered weights) of up to this
# many input shapes; its default of 1024 let a worker grow by ~80 MB over a
# chat, a tall capture and a photo (bench.engine_memory: 743 -> 688 MB peak at
# 32), with the same CPU time on repeated pages. Read when torch first runs a
# network, so setting it here (before any model is loaded) is in time.
os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "32")

from .errors import CorruptImage, EmptyImage, ImageError, ImageTooLarge, UnsupportedImage
from .config import EngineConfig
from .profiles import DEFAULT_PROFILE, PROFILES, UnknownProfile, profile_config
from .types import PIPELINE_VERSION, DecodedImage, ImageInfo, Line, OcrResult
from .vocabulary import Vocabulary

if TYPE_CHECKING:  # pragma: no cover
    from .engine import OcrEngine
    from .image_io import decode_image, probe_image

__all__ = [
    "OcrEngine", "EngineConfig", "OcrResult", "Line", "decode_image", "probe_image",
    "DecodedImage", "ImageInfo", "ImageError", "UnsupportedImage", "CorruptImage",
    "ImageTooLarge", "EmptyImage", "PIPELINE_VERSION", "PROFILES", "DEFAULT_PROFILE", "UnknownProfile",
    "profile_config", "Vocabulary",
]

# Loaded on first use: image_io pulls in Pillow/numpy, engine pulls in OpenCV.
_LAZY = {"OcrEngine": ".engine", "decode_image": ".image_io", "probe_image": ".image_io"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
