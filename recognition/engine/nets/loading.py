"""Loading the converted weights into ready-to-run modules."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import torch
from torch import nn

from .fuse import fold_batch_norms
from .models import DIRECTION_LABELS
from .pointwise import run_pointwise_as_matmul

CONVERT_HINT = "run `python -m tools.convert_weights` (or `make weights`) to build them from the pretrained ONNX files"


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
    fallback: nn.Module | None = None  # a second recognizer for doubtful lines
    fallback_charset: list[str] | None = None


def _read_state(path: Path, device: str) -> dict[str, torch.Tensor]:
    try:
        return torch.load(path, map_location=device, weights_only=True)
    except FileNotFoundError:
        raise WeightsNotFound(f"{path} not found; {CONVERT_HINT}") from None
    except Exception as exc:  # truncated file, not a checkpoint, ...
        raise WeightsInvalid(f"cannot read {path}: {exc}; {CONVERT_HINT}") from exc


def build_module(factory: Callable[[], nn.Module], path: Path, device: str, optimize: bool,
                 overrides: dict[str, torch.Tensor] | None = None) -> nn.Module:
    """The network ``factory`` builds, with the weights of ``path``, in eval mode.

    ``overrides`` replaces some of those weights (a team's fine-tuned neck
    and head); every one of its keys must belong to the network.

    ``optimize`` folds batch norms and learned affines into the preceding
    convs (and lets a network fuse more of its own, ``fuse_for_inference``)
    and runs the convolutions in channels-last layout, a recognizer's 1x1 ones
    as matrix products (``pointwise``): same results up to float rounding,
    faster on CPU (bench/models_speed.py, bench/v6_rec_speed.py).
    """
    model = factory()
    try:
        model.load_state_dict(_read_state(path, device), strict=True)
    except RuntimeError as exc:  # key or shape mismatch
        raise WeightsInvalid(f"{path} does not match {type(model).__name__}: {exc}; {CONVERT_HINT}") from exc
    if overrides:
        _override(model, overrides)
    model = model.to(device).eval()
    for p in model.parameters():
        p.requires_grad_(False)
    if optimize:
        fold_batch_norms(model)
        if hasattr(model, "fuse_for_inference"):
            model.fuse_for_inference()
        if hasattr(model, "use_channels_last"):
            model.use_channels_last()
        if getattr(model, "pointwise_as_matmul", False):
            run_pointwise_as_matmul(model)
    return model


def _override(model: nn.Module, overrides: dict[str, torch.Tensor]) -> None:
    own = model.state_dict()
    strangers = [k for k, v in overrides.items() if k not in own or own[k].shape != v.shape]
    if strangers:
        raise WeightsInvalid(f"fine-tuned weights do not fit {type(model).__name__}: {', '.join(strangers[:5])}")
    model.load_state_dict(overrides, strict=False)


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


def trace_and_freeze(model: nn.Module, example: torch.Tensor) -> FrozenModule:
    """TorchScript trace + freeze: constant weights let oneDNN pre-pack them and fuse
    conv + activation, about 1.5-2x faster for the detector on CPU, for any input size
    (the modules read no sizes in Python, so the trace stays shape-generic)."""
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # torch.jit.trace is deprecated but still the fastest path here
        return FrozenModule(torch.jit.freeze(torch.jit.trace(model, example, check_trace=False)))
