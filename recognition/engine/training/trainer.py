"""Fine-tuning a recognizer on a team's lines, on the CPU.

What is trained: the neck and the head (the sequence mixer and the
per-column classifier over the charset). The backbone stays as it is: a
few hundred lines cannot teach it more than the millions it saw, and
keeping it frozen lets a run compute its features once per line instead of
once per epoch, which is what makes minutes on two cores possible. Batch
norms keep their statistics (the network runs in eval mode; only the
gradients flow), and the learning rate is small, so a run moves the
network towards the team's words without unlearning the rest.

The best epoch by the validation slice's CER is kept; a run stops early
once that CER has not improved for ``patience`` epochs, or when its time
is up.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..ctc import FRAME_STRIDE
from ..recognizer import WIDTH_BUCKET, normalise_rec
from .samples import LineSample, character_error_rate, encode

MAX_LINE_WIDTH = 1536  # wider crops (rare) are left out: one would cost a batch's memory


@dataclass(frozen=True)
class TrainingOptions:
    max_epochs: int = 20
    batch_size: int = 16
    learning_rate: float = 3e-4
    patience: int = 4
    max_seconds: float = 540.0
    trainable: tuple[str, ...] = ("neck", "head")
    seed: int = 0


@dataclass(frozen=True)
class EpochReport:
    epoch: int
    loss: float
    validation_cer: float
    seconds: float


@dataclass
class TrainingOutcome:
    """What a run produced: the trained parameters of the best epoch and the
    figures the adoption rule looks at."""

    state: dict[str, torch.Tensor]
    base_validation_cer: float
    tuned_validation_cer: float
    base_general_cer: float
    tuned_general_cer: float
    best_epoch: int
    stopped: str  # "patience", "epochs" or "time"
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)
    epochs: list[EpochReport] = field(default_factory=list)


@dataclass
class _Batch:
    features: torch.Tensor  # [N, C, 1, T], computed once
    lengths: torch.Tensor  # frames that cover each line (not the padding)
    targets: torch.Tensor  # the lines' labels, concatenated
    target_lengths: torch.Tensor
    texts: list[str]


def _fits(labels: list[int], frames: int) -> bool:
    """CTC needs a frame per label, plus a blank between repeated labels."""
    repeats = sum(1 for a, b in zip(labels, labels[1:]) if a == b)
    return 0 < len(labels) and len(labels) + repeats <= frames


def _batches(model: nn.Module, samples: list[LineSample], index: dict[str, int],
             batch_size: int) -> tuple[list[_Batch], int]:
    """Samples grouped by width into batches with their backbone features;
    also the number of samples left out (characters the charset lacks, too
    wide, too short for their text)."""
    usable = []
    for sample in samples:
        labels = encode(sample.text, index)
        frames = -(-sample.width // FRAME_STRIDE)
        if labels is not None and sample.width <= MAX_LINE_WIDTH and _fits(labels, frames):
            usable.append((sample, labels, frames))
    usable.sort(key=lambda item: item[0].width)
    batches = []
    for start in range(0, len(usable), batch_size):
        group = usable[start:start + batch_size]
        width = max(s.width for s, _, _ in group)
        width += (-width) % WIDTH_BUCKET
        x = np.zeros((len(group), 3, 48, width), np.float32)  # zero = mid-grey, the engine's padding
        for k, (sample, _, _) in enumerate(group):
            x[k, :, :, : sample.width] = normalise_rec(sample.image)
        with torch.no_grad():
            features = model.features(torch.from_numpy(x))
        batches.append(_Batch(
            features=features,
            lengths=torch.tensor([f for _, _, f in group], dtype=torch.long),
            targets=torch.tensor([label for _, labels, _ in group for label in labels], dtype=torch.long),
            target_lengths=torch.tensor([len(labels) for _, labels, _ in group], dtype=torch.long),
            texts=[s.text for s, _, _ in group],
        ))
    return batches, len(samples) - len(usable)


def _greedy(scores: torch.Tensor, lengths: torch.Tensor, charset: list[str]) -> list[str]:
    texts = []
    for row, n in zip(scores.argmax(-1).tolist(), lengths.tolist()):
        previous, chars = 0, []
        for label in row[:n]:
            if label != 0 and label != previous:
                chars.append(charset[label])
            previous = label
        texts.append("".join(chars))
    return texts


def evaluate(model: nn.Module, batches: list[_Batch], charset: list[str]) -> float:
    """CER of ``model`` over prepared batches (greedy decoding, whitespace ignored)."""
    pairs = []
    with torch.no_grad():
        for batch in batches:
            readings = _greedy(model.scores(batch.features), batch.lengths, charset)
            pairs.extend(zip(batch.texts, readings))
    return character_error_rate(pairs)


def trained_state(model: nn.Module, parts: tuple[str, ...]) -> dict[str, torch.Tensor]:
    """Copies of the parameters and buffers of ``parts`` (the file a team model keeps)."""
    return {k: v.detach().clone() for k, v in model.state_dict().items() if k.split(".", 1)[0] in parts}


def finetune(model: nn.Module, charset: list[str], train: list[LineSample], validation: list[LineSample],
             general: list[LineSample], options: TrainingOptions = TrainingOptions(),
             progress: Callable[[EpochReport], None] | None = None) -> TrainingOutcome:
    """Fine-tune ``model`` (a recognizer with ``features`` and ``scores``,
    loaded without inference fusing) in place on ``train``.

    ``validation`` (the team's held-out lines) picks the best epoch;
    ``general`` (everyday lines) is read before and after, so the caller can
    refuse a model that forgot how to read them. ``progress`` hears of
    every epoch.
    """
    started = time.perf_counter()
    torch.manual_seed(options.seed)
    shuffle = random.Random(options.seed)
    index = {char: i for i, char in enumerate(charset) if i > 0}
    model.eval()
    train_batches, skipped = _batches(model, train, index, options.batch_size)
    validation_batches, skipped_validation = _batches(model, validation, index, options.batch_size)
    general_batches, _ = _batches(model, general, index, options.batch_size)
    if not train_batches:
        raise ValueError("no training line fits the recognizer (characters outside its charset, or empty lines)")
    base_validation = evaluate(model, validation_batches, charset)
    base_general = evaluate(model, general_batches, charset)

    for name, parameter in model.named_parameters():
        parameter.requires_grad_(name.split(".", 1)[0] in options.trainable)
    optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad],
                                  lr=options.learning_rate, weight_decay=0.0)
    best_state, best_cer, best_epoch = trained_state(model, options.trainable), base_validation, 0
    reports: list[EpochReport] = []
    stopped = "epochs"
    for epoch in range(1, options.max_epochs + 1):
        epoch_started = time.perf_counter()
        shuffle.shuffle(train_batches)
        losses = []
        for batch in train_batches:
            log_probs = model.scores(batch.features).log_softmax(-1).transpose(0, 1)
            loss = F.ctc_loss(log_probs, batch.targets, batch.lengths, batch.target_lengths,
                              blank=0, zero_infinity=True)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            losses.append(loss.item())
        cer = evaluate(model, validation_batches, charset) if validation_batches else 0.0
        report = EpochReport(epoch, float(np.mean(losses)), cer, time.perf_counter() - epoch_started)
        reports.append(report)
        if progress is not None:
            progress(report)
        if cer < best_cer or (not validation_batches and epoch == 1):
            best_state, best_cer, best_epoch = trained_state(model, options.trainable), cer, epoch
        elif epoch - best_epoch >= options.patience:
            stopped = "patience"
            break
        if time.perf_counter() - started > options.max_seconds:
            stopped = "time"
            break

    model.load_state_dict(best_state, strict=False)
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    tuned_general = evaluate(model, general_batches, charset)
    return TrainingOutcome(
        state=best_state, base_validation_cer=base_validation, tuned_validation_cer=best_cer,
        base_general_cer=base_general, tuned_general_cer=tuned_general, best_epoch=best_epoch,
        stopped=stopped, seconds=time.perf_counter() - started, epochs=reports,
        counts={"train": len(train) - skipped, "validation": len(validation) - skipped_validation,
                "general": len(general), "skipped": skipped + skipped_validation},
    )


@dataclass(frozen=True)
class Verdict:
    adopted: bool
    reason: str


def judge(outcome: TrainingOutcome, general_margin: float = 0.002) -> Verdict:
    """The adoption rule: the tuned model must read the team's held-out
    lines better than the model in use, and may read everyday lines worse
    by at most ``general_margin`` (CER, 0.002 = 0.2 points)."""
    if outcome.counts.get("validation", 0) == 0:
        return Verdict(False, "no held-out lines to check the model on; correct more lines and train again")
    if outcome.best_epoch == 0 or outcome.tuned_validation_cer >= outcome.base_validation_cer:
        return Verdict(False, f"it did not read the held-out lines better (CER {outcome.base_validation_cer:.2%} "
                              f"before, {outcome.tuned_validation_cer:.2%} after)")
    rise = outcome.tuned_general_cer - outcome.base_general_cer
    if rise > general_margin:
        return Verdict(False, f"it read everyday lines worse (CER {outcome.base_general_cer:.2%} -> "
                              f"{outcome.tuned_general_cer:.2%}, more than the {general_margin:.1%} allowed)")
    return Verdict(True, f"held-out CER {outcome.base_validation_cer:.2%} -> {outcome.tuned_validation_cer:.2%}, "
                         f"everyday lines {outcome.base_general_cer:.2%} -> {outcome.tuned_general_cer:.2%}")
