"""Batched line recognition: 48-high crops in, CTC probabilities out."""
from __future__ import annotations

from typing import Callable, Iterator

import numpy as np

from .ctc import FRAME_STRIDE

WIDTH_BUCKET = 64  # batch widths are padded up to a multiple of this


def normalise_rec(img: np.ndarray) -> np.ndarray:
    """BGR uint8 [48, W, 3] -> float32 [3, 48, W] in [-1, 1]."""
    x = img.astype(np.float32) * (2.0 / 255.0)
    x -= 1.0
    return x.transpose(2, 0, 1)


def plan_batches(widths: list[int], max_batch: int, max_waste: float = 0.3,
                 max_columns: int = 1536) -> list[list[int]]:
    """Indices grouped into batches of similar width.

    Sorting by width and closing a batch when padding would exceed
    ``max_waste`` of the batch keeps the padded area (wasted compute, and
    padding the model has to see) small. ``max_columns`` bounds the padded
    batch width sum: a worker's peak memory grows by about 60 KB per input
    column of a batch (activations plus what the allocator keeps), so 1536
    columns cost ~100 MB; at 3072 the peak on large pages was ~220 MB higher
    and recognition was no faster.
    """
    order = sorted(range(len(widths)), key=lambda i: widths[i])
    batches: list[list[int]] = []
    cur: list[int] = []
    for i in order:
        if cur:
            wide = widths[i]
            used = sum(widths[j] for j in cur) + wide
            if (len(cur) >= max_batch or used < (1 - max_waste) * wide * (len(cur) + 1)
                    or wide * (len(cur) + 1) > max_columns):
                batches.append(cur)
                cur = []
        cur.append(i)
    if cur:
        batches.append(cur)
    return batches


def iter_probabilities(images: list[np.ndarray], run: Callable[[np.ndarray], np.ndarray],
                       max_batch: int = 16, max_columns: int = 1536) -> Iterator[tuple[int, np.ndarray]]:
    """(index, CTC probabilities [T_i, C]) for each 48-high BGR image, batch
    by batch, trimmed to the frames that cover the image itself (not the
    batch padding).

    A generator, so that the caller decodes each batch before the next one
    runs: a [T, C] matrix of the 18,708-character v6 small recognizer takes
    75 KB per frame, and keeping every line's matrix until the page was done
    grew a worker by ~1.4 GB on a tall chat capture with 116 lines.
    """
    widths = [max(FRAME_STRIDE, im.shape[1]) for im in images]
    for batch in plan_batches(widths, max_batch, max_columns=max_columns):
        # Few distinct batch shapes: every new input shape makes the CPU
        # backend keep more cached buffers (RSS grew by ~500 MB on a tall
        # chat capture with exact widths).
        w = max(widths[i] for i in batch)
        w += (-w) % WIDTH_BUCKET
        # Zero in normalised space is mid-grey, the padding value the model
        # saw in training.
        x = np.zeros((len(batch), 3, images[batch[0]].shape[0], w), np.float32)
        for k, i in enumerate(batch):
            im = images[i]
            x[k, :, :, : im.shape[1]] = normalise_rec(im)
        probs = run(x)
        del x
        for k, i in enumerate(batch):
            n = -(-images[i].shape[1] // FRAME_STRIDE)
            yield i, probs[k, :n]
        del probs


def recognise(images: list[np.ndarray], run: Callable[[np.ndarray], np.ndarray],
              max_batch: int = 16, max_columns: int = 1536) -> list[np.ndarray]:
    """Every image's probabilities at once, in input order (for comparing
    networks; the engine decodes batch by batch with ``iter_probabilities``)."""
    out: list[np.ndarray | None] = [None] * len(images)
    for i, probs in iter_probabilities(images, run, max_batch, max_columns):
        out[i] = probs.copy()
    return out  # type: ignore[return-value]
