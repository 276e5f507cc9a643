"""Necks: RSE-FPN for the DB detector, SVTR encoder for the recogniser."""

from __future__ import annotations

from typing import Callable, Sequence

import torch
from torch import nn
from torch.nn import functional as F

from .blocks import ConvBN, SqueezeExcite


class RSELayer(nn.Module):
    """Conv (no bias) followed by a residual squeeze-excite."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, padding=kernel_size // 2, bias=False)
        self.se = SqueezeExcite(out_channels, reduction=4, slope=0.2, residual=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.se(self.conv(x))


def _upsample(x: torch.Tensor, factor: int) -> torch.Tensor:
    # Nearest neighbour with an integer factor: the exported graph uses
    # "asymmetric" coordinates with floor rounding, which is exactly this.
    return F.interpolate(x, scale_factor=float(factor), mode="nearest")


class RSEFPN(nn.Module):
    """Feature pyramid with squeeze-excite on every lateral and output conv.

    Output: the four levels reduced to ``out_channels // 4`` each, upsampled
    to stride 4 and concatenated -> ``out_channels`` channels at 1/4 size.
    Input sizes must be multiples of 32 so that the levels line up.
    """

    def __init__(self, in_channels: Sequence[int], out_channels: int = 96,
                 output_block: Callable[[int], nn.Module] | None = None) -> None:
        super().__init__()
        # Index 0 = stride 4 ... index 3 = stride 32. ``output_block(channels)``
        # makes each level's output branch (default: a 3x3 conv with SE).
        output_block = output_block or (lambda c: RSELayer(c, c // 4, 3))
        self.lateral = nn.ModuleList(RSELayer(c, out_channels, 1) for c in in_channels)
        self.output = nn.ModuleList(output_block(out_channels) for _ in in_channels)
        self.out_channels = out_channels

    def forward(self, features: list[torch.Tensor]) -> torch.Tensor:
        c2, c3, c4, c5 = features
        # Evaluated top-down (coarsest level first), as in the reference; the
        # weight converter relies on this execution order.
        in5 = self.lateral[3](c5)
        in4 = self.lateral[2](c4)
        in3 = self.lateral[1](c3)
        in2 = self.lateral[0](c2)

        out4 = in4 + _upsample(in5, 2)
        out3 = in3 + _upsample(out4, 2)
        out2 = in2 + _upsample(out3, 2)

        p5 = self.output[3](in5)
        p4 = self.output[2](out4)
        p3 = self.output[1](out3)
        p2 = self.output[0](out2)
        return torch.cat([_upsample(p5, 8), _upsample(p4, 4), _upsample(p3, 2), p2], dim=1)


class Attention(nn.Module):
    """Multi-head self-attention over the sequence of columns."""

    def __init__(self, dim: int, num_heads: int) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.head_dim = dim // num_heads
        self.scale = self.head_dim**-0.5
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: [N, L, C]. unflatten/flatten keep batch and length symbolic, so a
        # traced module still accepts any batch size and line width.
        qkv = self.qkv(x).unflatten(-1, (3, self.num_heads, self.head_dim)).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)  # each [N, heads, L, head_dim]
        attn = torch.softmax((q * self.scale) @ k.transpose(-2, -1), dim=-1)
        return self.proj((attn @ v).transpose(1, 2).flatten(2))


class Mlp(nn.Module):
    def __init__(self, dim: int, hidden: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.SiLU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.act(self.fc1(x)))


class TransformerBlock(nn.Module):
    """Pre-norm transformer block (swish MLP), as in SVTR's global mixing."""

    def __init__(self, dim: int, num_heads: int, mlp_ratio: float, eps: float = 1e-5) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=eps)
        self.attn = Attention(dim, num_heads)
        self.norm2 = nn.LayerNorm(dim, eps=eps)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class SVTRNeck(nn.Module):
    """SVTR encoder: local convs, global transformer mixing, fused with a shortcut.

    Input: backbone map [N, C, 1, W]; output [N, dims, 1, W].
    """

    def __init__(self, in_channels: int, dims: int = 120, depth: int = 2, num_heads: int = 8, mlp_ratio: float = 2.0) -> None:
        super().__init__()
        swish = nn.SiLU
        self.conv1 = ConvBN(in_channels, in_channels // 8, (1, 3), padding=(0, 1), act=swish())
        self.conv2 = ConvBN(in_channels // 8, dims, 1, act=swish())
        self.blocks = nn.Sequential(*(TransformerBlock(dims, num_heads, mlp_ratio) for _ in range(depth)))
        self.norm = nn.LayerNorm(dims, eps=1e-6)
        self.conv3 = ConvBN(dims, in_channels, 1, act=swish())
        self.conv4 = ConvBN(2 * in_channels, in_channels // 8, (1, 3), padding=(0, 1), act=swish())
        self.conv1x1 = ConvBN(in_channels // 8, dims, 1, act=swish())
        self.out_channels = dims

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shortcut = x
        z = self.conv2(self.conv1(x))
        # The map has height 1 (48-pixel input), so the sequence is the width:
        # [N, C, 1, W] -> [N, W, C] and back without reading any sizes.
        z = z.squeeze(2).transpose(1, 2)
        z = self.norm(self.blocks(z))
        z = z.transpose(1, 2).unsqueeze(2)
        z = self.conv3(z)
        return self.conv1x1(self.conv4(torch.cat([shortcut, z], dim=1)))
