"""PP-OCRv6 text recognisers (small and tiny), ported from the exported ONNX graphs.

Both are PP-LCNetV4 (``ppocrv6_rec_backbone``) + a sequence mixer + a CTC
classifier:

- small: SVTR-style neck (local depthwise 1x7 conv, two transformer blocks
  over the columns, a shortcut branch around it all) and one linear layer over
  18,708 dictionary entries + blank + space. 5.27 M parameters.
- tiny: a purely convolutional neck (depthwise 1x5 + pointwise, hard swish)
  and a two-layer linear bottleneck over 6,904 entries + 2. 1.10 M parameters.

Input: BGR, ``(x / 255 - 0.5) / 0.5``, [N, 3, 48, W], any N and W (>= 8).
Output: [N, T, C] softmax, index 0 = CTC blank, last index = space;
``T = floor((floor((W - 1) / 4) + 1) / 2)``, which is W / 8 for W a
multiple of 8.
"""

from __future__ import annotations

import torch
from torch import nn

from .blocks import ConvBN
from .heads import CTCHead
from .models import _ImageModel
from .necks import TransformerBlock
from .ppocrv6_rec_backbone import PPLCNetV4

VARIANTS = ("small", "tiny")
# Dictionary entries + CTC blank (index 0) + space (last).
NUM_CLASSES_V6 = {"small": 18708 + 2, "tiny": 6904 + 2}


class SVTRMixerNeck(nn.Module):
    """Small variant's neck: local conv mixing, then global attention over the columns.

    [N, C_in, 1, T] -> [N, dims, 1, T]. A 1x1 "shortcut" projection of the input
    is added to the result; it runs first, as in the exported graph (the
    weight converter relies on execution order).
    """

    def __init__(self, in_channels: int, dims: int = 120, depth: int = 2, num_heads: int = 8, mlp_ratio: float = 2.0) -> None:
        super().__init__()
        swish = nn.SiLU
        self.shortcut = ConvBN(in_channels, dims, 1, act=swish())
        self.reduce = ConvBN(in_channels, dims, 1, act=swish())
        self.local = ConvBN(dims, dims, (1, 7), padding=(0, 3), groups=dims, act=swish())
        self.blocks = nn.Sequential(*(TransformerBlock(dims, num_heads, mlp_ratio) for _ in range(depth)))
        self.norm = nn.LayerNorm(dims, eps=1e-6)
        self.out_channels = dims

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shortcut = self.shortcut(x)
        z = self.reduce(x)
        z = z + self.local(z)
        # Height is 1: [N, C, 1, T] -> [N, T, C] and back without reading sizes,
        # so a traced module keeps any batch size and width.
        seq = self.norm(self.blocks(z.squeeze(2).transpose(1, 2)))
        return seq.transpose(1, 2).unsqueeze(2) + shortcut


class ConvMixerNeck(nn.Module):
    """Tiny variant's neck: depthwise 1x5 conv then pointwise conv, BN + hard swish each.

    Mixes neighbouring columns only; [N, C, 1, T] -> [N, C, 1, T]. The graph
    runs them as 1-D convs; 2-D convs with a 1-high kernel are the same and
    keep the batch-norm folding and channels-last paths of the 2-D layers.
    """

    def __init__(self, channels: int, kernel: int = 5) -> None:
        super().__init__()
        self.depthwise = ConvBN(channels, channels, (1, kernel), padding=(0, kernel // 2), groups=channels, act=nn.Hardswish())
        self.pointwise = ConvBN(channels, channels, 1, act=nn.Hardswish())
        self.out_channels = channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pointwise(self.depthwise(x))


class BottleneckCTCHead(nn.Module):
    """Two linear layers (no activation between them) then softmax: [N, C, 1, T] -> [N, T, classes].

    Merging the two into one matrix would be exact but slower: C x mid + mid x
    classes multiply-adds per frame are about half of C x classes here.
    """

    def __init__(self, in_channels: int, mid_channels: int, num_classes: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(in_channels, mid_channels)
        self.fc2 = nn.Linear(mid_channels, num_classes)

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        """Scores before the softmax (what a CTC loss trains on)."""
        return self.fc2(self.fc1(x.squeeze(2).transpose(1, 2)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.logits(x), dim=-1)


class TextRecognizerV6(_ImageModel):
    """PP-OCRv6 CTC recogniser: [N, 3, 48, W] -> [N, T, NUM_CLASSES_V6[variant]] softmax.

    ``variant``: "small" (18,710 classes) or "tiny" (6,906 classes). Supports
    ``use_channels_last()`` and ``fuse.fold_batch_norms`` like the v4 modules.
    """

    pointwise_as_matmul = True

    def __init__(self, variant: str) -> None:
        if variant not in VARIANTS:
            raise ValueError(f"unknown PP-OCRv6 recogniser variant {variant!r}; expected one of {VARIANTS}")
        super().__init__()
        self.variant = variant
        self.num_classes = NUM_CLASSES_V6[variant]
        self.backbone = PPLCNetV4(variant)
        channels = self.backbone.out_channels
        if variant == "small":
            self.neck: nn.Module = SVTRMixerNeck(channels)
            self.head: nn.Module = CTCHead(self.neck.out_channels, self.num_classes)
        else:
            self.neck = ConvMixerNeck(channels)
            self.head = BottleneckCTCHead(self.neck.out_channels, 80, self.num_classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The backbone's column features [N, C, 1, T] (frozen in fine-tuning)."""
        return self.backbone(self._prepare(x))

    def scores(self, features: torch.Tensor) -> torch.Tensor:
        """Neck and head over ``features``: [N, T, classes] before the softmax."""
        return self.head.logits(self.neck(features))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.neck(self.backbone(self._prepare(x))))


__all__ = ["NUM_CLASSES_V6", "VARIANTS", "TextRecognizerV6"]
