"""PP-LCNetV4 backbone of the PP-OCRv6 text recognisers (inference form).

The exported v6 recognisers are already re-parameterised: each depthwise
"rep" conv (3x3 + 1x1 + identity branches in training) is one 3x3 conv with a
bias, and the batch norms of the backbone are folded into the convs before
them (except in the tiny stem). So the modules below describe the inference
form only, which is also what runs fastest.

Every block is a "token mixer" (depthwise 3x3 conv, optionally followed by a
squeeze-excite gate) and a "channel mixer" (1x1 expand x2, GELU, 1x1
compress). Blocks that keep the shape add the channel mixer's output to its
input; the first block of each later stage halves the height (stride (2, 1))
and widens the channels instead, without a residual.

Downsampling of a 48-pixel-high line: the stem halves both sides twice
(48x W -> 12 x W/4), the stage transitions halve the height only (12 -> 6 ->
3), and the final 3x2 average pool makes the height 1 and halves the width
once more. With floor rounding that gives
``T = floor((floor((W - 1) / 4) + 1) / 2)`` frames, i.e. W / 8 when W is a
multiple of 8 (the engine pads batches to multiples of 64).
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import torch
from torch import nn
from torch.nn import functional as F

from .blocks import ConvBN, SqueezeExcite

Stride = int | tuple[int, int]

# The stage transitions halve the height only: text lines need horizontal
# resolution for the per-column CTC output.
TRANSITION_STRIDE = (2, 1)
# Hidden width of every channel mixer, relative to the block's input channels.
MLP_RATIO = 2


class ChannelMixer(nn.Module):
    """1x1 expand -> GELU -> 1x1 compress (a per-pixel MLP with folded batch norms)."""

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int) -> None:
        super().__init__()
        self.expand = nn.Conv2d(in_channels, hidden_channels, 1)
        self.act = nn.GELU()  # the exact (erf) form, as in the graph
        self.compress = nn.Conv2d(hidden_channels, out_channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.compress(self.act(self.expand(x)))


class LCNetV4Block(nn.Module):
    """Token mixer (depthwise 3x3 [+ squeeze-excite]) then channel mixer.

    ``residual`` holds when the block keeps both channels and resolution; the
    transition blocks (stride (2, 1), more channels) have none. In the
    residual case the shortcut starts after the token mixer (the depthwise
    conv's own identity branch was folded into its kernel at export).
    """

    def __init__(self, in_channels: int, out_channels: int, stride: Stride = 1, use_se: bool = False) -> None:
        super().__init__()
        self.depthwise = nn.Conv2d(in_channels, in_channels, 3, stride, 1, groups=in_channels)
        # Same gate as PP-LCNetV3's: reduction 4, hard sigmoid of slope 1/6.
        self.se = SqueezeExcite(in_channels, reduction=4, slope=1 / 6) if use_se else nn.Identity()
        self.channel_mixer = ChannelMixer(in_channels, in_channels * MLP_RATIO, out_channels)
        self.residual = in_channels == out_channels and stride in (1, (1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.se(self.depthwise(x))
        out = self.channel_mixer(x)
        return x + out if self.residual else out


class SimpleStem(nn.Module):
    """Tiny variant: two stride-2 3x3 conv + BN layers, GELU between them."""

    def __init__(self, mid_channels: int, out_channels: int) -> None:
        super().__init__()
        self.conv1 = ConvBN(3, mid_channels, 3, stride=2, padding=1, act=nn.GELU())
        self.conv2 = ConvBN(mid_channels, out_channels, 3, stride=2, padding=1)
        self.out_channels = out_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv2(self.conv1(x))


def _pad_same_2x2(x: torch.Tensor) -> torch.Tensor:
    """Zero padding of one row and one column at the end: "SAME" for a 2x2 window at stride 1."""
    return F.pad(x, (0, 1, 0, 1))


class BranchStem(nn.Module):
    """Small variant: HGNet-style stem with a conv branch and a max-pool branch.

    stride-2 3x3 conv -> {2x2 conv -> 2x2 conv | 2x2 max pool} -> concat ->
    stride-2 3x3 conv -> 1x1 conv, all with ReLU (batch norms folded). The 2x2
    windows use "SAME" padding at the bottom/right; padding the max pool with
    zeros instead of -inf is exact because its input comes out of a ReLU.
    """

    def __init__(self, mid_channels: int, out_channels: int) -> None:
        super().__init__()
        half = mid_channels // 2
        self.conv1 = nn.Conv2d(3, mid_channels, 3, 2, 1)
        self.branch_conv1 = nn.Conv2d(mid_channels, half, 2)
        self.branch_conv2 = nn.Conv2d(half, mid_channels, 2)
        self.pool = nn.MaxPool2d(2, 1)
        self.conv2 = nn.Conv2d(2 * mid_channels, mid_channels, 3, 2, 1)
        self.conv3 = nn.Conv2d(mid_channels, out_channels, 1)
        self.relu = nn.ReLU()
        self.out_channels = out_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(self.conv1(x))
        branch = self.relu(self.branch_conv1(_pad_same_2x2(x)))
        branch = self.relu(self.branch_conv2(_pad_same_2x2(branch)))
        pooled = self.pool(_pad_same_2x2(x))
        x = self.relu(self.conv2(torch.cat([pooled, branch], dim=1)))
        return self.relu(self.conv3(x))


class StageSpec(NamedTuple):
    channels: int
    # One entry per block: whether it has a squeeze-excite gate. The first
    # block of every stage but the first is the (2, 1) transition.
    squeeze_excite: tuple[bool, ...]


class BackboneSpec(NamedTuple):
    stem: type[nn.Module]
    stem_channels: tuple[int, int]  # (mid, out)
    stages: tuple[StageSpec, ...]


# Read off the exported graphs (channels, strides and SE placement of every block).
BACKBONES = {
    "small": BackboneSpec(
        BranchStem,
        (48, 96),
        (
            StageSpec(96, (True, False, False)),
            StageSpec(192, (False, True, False, True, False, True, False)),
            StageSpec(384, (False, True, False)),
        ),
    ),
    "tiny": BackboneSpec(
        SimpleStem,
        (24, 48),
        (
            StageSpec(48, (True, False)),
            StageSpec(96, (False, True, False)),
            StageSpec(160, (False, True, False, False)),
        ),
    ),
}


def _blocks(in_channels: int, stages: Sequence[StageSpec]) -> list[LCNetV4Block]:
    blocks = []
    for index, stage in enumerate(stages):
        for position, use_se in enumerate(stage.squeeze_excite):
            transition = index > 0 and position == 0
            blocks.append(LCNetV4Block(in_channels, stage.channels, TRANSITION_STRIDE if transition else 1, use_se))
            in_channels = stage.channels
    return blocks


class PPLCNetV4(nn.Module):
    """[N, 3, 48, W] -> [N, C, 1, T] feature columns (T ~ W / 8, see the module docstring)."""

    def __init__(self, variant: str) -> None:
        super().__init__()
        spec = BACKBONES[variant]
        self.stem = spec.stem(*spec.stem_channels)
        self.blocks = nn.Sequential(*_blocks(spec.stem_channels[1], spec.stages))
        self.out_channels = spec.stages[-1].channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # 3x2 pool: the height 3 left of a 48-pixel line becomes 1.
        return F.avg_pool2d(self.blocks(self.stem(x)), (3, 2))
