"""Loading the converted weights into ready-to-run modules."""

from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from .fuse import fold_batch_norms
from .models import DIRECTION_LABELS, NUM_CLASSES, DirectionClassifier, TextDetector, TextRecognizer

CONVERT_HINT = "run `python tools/convert_weights.py` (or `make weights`) to build them from the PP-OCRv4 ONNX files"


class WeightsNotFound(FileNotFoundError):
    """The converted weight files are missing from the weights directory."""


class WeightsInvalid(ValueError):
    """The weight files exist but do not fit the networks (stale or corrupt)."""


@dataclass(frozen=True)
class LoadedModels:
    detector: nn.Module
    recognizer: nn.Module
    classifier: nn.Module | None
    charset: list[str]
    version: str
    cls_labels: tuple[str, ...] = DIRECTION_LABELS


def _read_state(path: Path, device: str) -> dict[str, torch.Tensor]:
    try:
        return torch.load(path, map_location=device, weights_only=True)
    except FileNotFoundError:
        raise WeightsNotFound(f"{path} not found; {CONVERT_HINT}") from None
    except Exception as exc:  # truncated file, not a checkpoint, ...
        raise WeightsInvalid(f"cannot read {path}: {exc}; {CONVERT_HINT}") from exc


def _build(factory: type[nn.Module], path: Path, device: str, optimize: bool) -> nn.Module:
    model = factory()
    try:
        model.load_state_dict(_read_state(path, device), strict=True)
    except RuntimeError as exc:  # key or shape mismatch
        raise WeightsInvalid(f"{path} does not match {factory.__name__}: {exc}; {CONVERT_HINT}") from exc
    model = model.to(device).eval()
    for p in model.parameters():
        p.requires_grad_(False)
    if optimize:
        fold_batch_norms(model)
        model.use_channels_last()
    return model


class FrozenModule(nn.Module):
    """A frozen TorchScript module behind a plain ``nn.Module`` face.

    Frozen script modules lack ``training`` and other ``nn.Module`` state, so
    callers that treat the models as ordinary modules get this wrapper.
    """

    def __init__(self, frozen: torch.jit.ScriptModule) -> None:
        super().__init__()
        self.frozen = frozen
        self.training = False

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.frozen(x)


def _trace_and_freeze(model: nn.Module, example: torch.Tensor) -> FrozenModule:
    """TorchScript trace + freeze: constant weights let oneDNN pre-pack them and fuse
    conv + activation, about 1.5-2x faster for the detector on CPU, for any input size
    (the modules read no sizes in Python, so the trace stays shape-generic)."""
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # torch.jit.trace is deprecated but still the fastest path here
        return FrozenModule(torch.jit.freeze(torch.jit.trace(model, example, check_trace=False)))


def weights_version(weights_dir: Path) -> str:
    """Short id of the weight files' contents (changes whenever any file changes)."""
    digest = hashlib.sha256()
    for name in ("det.pt", "rec.pt", "cls.pt"):
        path = weights_dir / name
        if path.is_file():
            digest.update(name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return "ppocrv4-" + digest.hexdigest()[:12]


def load_models(
    weights_dir: Path,
    device: str = "cpu",
    with_classifier: bool = True,
    optimize: bool = True,
    trace_detector: bool | None = None,
) -> LoadedModels:
    """Load detector, recogniser and (optionally) direction classifier in eval mode.

    ``optimize`` folds batch norms and learned affines into the preceding convs
    and runs the convolutions in channels-last layout: same results up to
    float rounding, faster on CPU (bench/models_speed.py). The modules stay
    plain eager modules (dynamic batch size and image size).
    ``trace_detector`` (default: same as ``optimize``) additionally turns the
    detector into a frozen TorchScript module, the largest gain measured; the
    recogniser stays eager (tracing it was slower over varied line widths).
    Raises ``WeightsNotFound`` when files are missing, ``WeightsInvalid`` when
    they do not fit.
    """
    weights_dir = Path(weights_dir)
    meta_path = weights_dir / "meta.json"
    if not meta_path.is_file():
        raise WeightsNotFound(f"{meta_path} not found; {CONVERT_HINT}")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        charset = list(meta["charset"])
    except (ValueError, KeyError, TypeError) as exc:
        raise WeightsInvalid(f"{meta_path} is unreadable: {exc}; {CONVERT_HINT}") from exc
    if len(charset) != NUM_CLASSES:
        raise WeightsInvalid(f"{meta_path}: charset has {len(charset)} entries, expected {NUM_CLASSES}; {CONVERT_HINT}")

    detector = _build(TextDetector, weights_dir / "det.pt", device, optimize)
    if optimize if trace_detector is None else trace_detector:
        detector = _trace_and_freeze(detector, torch.zeros(1, 3, 320, 320, device=device))
    recognizer = _build(TextRecognizer, weights_dir / "rec.pt", device, optimize)
    classifier = _build(DirectionClassifier, weights_dir / "cls.pt", device, optimize) if with_classifier else None
    return LoadedModels(
        detector=detector,
        recognizer=recognizer,
        classifier=classifier,
        charset=charset,
        version=weights_version(weights_dir),
        cls_labels=tuple(meta.get("cls_labels", DIRECTION_LABELS)),
    )
