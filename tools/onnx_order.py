"""The order in which a module's parameter-holding layers run.

The pretrained ONNX graphs list their compute nodes in execution order, and
our PyTorch modules run their layers in the same order; every converter pairs
the two by running the module once on an example input and noting which
leaf modules run, in which order.
"""
from __future__ import annotations

import torch
from torch import nn


class LayersNotRun(ValueError):
    """Some parameter-holding modules never ran on the example input."""


def layers_in_execution_order(model: nn.Module, example: torch.Tensor) -> list[tuple[str, nn.Module]]:
    """(qualified name, module) of every leaf module holding parameters or
    buffers, in the order of its first call on ``example``."""
    owners = {m: n for n, m in model.named_modules()
              if any(True for _ in m.parameters(recurse=False)) or own_buffers(m)}
    called: list[nn.Module] = []

    def note(module: nn.Module, _inputs) -> None:
        if module not in called:
            called.append(module)

    hooks = [m.register_forward_pre_hook(note) for m in owners]
    try:
        with torch.no_grad():
            model(example)
    finally:
        for hook in hooks:
            hook.remove()
    missed = [owners[m] for m in owners if m not in called]
    if missed:
        raise LayersNotRun(f"modules never ran during the ordering pass: {missed}")
    return [(owners[m], m) for m in called]


def own_buffers(module: nn.Module) -> list[str]:
    """Names of a module's own buffers, without batch norm's step counter."""
    return [n for n, _ in module.named_buffers(recurse=False) if n != "num_batches_tracked"]
