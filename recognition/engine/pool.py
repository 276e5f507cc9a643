"""The engines of one worker process, one per profile, within a memory budget.

A worker loads a profile's networks the first time a task asks for that
profile and keeps them for the next task. When the process's resident size
passes the budget after a page, the least recently used engines (never the
one just used) are dropped with their networks, and freed memory is handed
back to the OS; a later task for a dropped profile loads it again (seconds).
So a worker serving one profile never reloads, and one serving several
stays near the budget instead of growing without bound.
"""
from __future__ import annotations

import gc
import os
import threading
from collections import OrderedDict
from typing import Any, Callable

from .config import EngineConfig


def resident_mb() -> float:
    """Resident set size of this process in MB (Linux; 0 where unknown)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            pages = int(fh.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 1e6
    except (OSError, ValueError, IndexError):
        return 0.0


def resolve_device(device: str, worker_index: int = 0) -> str:
    """``auto`` -> a CUDA device when torch sees a GPU, else ``cpu``; others
    as given. With several GPUs, worker ``worker_index`` gets GPU
    ``worker_index % count`` (one worker process per GPU by default).
    Imports torch: call it in workers only."""
    if device not in ("auto", "cuda"):
        return device
    import torch

    if not torch.cuda.is_available():
        if device == "cuda":
            raise RuntimeError("OCRSPACE_DEVICE=cuda but torch sees no GPU (is the CUDA build of torch installed?)")
        return "cpu"
    count = torch.cuda.device_count()
    return f"cuda:{worker_index % count}" if count > 1 else "cuda"


# Batches on a GPU: far more columns per recognizer batch and one detector
# pass for larger pages (speed only; the fingerprint stays the same).
GPU_BATCHES = {"recognizer.batch_size": 64, "recognizer.batch_columns": 16384, "detector.scale.max_pixels": 4_000_000}


def for_device(config: EngineConfig) -> EngineConfig:
    """``config`` with batch sizes that suit its device."""
    return config.with_options(GPU_BATCHES) if config.device.startswith("cuda") else config


class EnginePool:
    """Engines by profile name, created on first use by ``make_config``."""

    def __init__(self, make_config: Callable[[str], EngineConfig], memory_budget_mb: float,
                 measure: Callable[[], float] = resident_mb, build: Callable[[EngineConfig], Any] | None = None) -> None:
        self._make_config = make_config
        self._build = build
        self.memory_budget_mb = memory_budget_mb
        self._measure = measure
        self._engines: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, profile: str) -> Any:
        """The engine of ``profile`` (loaded now if needed), marked most recently used."""
        with self._lock:
            engine = self._engines.get(profile)
            if engine is None:
                if self._build is None:
                    from .engine import OcrEngine

                    self._build = OcrEngine
                engine = self._build(self._make_config(profile))
                self._engines[profile] = engine
            self._engines.move_to_end(profile)
            return engine

    def loaded(self) -> list[str]:
        return list(self._engines)

    def trim(self) -> list[str]:
        """Drop least recently used engines while over budget; returns the dropped names."""
        dropped: list[str] = []
        with self._lock:
            while len(self._engines) > 1 and self._measure() > self.memory_budget_mb:
                name, _ = self._engines.popitem(last=False)
                dropped.append(name)
                self._forget_unused_networks()
        return dropped

    def _forget_unused_networks(self) -> None:
        from .engine import release_memory
        from .nets import catalog

        catalog.forget_loaded()  # engines still loaded keep their own references
        gc.collect()
        release_memory()
