"""A team's fine-tuned recognizer, used in place of the profile's own.

A team model keeps only the parameters fine-tuning changed (the neck and
the head, ``training.trainer``); loading puts them over the pretrained
recognizer of the same family and prepares the network for inference as
the engine's own. The engine stays shared by every team: a read names the
team's recognizer, and its ``tag`` joins the result's engine version, so a
result is only ever reused for the same model.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TunedRecognizer:
    family: str  # the model family it was tuned from (must be the engine's recognizer)
    tag: str  # short and stable: which team model, which file
    module: Any  # torch nn.Module, [N, 3, 48, W] -> [N, T, classes] softmax


def state_to_bytes(state: dict) -> bytes:
    import torch

    buffer = io.BytesIO()
    torch.save(state, buffer)
    return buffer.getvalue()


def state_from_bytes(data: bytes) -> dict:
    import torch

    return torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)


def load_tuned(family: str, tag: str, data: bytes, *, device: str = "cpu",
               weights_root: Any = None) -> TunedRecognizer:
    """The recognizer of ``family`` with the fine-tuned weights in ``data``
    (``state_to_bytes`` of a trained state); raises ``WeightsInvalid`` when
    they do not fit."""
    from .nets.catalog import load_recognizer
    from .nets.loading import WeightsInvalid

    try:
        state = state_from_bytes(data)
    except Exception as exc:  # truncated or not a checkpoint
        raise WeightsInvalid(f"cannot read the fine-tuned weights {tag}: {exc}") from exc
    module, _ = load_recognizer(family, weights_root=weights_root, device=device, overrides=state)
    return TunedRecognizer(family, tag, module)


def load_trainable(family: str, base: bytes | None = None, *, threads: int = 0,
                   weights_root: Any = None) -> tuple[Any, list[str]]:
    """A private copy of ``family``'s recognizer as trained (no inference
    fusing), with earlier fine-tuned weights (``base``, ``state_to_bytes``)
    over it when given, and its charset: what ``training.trainer.finetune``
    changes."""
    import torch

    from .nets.catalog import load_recognizer

    if threads:
        torch.set_num_threads(threads)
    overrides = state_from_bytes(base) if base else None
    return load_recognizer(family, weights_root=weights_root, optimize=False, overrides=overrides)
