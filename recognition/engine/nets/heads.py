"""Heads: DB probability map, CTC character distribution, direction classes."""

from __future__ import annotations

import torch
from torch import nn


class DBHead(nn.Module):
    """DB "shrink map" branch: 3x3 conv, then two 2x upsampling transposed convs.

    Maps the neck's stride-4 features back to input resolution and returns the
    text probability (sigmoid applied). Only the probability branch is kept:
    the threshold branch is a training aid and is not in the exported model.
    """

    def __init__(self, in_channels: int) -> None:
        super().__init__()
        mid = in_channels // 4
        self.conv = nn.Conv2d(in_channels, mid, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(mid)
        self.relu1 = nn.ReLU()
        self.up1 = nn.ConvTranspose2d(mid, mid, 2, stride=2)
        self.bn2 = nn.BatchNorm2d(mid)
        self.relu2 = nn.ReLU()
        self.up2 = nn.ConvTranspose2d(mid, 1, 2, stride=2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu1(self.bn1(self.conv(x)))
        x = self.relu2(self.bn2(self.up1(x)))
        return torch.sigmoid(self.up2(x))


class CTCHead(nn.Module):
    """Per-column linear classifier over the charset, softmax applied.

    Input [N, C, 1, W] -> output [N, W, num_classes].
    """

    def __init__(self, in_channels: int, num_classes: int) -> None:
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        """Scores before the softmax (what a CTC loss trains on)."""
        return self.fc(x.squeeze(2).transpose(1, 2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.logits(x), dim=-1)


class ClassifierHead(nn.Module):
    """Global average pool + linear + softmax (text-line direction: 0 / 180)."""

    def __init__(self, in_channels: int, num_classes: int = 2) -> None:
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.fc(self.pool(x).flatten(1)), dim=-1)
