"""Percentiles and summaries of latency samples."""

from __future__ import annotations

import math
import statistics


def percentile(values, q: float) -> float:
    """Nearest-rank percentile (``q`` in 0–100): the smallest sample with at
    least q % of the samples at or below it. Always one of the samples, never
    interpolated: p99 of 40 samples is the largest one."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no samples")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is not within 0–100")
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def summary(values) -> dict:
    """n, mean, p50, p95, p99 and max of latency samples (ms)."""
    values = list(values)
    return {
        "n": len(values),
        "mean": statistics.fmean(values),
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "max": max(values),
    }
