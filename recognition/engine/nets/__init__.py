"""PyTorch networks of the OCR engine (PaddleOCR PP-OCRv4 mobile and PP-OCRv6
small / tiny, ported); ``catalog`` loads them by family name.

This subpackage imports torch; keep it out of the web process (import it
lazily in workers only).

Input conventions (all float32, channel order BGR like the reference):

- ``detector``: [N, 3, H, W], H and W multiples of 32,
  ``(x / 255 - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225]``
  -> [N, 1, H, W] text probability.
- ``recognizer``: [N, 3, 48, W], ``(x / 255 - 0.5) / 0.5``
  -> [N, W // 8, 6625] softmax over ``charset`` (index 0 = CTC blank).
- ``classifier``: [N, 3, 48, 192], ``(x / 255 - 0.5) / 0.5``
  -> [N, 2] softmax over ("0", "180").
"""

from .catalog import DEFAULT_WEIGHTS_ROOT, FAMILIES, load_models
from .loading import FrozenModule, LoadedModels, WeightsInvalid, WeightsNotFound
from .models import DIRECTION_LABELS, NUM_CLASSES, DirectionClassifier, TextDetector, TextRecognizer

__all__ = [
    "DEFAULT_WEIGHTS_ROOT",
    "DIRECTION_LABELS",
    "FAMILIES",
    "NUM_CLASSES",
    "DirectionClassifier",
    "FrozenModule",
    "LoadedModels",
    "TextDetector",
    "TextRecognizer",
    "WeightsInvalid",
    "WeightsNotFound",
    "load_models",
]
