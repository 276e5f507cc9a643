"""Backbones: PP-LCNetV3 (detector and recogniser) and MobileNetV3-small
(direction classifier).

The pretrained PP-LCNetV3 weights are already re-parameterised: each
multi-branch "learnable rep" layer is one conv with bias followed by a learned
affine, so the modules here describe the inference form only.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import torch
from torch import nn
from torch.nn import functional as F

from .blocks import ConvBN, LearnableAffine, SqueezeExcite, make_divisible

Stride = int | tuple[int, int]


def _pair(stride: Stride) -> tuple[int, int]:
    return (stride, stride) if isinstance(stride, int) else stride


class RepConv(nn.Module):
    """Folded rep layer: conv (with bias) -> affine -> [hardswish -> affine].

    The reference skips the activation only for a plain stride of 2 (both
    directions); the recogniser's (2, 1) and (1, 2) strides keep it, and the
    exported graphs confirm that.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: Stride = 1, groups: int = 1) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, stride, (kernel_size - 1) // 2, groups=groups)
        self.affine = LearnableAffine()
        self.has_act = _pair(stride) != (2, 2)
        if self.has_act:
            self.act = nn.Hardswish()
            self.act_affine = LearnableAffine()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.affine(self.conv(x))
        if self.has_act:
            x = self.act_affine(self.act(x))
        return x


class LCNetV3Block(nn.Module):
    """Depthwise rep conv -> optional squeeze-excite -> pointwise rep conv."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: Stride, use_se: bool) -> None:
        super().__init__()
        self.depthwise = RepConv(in_channels, in_channels, kernel_size, stride, groups=in_channels)
        self.se = SqueezeExcite(in_channels, reduction=4, slope=1 / 6) if use_se else nn.Identity()
        self.pointwise = RepConv(in_channels, out_channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pointwise(self.se(self.depthwise(x)))


class BlockSpec(NamedTuple):
    kernel: int
    in_channels: int  # before scaling
    out_channels: int  # before scaling
    stride: Stride
    use_se: bool


def _stage(kernel: int, cin: int, cout: int, strides: Sequence[Stride], se: Sequence[bool]) -> list[BlockSpec]:
    """A stage: the first block changes channels, the rest keep them."""
    return [BlockSpec(kernel, cin if i == 0 else cout, cout, s, u) for i, (s, u) in enumerate(zip(strides, se))]


# Stages 2..6 of PP-LCNetV3. Only strides, kernel sizes and squeeze-excite
# placement differ between the detector and the recogniser; the recogniser
# keeps horizontal resolution (strides (2, 1)) to read long text lines.
def _lcnet_stages(for_detection: bool) -> list[list[BlockSpec]]:
    s2 = 2 if for_detection else (2, 1)
    return [
        _stage(3, 16, 32, [1], [False]),
        _stage(3, 32, 64, [2 if for_detection else 1, 1], [False] * 2),
        _stage(3, 64, 128, [s2, 1], [False] * 2),
        [BlockSpec(3, 128, 256, 2 if for_detection else (1, 2), False)] + [BlockSpec(5, 256, 256, 1, False)] * 4,
        [
            BlockSpec(5, 256, 512, s2, True),
            BlockSpec(5, 512, 512, 1, True),
            BlockSpec(5, 512, 512, 1 if for_detection else (2, 1), False),
            BlockSpec(5, 512, 512, 1, False),
        ],
    ]


# Channels of the four feature maps handed to the detector neck (before scaling).
_DETECTION_OUT_CHANNELS = (16, 24, 56, 480)


class PPLCNetV3(nn.Module):
    """PP-LCNetV3.

    Detection mode returns four feature maps (strides 4, 8, 16, 32) projected
    to ``out_channels``; recognition mode returns one map of height 1 and
    width W/8 (the final 3x2 average pool expects 48-pixel-high input).
    """

    def __init__(self, scale: float, for_detection: bool) -> None:
        super().__init__()
        self.for_detection = for_detection
        ch = lambda c: make_divisible(c * scale, 16)  # noqa: E731 - the reference rounds to 16
        self.stem = ConvBN(3, ch(16), 3, stride=2, padding=1)
        self.stages = nn.ModuleList(
            nn.Sequential(*(LCNetV3Block(ch(b.in_channels), ch(b.out_channels), b.kernel, b.stride, b.use_se) for b in stage))
            for stage in _lcnet_stages(for_detection)
        )
        if for_detection:
            # Registered after the stages: they run after the whole backbone,
            # which is also their order in the exported graph.
            self.projections = nn.ModuleList(
                nn.Conv2d(ch(cin), int(cout * scale), 1)
                for cin, cout in zip((64, 128, 256, 512), _DETECTION_OUT_CHANNELS)
            )
            self.out_channels = [int(c * scale) for c in _DETECTION_OUT_CHANNELS]
        else:
            self.out_channels = [ch(512)]

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        x = self.stem(x)
        x = self.stages[0](x)
        features = []
        for stage in self.stages[1:]:
            x = stage(x)
            features.append(x)
        if self.for_detection:
            return [proj(f) for proj, f in zip(self.projections, features)]
        return [F.avg_pool2d(x, (3, 2))]


class ResidualUnit(nn.Module):
    """MobileNetV3 inverted residual: expand -> depthwise -> [SE] -> project."""

    def __init__(self, cin: int, mid: int, cout: int, kernel: int, stride: Stride, use_se: bool, act: type[nn.Module]) -> None:
        super().__init__()
        self.expand = ConvBN(cin, mid, 1, act=act())
        self.depthwise = ConvBN(mid, mid, kernel, stride, (kernel - 1) // 2, groups=mid, act=act())
        self.se = SqueezeExcite(mid, reduction=4, slope=0.2) if use_se else nn.Identity()
        self.project = ConvBN(mid, cout, 1)
        self.residual = cin == cout and _pair(stride) == (1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.project(self.se(self.depthwise(self.expand(x))))
        return x + out if self.residual else out


# MobileNetV3-small for text lines: kernel, expansion, out, SE, activation, stride.
# Vertical-only strides keep the width of a 48x192 line crop.
_MOBILENET_SMALL = [
    (3, 16, 16, True, nn.ReLU, (2, 1)),
    (3, 72, 24, False, nn.ReLU, (2, 1)),
    (3, 88, 24, False, nn.ReLU, 1),
    (5, 96, 40, True, nn.Hardswish, (2, 1)),
    (5, 240, 40, True, nn.Hardswish, 1),
    (5, 240, 40, True, nn.Hardswish, 1),
    (5, 120, 48, True, nn.Hardswish, 1),
    (5, 144, 48, True, nn.Hardswish, 1),
    (5, 288, 96, True, nn.Hardswish, (2, 1)),
    (5, 576, 96, True, nn.Hardswish, 1),
    (5, 576, 96, True, nn.Hardswish, 1),
]


class MobileNetV3Small(nn.Module):
    """MobileNetV3-small (text-line variant) ending in a 2x2 max pool."""

    def __init__(self, scale: float = 0.35) -> None:
        super().__init__()
        ch = lambda c: make_divisible(c * scale, 8)  # noqa: E731
        self.stem = ConvBN(3, ch(16), 3, stride=2, padding=1, act=nn.Hardswish())
        units = []
        cin = ch(16)
        for kernel, mid, cout, use_se, act, stride in _MOBILENET_SMALL:
            units.append(ResidualUnit(cin, ch(mid), ch(cout), kernel, stride, use_se, act))
            cin = ch(cout)
        self.units = nn.Sequential(*units)
        self.last = ConvBN(cin, ch(576), 1, act=nn.Hardswish())
        self.pool = nn.MaxPool2d(2, 2)
        self.out_channels = ch(576)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pool(self.last(self.units(self.stem(x))))


__all__ = ["PPLCNetV3", "MobileNetV3Small"]
