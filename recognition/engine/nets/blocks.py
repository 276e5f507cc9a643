"""Small building blocks shared by the backbones, necks and heads.

Every parameter lives in a leaf module (Conv2d, BatchNorm2d, Linear, LayerNorm,
``LearnableAffine``): the weight converter pairs parameters with the ONNX
weights in the order the leaf modules run, so no module mixes its own
parameters with children.
"""

from __future__ import annotations

import torch
from torch import nn


def make_divisible(value: float, divisor: int = 8, min_value: int | None = None) -> int:
    """Round a scaled channel count the way the reference networks do.

    Rounds to the nearest multiple of ``divisor`` but never drops more than 10 %
    below ``value`` (the usual MobileNet rule); the pretrained weights were
    built with it, so channel counts must match it exactly.
    """
    min_value = min_value or divisor
    rounded = max(min_value, int(value + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * value:
        rounded += divisor
    return rounded


class LearnableAffine(nn.Module):
    """``scale * x + bias`` with two learned scalars (PP-LCNetV3's "LAB")."""

    def __init__(self, scale: float = 1.0, bias: float = 0.0) -> None:
        super().__init__()
        self.scale = nn.Parameter(torch.tensor([scale]))
        self.bias = nn.Parameter(torch.tensor([bias]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.scale + self.bias


class HardSigmoid(nn.Module):
    """``clamp(slope * x + offset, 0, 1)``.

    The networks use two slopes: 1/6 (PyTorch's ``hardsigmoid``) in PP-LCNetV3
    and 0.2 (Paddle's default) in the detector neck and MobileNetV3, so the
    slope is explicit rather than relying on ``nn.Hardsigmoid``.
    """

    def __init__(self, slope: float = 0.2, offset: float = 0.5) -> None:
        super().__init__()
        self.slope = slope
        self.offset = offset

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.clamp(x * self.slope + self.offset, 0.0, 1.0)

    def extra_repr(self) -> str:
        return f"slope={self.slope}, offset={self.offset}"


class SqueezeExcite(nn.Module):
    """Channel attention: global pool, bottleneck 1x1 convs, hard sigmoid gate.

    ``residual=True`` gives the detector neck's variant ``x + x * gate``.
    """

    def __init__(self, channels: int, reduction: int = 4, slope: float = 0.2, residual: bool = False) -> None:
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.reduce = nn.Conv2d(channels, channels // reduction, 1)
        self.relu = nn.ReLU()
        self.expand = nn.Conv2d(channels // reduction, channels, 1)
        self.gate = HardSigmoid(slope, 0.5)
        self.residual = residual

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        weight = self.gate(self.expand(self.relu(self.reduce(self.pool(x)))))
        out = x * weight
        return x + out if self.residual else out


class ConvBN(nn.Sequential):
    """Conv (no bias) + BatchNorm + optional activation.

    Kept as separate modules in the checkpoint (faithful to the source
    weights); ``fuse.fold_batch_norms`` merges the norm into the conv at load
    time when optimisation is requested.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] = 0,
        groups: int = 1,
        act: nn.Module | None = None,
    ) -> None:
        layers: list[nn.Module] = [
            nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding, groups=groups, bias=False),
            nn.BatchNorm2d(out_channels),
        ]
        if act is not None:
            layers.append(act)
        super().__init__(*layers)
