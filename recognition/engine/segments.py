"""One recognised box, as the layout arranges it."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Segment:
    """One recognised box."""

    quad: np.ndarray  # (4, 2) float, original pixels
    text: str
    confs: list[float] = field(default_factory=list)  # one per read character
    words: list[dict] | None = None  # its words with page boxes (words.py)
    x0: float = 0.0
    y0: float = 0.0
    x1: float = 0.0
    y1: float = 0.0
    height: float = 0.0

    def __post_init__(self) -> None:
        q = np.asarray(self.quad, np.float32).reshape(4, 2)
        self.quad = q
        self.x0, self.y0 = (float(v) for v in q.min(axis=0))
        self.x1, self.y1 = (float(v) for v in q.max(axis=0))
        # Height of the line itself (short side of the quad), not of its
        # axis-aligned bounds, so slanted lines are not over-sized.
        sides = [np.linalg.norm(q[i] - q[(i + 1) % 4]) for i in range(4)]
        self.height = float(max(1.0, min(sides[0] + sides[2], sides[1] + sides[3]) / 2))

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2
