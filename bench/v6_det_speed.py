#!/usr/bin/env python
"""CPU speed of the PP-OCRv6 detectors: PyTorch port against onnxruntime.

    .venv/bin/python -m bench.v6_det_speed [--variants small tiny] [--sizes 736x1280 640x960]
                                           [--threads 2] [--repeat 10] [--forms ort eager cl jit]

Forms (best and median of ``--repeat`` rounds after warm-up, in ms, batch 1;
each round runs every form once, so on a shared machine all forms see about
the same contention; the best run estimates the uncontended speed):
  ort    onnxruntime on the original ONNX file (intra-op threads = --threads)
  eager  TextDetectorV6 as converted, NCHW
  cl     channels-last eager: optimize_detector_v6(model, trace=False)
  jit    channels-last + torch.jit.trace + torch.jit.freeze: optimize_detector_v6(model)
         (traced once on 320x320; the same frozen module serves every size)
Sizes are HxW. "cpu ms" is the median process CPU time of a run (all threads, spinning
included): less sensitive to other processes than wall time. Ratios: our
time / onnxruntime's (< 1: faster). ``--keep-heap`` shows the cost of page
faults on freshly mapped activation memory (see keep_freed_memory_in_heap).
There are no batch norms to fold: the exported weights come folded.
The machine should be idle: torch suffers badly from a busy CPU.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
FORMS = ("ort", "eager", "cl", "jit")


def _converter():
    from tools import convert_v6_det

    return convert_v6_det


def _time_interleaved(runners: dict, x: np.ndarray, repeat: int, warmup: int = 2) -> dict[str, tuple[float, float, float]]:
    """{form: (best wall, median wall, median process CPU) ms}, the forms taking turns within every round."""
    for run in runners.values():
        for _ in range(warmup):
            run(x)
    wall: dict[str, list[float]] = {form: [] for form in runners}
    cpu: dict[str, list[float]] = {form: [] for form in runners}
    for _ in range(repeat):
        for form, run in runners.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            run(x)
            wall[form].append((time.perf_counter() - start) * 1000)
            cpu[form].append((time.process_time() - start_cpu) * 1000)
    return {form: (min(wall[form]), statistics.median(wall[form]), statistics.median(cpu[form])) for form in runners}


def keep_freed_memory_in_heap() -> None:
    """Stop glibc from returning large freed blocks to the OS after every call.

    Each call allocates activations of tens of MB; above glibc's mmap
    threshold every one of them is a fresh mapping whose pages fault in
    (zeroed) on first touch, 15-40 % of the CPU time at 1 thread (measured).
    Costs resident memory: the peak stays mapped.
    """
    import ctypes

    libc = ctypes.CDLL("libc.so.6")
    m_trim_threshold, m_mmap_threshold = -1, -3
    libc.mallopt(m_mmap_threshold, 1 << 30)
    libc.mallopt(m_trim_threshold, (1 << 31) - 1)


def build_runners(variant: str, threads: int, forms: list[str]) -> dict:
    import onnxruntime
    import torch

    from recognition.engine.nets.ppocrv6_det import TextDetectorV6, optimize_detector_v6

    converter = _converter()
    onnx_path = converter.find_det_onnx(variant)
    state = converter.detector_state_dict(onnx_path, variant)

    def fresh() -> "TextDetectorV6":
        model = TextDetectorV6(variant).eval()
        model.load_state_dict(state, strict=True)
        return model

    def torch_runner(module):
        def run(x: np.ndarray) -> np.ndarray:
            with torch.inference_mode():
                return module(torch.from_numpy(x)).numpy()

        return run

    runners = {}
    if "ort" in forms:
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        session = onnxruntime.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        runners["ort"] = lambda x: session.run(None, {"x": x})[0]
    if "eager" in forms:
        runners["eager"] = torch_runner(fresh())
    if "cl" in forms:
        runners["cl"] = torch_runner(optimize_detector_v6(fresh(), trace=False))
    if "jit" in forms:
        runners["jit"] = torch_runner(optimize_detector_v6(fresh(), trace=True))
    return runners


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", nargs="+", default=["tiny", "small"], choices=["small", "tiny"])
    parser.add_argument("--sizes", nargs="+", default=["736x1280", "640x960"], help="HxW, multiples of 32")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--forms", nargs="+", default=list(FORMS), choices=FORMS)
    parser.add_argument("--keep-heap", action="store_true", help="glibc: no mmap for large blocks, no trimming (see keep_freed_memory_in_heap)")
    args = parser.parse_args(argv)
    if args.keep_heap:
        keep_freed_memory_in_heap()

    import torch

    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {args.threads} thread(s), batch 1, repeat {args.repeat}, keep heap: {args.keep_heap}")
    print(f"{'variant':8} {'size':>9} {'form':6} {'best ms':>8} {'median ms':>10} {'cpu ms':>7} {'best/ort':>9} {'median/ort':>11} {'cpu/ort':>8}")
    for variant in args.variants:
        runners = build_runners(variant, args.threads, args.forms)
        for size in args.sizes:
            h, w = (int(v) for v in size.lower().split("x"))
            x = np.random.default_rng(0).standard_normal((1, 3, h, w)).astype(np.float32)
            results = _time_interleaved(runners, x, args.repeat)
            reference = results.get("ort")
            for form, (best, median, cpu) in results.items():
                if reference:
                    ratios = f"{best / reference[0]:8.2f}x {median / reference[1]:10.2f}x {cpu / reference[2]:7.2f}x"
                else:
                    ratios = f"{'-':>9} {'-':>11} {'-':>8}"
                print(f"{variant:8} {size:>9} {form:6} {best:8.1f} {median:10.1f} {cpu:7.1f} {ratios}", flush=True)
    print(f"load average at the end: {os.getloadavg()[0]:.2f} (on {os.cpu_count()} CPUs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
