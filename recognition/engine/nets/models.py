"""The three inference networks: backbone + neck + head.

Inputs are already normalised tensors (see ``recognition.engine.nets`` for
the exact normalisation each one expects); outputs match the exported
PaddleOCR models (probabilities, not logits).
"""

from __future__ import annotations

import torch
from torch import nn

from .backbones import MobileNetV3Small, PPLCNetV3
from .heads import CTCHead, ClassifierHead, DBHead
from .necks import RSEFPN, SVTRNeck

# PP-OCRv4 mobile: width multipliers of the two PP-LCNetV3 backbones.
DETECTOR_SCALE = 0.75
RECOGNIZER_SCALE = 0.95
# 6,623 dictionary entries + CTC blank (index 0) + space (last).
NUM_CLASSES = 6625
DIRECTION_LABELS = ("0", "180")


class TextDetector(nn.Module):
    """DBNet: [N, 3, H, W] (H, W multiples of 32) -> [N, 1, H, W] text probability."""

    def __init__(self) -> None:
        super().__init__()
        self.backbone = PPLCNetV3(DETECTOR_SCALE, for_detection=True)
        self.neck = RSEFPN(self.backbone.out_channels, 96)
        self.head = DBHead(self.neck.out_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.neck(self.backbone(x)))


class TextRecognizer(nn.Module):
    """SVTR-LCNet CTC recogniser: [N, 3, 48, W] -> [N, W // 8, NUM_CLASSES] softmax."""

    def __init__(self, num_classes: int = NUM_CLASSES) -> None:
        super().__init__()
        self.backbone = PPLCNetV3(RECOGNIZER_SCALE, for_detection=False)
        self.neck = SVTRNeck(self.backbone.out_channels[0])
        self.head = CTCHead(self.neck.out_channels, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.neck(self.backbone(x)[0]))


class DirectionClassifier(nn.Module):
    """Text-line orientation: [N, 3, 48, 192] -> [N, 2] softmax over ("0", "180")."""

    def __init__(self) -> None:
        super().__init__()
        self.backbone = MobileNetV3Small(0.35)
        self.head = ClassifierHead(self.backbone.out_channels, len(DIRECTION_LABELS))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.backbone(x))
