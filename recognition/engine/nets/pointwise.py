"""1x1 convolutions run as plain matrix products (inference only).

On the CPU, PyTorch hands every convolution to oneDNN, which builds (and
caches) a kernel for each input shape. The recognizers see a new batch
shape on almost every page (line count x padded width), and most of their
convolutions are 1x1 channel mixers, so a worker spent much of its time
building kernels: on a batch of two 640-wide lines the PP-OCRv6 tiny
recognizer took 2.4x onnxruntime's time. A 1x1 convolution over a
channels-last tensor is exactly a matrix product of the [pixels, channels]
view with the [out, in] weight, which the BLAS runs for any shape without
building anything, and with no copy in or out.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


class PointwiseConv2d(nn.Conv2d):
    """A 1x1, stride-1, ungrouped ``nn.Conv2d`` (same parameters, same state
    dict) that multiplies channels-last inputs directly."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 4 or not x.is_contiguous(memory_format=torch.channels_last):
            return super().forward(x)
        # [N, C, H, W] in channels-last memory is a contiguous [N, H, W, C].
        y = F.linear(x.permute(0, 2, 3, 1), self.weight.flatten(1), self.bias)
        return y.permute(0, 3, 1, 2)  # channels-last again, no copy


def _is_pointwise(module: nn.Module) -> bool:
    return (type(module) is nn.Conv2d and module.kernel_size == (1, 1) and module.stride == (1, 1)
            and module.padding == (0, 0) and module.dilation == (1, 1) and module.groups == 1
            and module.padding_mode == "zeros")


def run_pointwise_as_matmul(model: nn.Module) -> nn.Module:
    """Turn every plain 1x1 convolution of ``model`` into a ``PointwiseConv2d``
    in place (weights untouched); returns ``model``."""
    for module in model.modules():
        if _is_pointwise(module):
            module.__class__ = PointwiseConv2d
    return model
