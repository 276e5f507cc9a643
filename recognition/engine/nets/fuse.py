"""Inference-time folding of batch norms and learned affines into convolutions.

All folds are exact algebra on a per-output-channel affine that directly
follows a convolution, so they change results only by float rounding.
The checkpoints keep the unfolded form; folding happens after loading.
"""

from __future__ import annotations

import torch
from torch import nn

from .backbones import RepConv
from .blocks import ConvBN
from .heads import DBHead


@torch.no_grad()
def _fold_channel_affine(conv: nn.Conv2d | nn.ConvTranspose2d, scale: torch.Tensor, shift: torch.Tensor) -> None:
    """Rewrite ``conv`` so that it computes ``conv(x) * scale + shift`` (per output channel)."""
    out_dim = 1 if isinstance(conv, nn.ConvTranspose2d) else 0  # ConvTranspose weights are [in, out, kh, kw]
    view = [1] * conv.weight.dim()
    view[out_dim] = -1
    conv.weight.mul_(scale.reshape(view))
    bias = conv.bias if conv.bias is not None else torch.zeros_like(shift)
    new_bias = bias * scale + shift
    if conv.bias is None:
        conv.bias = nn.Parameter(new_bias)
    else:
        conv.bias.copy_(new_bias)


def _bn_affine(bn: nn.BatchNorm2d) -> tuple[torch.Tensor, torch.Tensor]:
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    return scale, bn.bias - bn.running_mean * scale


@torch.no_grad()
def fold_batch_norms(model: nn.Module) -> nn.Module:
    """Fold every conv-following BatchNorm and learned affine in place; returns ``model``.

    Only valid in eval mode (uses running statistics).
    """
    for module in list(model.modules()):
        if isinstance(module, ConvBN) and isinstance(module[1], nn.BatchNorm2d):
            _fold_channel_affine(module[0], *_bn_affine(module[1]))
            module[1] = nn.Identity()
        elif isinstance(module, RepConv) and isinstance(module.affine, nn.Module) and not isinstance(module.affine, nn.Identity):
            channels = module.conv.out_channels
            scale = module.affine.scale.expand(channels)
            shift = module.affine.bias.expand(channels)
            _fold_channel_affine(module.conv, scale, shift)
            module.affine = nn.Identity()
        elif isinstance(module, DBHead) and isinstance(module.bn1, nn.BatchNorm2d):
            _fold_channel_affine(module.conv, *_bn_affine(module.bn1))
            _fold_channel_affine(module.up1, *_bn_affine(module.bn2))
            module.bn1 = nn.Identity()
            module.bn2 = nn.Identity()
    return model
