"""PP-OCRv6 text detectors (small and tiny): DBNet with a PP-LCNetV4 backbone.

One module family, two width configurations (``DETECTOR_V6_CONFIGS``). Same
contract as the v4 ``TextDetector``:

    [N, 3, H, W] float32, BGR, (x / 255 - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225]
    -> [N, 1, H, W] text probability (sigmoid applied)

H and W must be multiples of 32 (the pyramid levels are added after 2x
upsampling, so every level must be exactly half the previous one); the
engine pads to that already (``detection._pad32``). Eager modules raise a
``ValueError`` otherwise; a traced module cannot check and fails inside the
neck (or, for some sizes, silently broadcasts), so callers must pad.

The reference post-processing for these models uses other DB thresholds than
v4, and the two variants differ: ``DB_PARAMS_V6[variant]``.

Compared with v4: the backbone (``ppocrv6_det_backbone``), a neck whose
output branches use a large depthwise kernel before the squeeze-excite conv,
and a head with conv biases (its batch norms come folded in the weights).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import torch
from torch import nn

from .models import _ImageModel
from .necks import RSEFPN, RSELayer
from .ppocrv6_det_backbone import LCNetV4, default_stages


@dataclass(frozen=True)
class DetectorV6Config:
    stem_width: int
    stage_widths: tuple[int, int, int, int]
    neck_channels: int  # FPN width; each of the 4 levels contributes a quarter
    neck_kernel: int  # depthwise kernel of the neck's output branches


DETECTOR_V6_CONFIGS: dict[str, DetectorV6Config] = {
    "small": DetectorV6Config(stem_width=24, stage_widths=(48, 96, 192, 384), neck_channels=96, neck_kernel=7),
    "tiny": DetectorV6Config(stem_width=16, stage_widths=(32, 48, 64, 160), neck_channels=64, neck_kernel=5),
}

# DB post-processing of the reference pipeline, from each variant's
# inference.yml (they differ in box_thresh).
DB_PARAMS_V6: dict[str, dict[str, float]] = {
    "small": {"thresh": 0.2, "box_thresh": 0.45, "unclip_ratio": 1.4, "max_candidates": 3000},
    "tiny": {"thresh": 0.2, "box_thresh": 0.4, "unclip_ratio": 1.4, "max_candidates": 3000},
}


class LargeKernelOutput(nn.Module):
    """Depthwise kxk conv (with bias) -> 1x1 conv to a quarter width -> residual SE.

    The large depthwise kernel widens the receptive field of each pyramid
    level cheaply before it is reduced and merged.
    """

    def __init__(self, channels: int, kernel_size: int) -> None:
        super().__init__()
        self.depthwise = nn.Conv2d(channels, channels, kernel_size, padding=kernel_size // 2, groups=channels)
        self.reduce = RSELayer(channels, channels // 4, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.reduce(self.depthwise(x))


class LargeKernelFPN(RSEFPN):
    """v4's top-down pyramid (1x1 lateral convs with residual SE, nearest 2x
    upsampling and addition; the four levels upsampled to stride 4 and
    concatenated -> ``channels`` at H/4 x W/4) with a ``LargeKernelOutput``
    as each level's output branch."""

    def __init__(self, in_channels: Sequence[int], channels: int, kernel_size: int) -> None:
        super().__init__(in_channels, channels, output_block=lambda c: LargeKernelOutput(c, kernel_size))


class DBHeadV6(nn.Module):
    """DB probability branch: 3x3 conv + ReLU, two 2x transposed convs, sigmoid.

    Same layout as v4's ``DBHead`` but the exported weights carry the batch
    norms folded into conv biases, so there are no norm layers.
    """

    def __init__(self, in_channels: int) -> None:
        super().__init__()
        mid = in_channels // 4
        self.conv = nn.Conv2d(in_channels, mid, 3, padding=1)
        self.up1 = nn.ConvTranspose2d(mid, mid, 2, stride=2)
        self.up2 = nn.ConvTranspose2d(mid, 1, 2, stride=2)
        self.relu = nn.ReLU(inplace=True)  # on fresh conv outputs only

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(self.conv(x))
        x = self.relu(self.up1(x))
        return torch.sigmoid(self.up2(x))


class TextDetectorV6(_ImageModel):
    """PP-OCRv6 DB detector, ``variant`` "small" (2.45 M params) or "tiny" (0.43 M).

    [N, 3, H, W] (H, W multiples of 32, normalised as in the module docstring)
    -> [N, 1, H, W] text probability.
    """

    def __init__(self, variant: str = "small") -> None:
        super().__init__()
        if variant not in DETECTOR_V6_CONFIGS:
            raise ValueError(f"unknown PP-OCRv6 detector variant {variant!r}; expected one of {sorted(DETECTOR_V6_CONFIGS)}")
        cfg = DETECTOR_V6_CONFIGS[variant]
        self.variant = variant
        self.backbone = LCNetV4(cfg.stem_width, default_stages(cfg.stage_widths))
        self.neck = LargeKernelFPN(self.backbone.out_channels, cfg.neck_channels, cfg.neck_kernel)
        self.head = DBHeadV6(self.neck.out_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not torch.jit.is_tracing() and (x.shape[-2] % 32 or x.shape[-1] % 32):
            raise ValueError(f"input height and width must be multiples of 32, got {tuple(x.shape[-2:])}; pad the image")
        return self.head(self.neck(self.backbone(self._prepare(x))))


def optimize_detector_v6(model: TextDetectorV6, trace: bool = True, example: torch.Tensor | None = None) -> nn.Module:
    """Inference form of a loaded detector: eval, no grads, channels-last, and
    (``trace``) a frozen TorchScript trace, exactly as the v4 loader does.

    There are no batch norms to fold (the weights come folded). Channels-last
    speeds up oneDNN's depthwise and 1x1 convs; freezing lets it pre-pack the
    weights. The trace reads no spatial sizes, so it accepts any batch and
    any multiple-of-32 size; ``example`` only has to be a valid input
    (default 1x3x320x320). The traced module skips the size check.
    """
    from .loading import trace_and_freeze  # the v4 loader's trace + freeze and wrapper

    model = model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    model.use_channels_last()
    if not trace:
        return model
    if example is None:
        example = torch.zeros(1, 3, 320, 320, device=next(model.parameters()).device)
    return trace_and_freeze(model, example)


__all__ = ["DB_PARAMS_V6", "DETECTOR_V6_CONFIGS", "DetectorV6Config", "TextDetectorV6", "optimize_detector_v6"]
