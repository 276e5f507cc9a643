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


class _ImageModel(nn.Module):
    """Base of the three networks: optional channels-last execution.

    ``use_channels_last()`` converts the weights and makes ``forward`` convert
    its input too; oneDNN's depthwise and 1x1 convolutions are markedly
    faster on CPU in that layout (see bench/models_speed.py).
    """

    # Recognizers run their 1x1 convs as matrix products (``pointwise``):
    # their batch shapes change on every page. The detectors keep oneDNN's
    # convs, which were as fast there (bench/v6_rec_speed.py).
    pointwise_as_matmul = False

    def __init__(self) -> None:
        super().__init__()
        self.memory_format = torch.contiguous_format

    def use_channels_last(self) -> "_ImageModel":
        self.memory_format = torch.channels_last
        return self.to(memory_format=torch.channels_last)

    def _prepare(self, x: torch.Tensor) -> torch.Tensor:
        return x.contiguous(memory_format=self.memory_format)


class TextDetector(_ImageModel):
    """DBNet: [N, 3, H, W] (H, W multiples of 32) -> [N, 1, H, W] text probability."""

    def __init__(self) -> None:
        super().__init__()
        self.backbone = PPLCNetV3(DETECTOR_SCALE, for_detection=True)
        self.neck = RSEFPN(self.backbone.out_channels, 96)
        self.head = DBHead(self.neck.out_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.neck(self.backbone(self._prepare(x))))


class TextRecognizer(_ImageModel):
    """SVTR-LCNet CTC recogniser: [N, 3, 48, W] -> [N, W // 8, NUM_CLASSES] softmax."""

    pointwise_as_matmul = True

    def __init__(self, num_classes: int = NUM_CLASSES) -> None:
        super().__init__()
        self.backbone = PPLCNetV3(RECOGNIZER_SCALE, for_detection=False)
        self.neck = SVTRNeck(self.backbone.out_channels[0])
        self.head = CTCHead(self.neck.out_channels, num_classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The backbone's column features (frozen in fine-tuning)."""
        return self.backbone(self._prepare(x))[0]

    def scores(self, features: torch.Tensor) -> torch.Tensor:
        """Neck and head over ``features``: [N, T, classes] before the softmax."""
        return self.head.logits(self.neck(features))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.neck(self.backbone(self._prepare(x))[0]))


class DirectionClassifier(_ImageModel):
    """Text-line orientation: [N, 3, 48, 192] -> [N, 2] softmax over ("0", "180")."""

    def __init__(self) -> None:
        super().__init__()
        self.backbone = MobileNetV3Small(0.35)
        self.head = ClassifierHead(self.backbone.out_channels, len(DIRECTION_LABELS))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.backbone(self._prepare(x)))
