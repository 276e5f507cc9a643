"""Backbone of the PP-OCRv6 text detectors (a PP-LCNetV4-style network).

Two parts:

- ``Stem``: a stride-4 stem with two branches (a 2x2 max pool next to two
  2x2 convs) whose outputs are concatenated, as in PP-HGNetV2. The 2x2
  stride-1 layers need *asymmetric* "same" padding (one extra row/column at
  the bottom/right, ONNX ``SAME_UPPER``); symmetric padding would shift
  every feature by one pixel.
- Four stages of ``LCNetV4Block``: a depthwise 3x3 conv (optionally followed
  by squeeze-excite) mixes space, then a two-layer 1x1 MLP with GELU mixes
  channels, with a residual around the MLP when the shape allows. The first
  block of stages 2-4 halves the resolution.

The exported weights have their batch norms already folded into the convs
(every conv carries a bias), so the modules here are the inference form and
there is nothing left to fold.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn
from torch.nn import functional as F

from .blocks import SqueezeExcite


def _same_upper_pads(kernel_size: int) -> tuple[int, int]:
    """(before, after) padding that keeps the size at stride 1, extra after."""
    before = (kernel_size - 1) // 2
    return before, kernel_size - 1 - before


class SameUpperConv2d(nn.Conv2d):
    """Stride-1 conv with ONNX ``SAME_UPPER`` padding (output size = input size).

    For an even kernel the padding cannot be split evenly; the reference puts
    the extra row and column at the bottom and right. Implemented as the
    larger padding on both sides, then dropping the surplus leading rows and
    columns: the same values as an explicit asymmetric pad, without copying
    the input into a padded buffer. The crop is a constant offset, so the
    module stays traceable for any input size.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int) -> None:
        before, after = _same_upper_pads(kernel_size)
        super().__init__(in_channels, out_channels, kernel_size, stride=1, padding=after)
        self.crop = after - before

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = super().forward(x)
        return y[:, :, self.crop :, self.crop :] if self.crop else y


class SameUpperMaxPool2d(nn.Module):
    """Stride-1 max pool with ``SAME_UPPER`` padding; padded cells never win.

    Written as elementwise maxima of shifted views (rows, then columns):
    identical results, and an order of magnitude faster on CPU than
    ``F.max_pool2d`` at stride 1 on these large stem maps. The slices use
    constant offsets only, so a trace stays valid for any input size.
    """

    def __init__(self, kernel_size: int) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        before, after = _same_upper_pads(kernel_size)
        self.pads = (before, after, before, after)

    def _max_along(self, x: torch.Tensor, dim: int) -> torch.Tensor:
        out = _shifted(x, dim, 0, self.kernel_size)
        for offset in range(1, self.kernel_size):
            out = torch.maximum(out, _shifted(x, dim, offset, self.kernel_size))
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.pad(x, self.pads, value=float("-inf"))
        return self._max_along(self._max_along(x, 2), 3)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, padding=SAME_UPPER"


def _shifted(x: torch.Tensor, dim: int, offset: int, kernel_size: int) -> torch.Tensor:
    """View of ``x`` along ``dim`` starting at ``offset``, ``kernel_size - 1`` shorter."""
    end = offset - (kernel_size - 1)  # negative or 0: constant, independent of the size
    index = slice(offset, end if end < 0 else None)
    return x[(slice(None),) * dim + (index,)]


class ConcatConv2d(nn.Conv2d):
    """A conv over the channel concatenation of several inputs, without the concatenation.

    By linearity, conv(cat(a, b)) = conv_a(a) + conv_b(b) with the weight
    split along its input channels: the same result up to float rounding,
    but the concatenated tensor is never materialised. In the stem that
    tensor is the largest of the whole network (2x the stem width at half
    resolution), and skipping it saves time and peak memory. The weight
    stays one tensor, laid out exactly as the reference's.
    """

    def forward(self, parts: list[torch.Tensor]) -> torch.Tensor:  # type: ignore[override]
        out = None
        start = 0
        for part in parts:
            stop = start + part.shape[1]
            weight = self.weight[:, start:stop]
            y = F.conv2d(part, weight, self.bias if out is None else None, self.stride, self.padding, self.dilation, self.groups)
            out = y if out is None else out + y
            start = stop
        return out


class Stem(nn.Module):
    """[N, 3, H, W] -> [N, out_channels, H/4, W/4].

    conv 3x3/2 -> two branches on the result (2x2 max pool | 2x2 conv ->
    2x2 conv) -> concat -> conv 3x3/2 -> conv 1x1. ReLU after every conv.
    """

    def __init__(self, width: int, out_channels: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, 3, stride=2, padding=1)
        self.conv2a = SameUpperConv2d(width, width // 2, 2)
        self.conv2b = SameUpperConv2d(width // 2, width, 2)
        self.pool = SameUpperMaxPool2d(2)
        self.conv3 = ConcatConv2d(2 * width, width, 3, stride=2, padding=1)
        self.conv4 = nn.Conv2d(width, out_channels, 1)
        self.relu = nn.ReLU(inplace=True)  # every input is a fresh conv output

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(self.conv1(x))
        branch = self.relu(self.conv2b(self.relu(self.conv2a(x))))
        x = self.conv3([self.pool(x), branch])  # pool first: the exported graph's channel order
        return self.relu(self.conv4(self.relu(x)))


class ChannelMlp(nn.Module):
    """1x1 conv -> GELU (exact, erf) -> 1x1 conv; hidden width is twice the input."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.fc1 = nn.Conv2d(in_channels, 2 * in_channels, 1)
        self.act = nn.GELU()
        self.fc2 = nn.Conv2d(2 * in_channels, out_channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.act(self.fc1(x)))


class LCNetV4Block(nn.Module):
    """Depthwise 3x3 conv [-> squeeze-excite] -> channel MLP [+ residual].

    The residual adds the MLP's input (the output of the spatial mixing, not
    the block's input) and exists only when the block keeps channels and
    resolution. The depthwise conv has no activation of its own.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int, use_se: bool) -> None:
        super().__init__()
        self.depthwise = nn.Conv2d(in_channels, in_channels, 3, stride, 1, groups=in_channels)
        # Backbone SE gates use PyTorch's hard sigmoid slope (1/6).
        self.se = SqueezeExcite(in_channels, reduction=4, slope=1 / 6) if use_se else nn.Identity()
        self.mlp = ChannelMlp(in_channels, out_channels)
        self.residual = in_channels == out_channels and stride == 1

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.se(self.depthwise(x))
        out = self.mlp(x)
        return x + out if self.residual else out


class StageSpec(NamedTuple):
    out_channels: int
    stride: int  # of the first block
    se: tuple[bool, ...]  # one entry per block: squeeze-excite after its depthwise conv


def default_stages(widths: tuple[int, int, int, int]) -> list[StageSpec]:
    """Depth (2, 3, 5, 3) and SE placement shared by the small and tiny detectors.

    Stages 2-4 start with a plain downsampling block; SE then alternates,
    starting on the block right after it (stage 1 starts with SE directly).
    """
    return [
        StageSpec(widths[0], 1, (True, False)),
        StageSpec(widths[1], 2, (False, True, False)),
        StageSpec(widths[2], 2, (False, True, False, True, False)),
        StageSpec(widths[3], 2, (False, True, False)),
    ]


class LCNetV4(nn.Module):
    """Stem + four stages -> feature maps at strides 4, 8, 16, 32.

    H and W need not be multiples of 32 here (every layer rounds up like the
    reference); the neck is what needs aligned sizes.
    """

    def __init__(self, stem_width: int, stages: list[StageSpec]) -> None:
        super().__init__()
        self.stem = Stem(stem_width, stages[0].out_channels)
        blocks = []
        cin = stages[0].out_channels
        for spec in stages:
            stage = []
            for i, use_se in enumerate(spec.se):
                stage.append(LCNetV4Block(cin, spec.out_channels, spec.stride if i == 0 else 1, use_se))
                cin = spec.out_channels
            blocks.append(nn.Sequential(*stage))
        self.stages = nn.ModuleList(blocks)
        self.out_channels = [spec.out_channels for spec in stages]

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        x = self.stem(x)
        features = []
        for stage in self.stages:
            x = stage(x)
            features.append(x)
        return features
