"""Line samples (a 48-high crop and its text) and how they are scored."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from .. import crops


@dataclass(frozen=True)
class LineSample:
    """One recognizer input and the text it shows.

    ``image``: BGR uint8, 48 rows high. ``source`` says where it came from
    (``correction``, ``reviewed``, ``vocabulary``, ``general``), for the
    counts a training run reports.
    """

    image: np.ndarray
    text: str
    source: str = "correction"

    @property
    def width(self) -> int:
        return int(self.image.shape[1])


def normalise_text(text: str) -> str:
    """The text a line crop is trained on: tabs (column gaps) and runs of
    spaces become one space, the ends are trimmed."""
    return " ".join(text.replace("\t", " ").split())


def line_crop(image_bgr: np.ndarray, quad) -> np.ndarray:
    """The recognizer's view of one line of a page: rectified and 48 high,
    as the engine crops it."""
    return crops.resize_to_height(crops.warp_quad(image_bgr, np.asarray(quad, dtype=np.float32)))


def encode(text: str, index: dict[str, int]) -> list[int] | None:
    """Class indices of ``text`` in a recognizer's charset (``index``: char
    -> class); None when a character is not in it (such a line cannot be
    taught to that recognizer)."""
    labels = []
    for char in text:
        label = index.get(char)
        if label is None:
            return None
        labels.append(label)
    return labels


def is_held_out(key: str, share: float = 0.2) -> bool:
    """Whether the line named ``key`` belongs to the fixed validation slice.

    Decided by a hash of the key, not by chance: the same corrections are
    held out in every run, so two runs' validation figures compare, and a
    line that validated one model never trains the next.
    """
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < share


def _edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def character_error_rate(pairs: list[tuple[str, str]]) -> float:
    """Edits per reference character over (reference, reading) pairs,
    whitespace ignored (as the OCR benchmark counts)."""
    edits = total = 0
    for reference, reading in pairs:
        ref = "".join(reference.split())
        edits += _edit_distance(ref, "".join(reading.split()))
        total += len(ref)
    return edits / total if total else 0.0
