#!/usr/bin/env python
"""Model-level CPU speed of the PP-OCRv6 recogniser port against onnxruntime on the ONNX originals.

    .venv/bin/python -m bench.v6_rec_speed [--variants small tiny] [--rounds 8] [--threads 2]

Cases:
  batch8x320    one random batch of 8 lines, 48x320
  lines-engine  real text lines cut from the receipt scans (boxes from the
                PP-OCRv4 ONNX detector), through ``recognizer.recognise``:
                width-sorted batches of up to 16, padded to multiples of 64
  lines-single  the same lines one by one at their own widths (multiples of
                8): many distinct input shapes
Runners:
  ort           onnxruntime, CPU, intra-op threads = --threads
  eager         batch norms folded, channels-last, 1x1 convs as matrix
                products (the engine's inference form)
  conv          as eager, but the 1x1 convs as oneDNN convolutions (the
                inference form before recognition/engine/nets/pointwise.py)
  nchw          batch norms folded, default layout
  jit           eager + torch.jit.trace (on 8x48x320) + torch.jit.freeze
The runners take turns within every round, so contention from other
processes hits them alike; "best" is the fastest round (uncontended speed),
"median" shows how much contention there was, "cold" is the first round,
where every input shape is new (shape-specialising runtimes pay here).
Weights are converted in memory from the ONNX files.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Callable

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
SCANS = REPO_ROOT / "tests" / "data" / "real-scans"
DET_MEAN = np.array([0.485, 0.456, 0.406], np.float32)
DET_STD = np.array([0.229, 0.224, 0.225], np.float32)


def _converter():
    from tools import convert_v6_rec

    return convert_v6_rec


def receipt_lines(ort, threads: int) -> list[np.ndarray]:
    """BGR line crops of the receipts resized to height 48 (uint8, as the engine hands them over)."""
    import cv2

    spec = importlib.util.find_spec("rapidocr_onnxruntime")
    if spec is None:
        sys.exit("rapidocr-onnxruntime (its v4 detector cuts the lines) is not installed: make install-dev")
    det = Path(next(iter(spec.submodule_search_locations))) / "models" / "ch_PP-OCRv4_det_infer.onnx"
    session = ort.InferenceSession(str(det), _ort_options(ort, threads), providers=["CPUExecutionProvider"])
    lines = []
    for path in sorted(SCANS.glob("*.jpg")):
        image = cv2.imread(str(path))
        h, w = image.shape[:2]
        ratio = 960 / max(h, w)
        nh, nw = (max(32, int(round(s * ratio / 32)) * 32) for s in (h, w))
        x = ((cv2.resize(image, (nw, nh)).astype(np.float32) / 255 - DET_MEAN) / DET_STD).transpose(2, 0, 1)[None]
        prob = session.run(None, {"x": np.ascontiguousarray(x)})[0][0, 0]
        contours, _ = cv2.findContours((prob > 0.3).astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
        for contour in contours:
            bx, by, bw, bh = cv2.boundingRect(contour)
            if min(bw, bh) < 3:
                continue
            g = int(round(bw * bh * 1.5 / (2 * (bw + bh))))
            y0, y1 = int(max(0, by - g) * h / nh), int(min(nh, by + bh + g) * h / nh)
            x0, x1 = int(max(0, bx - g) * w / nw), int(min(nw, bx + bw + g) * w / nw)
            if y1 - y0 >= 8 and x1 - x0 >= 8:
                width = int(min(1600, max(8, round(48 * (x1 - x0) / (y1 - y0) / 8) * 8)))
                lines.append(cv2.resize(image[y0:y1, x0:x1], (width, 48)))
    return lines


def _ort_options(ort, threads: int):
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # onnxruntime's pool threads spin after each run by default; with the
    # runners taking turns, that spinning would steal the cores from the
    # runner after it.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return options


def torch_runners(variant: str, state: dict, names: list[str]) -> dict[str, Callable[[np.ndarray], np.ndarray]]:
    import torch

    from recognition.engine.nets.fuse import fold_batch_norms
    from recognition.engine.nets.loading import trace_and_freeze
    from recognition.engine.nets.pointwise import run_pointwise_as_matmul
    from recognition.engine.nets.ppocrv6_rec import TextRecognizerV6

    def build(channels_last: bool, pointwise: bool = True):
        model = TextRecognizerV6(variant).eval()
        model.load_state_dict(state, strict=True)
        for p in model.parameters():
            p.requires_grad_(False)
        fold_batch_norms(model)
        if not channels_last:
            return model
        # The engine's inference form: channels-last with the 1x1 convs as matrix products.
        model = model.use_channels_last()
        return run_pointwise_as_matmul(model) if pointwise else model

    modules = {}
    for name in names:
        if name == "eager":
            modules[name] = build(True)
        elif name == "conv":
            modules[name] = build(True, pointwise=False)
        elif name == "nchw":
            modules[name] = build(False)
        elif name == "jit":
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                modules[name] = trace_and_freeze(build(True), torch.zeros(8, 3, 48, 320))

    def runner(module):
        def run(x: np.ndarray) -> np.ndarray:
            with torch.inference_mode():
                return module(torch.from_numpy(x)).numpy()

        return run

    return {name: runner(module) for name, module in modules.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", nargs="+", default=["tiny", "small"], choices=["tiny", "small"])
    parser.add_argument("--runners", nargs="+", default=["ort", "eager", "jit"], choices=["ort", "eager", "conv", "nchw", "jit"])
    parser.add_argument("--cases", nargs="+", default=["batch8x320", "lines-engine", "lines-single"])
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    import onnxruntime as ort
    import torch

    from recognition.engine.recognizer import normalise_rec, recognise

    torch.set_num_threads(args.threads)
    converter = _converter()
    lines = receipt_lines(ort, args.threads)
    widths = sorted(im.shape[1] for im in lines)
    single_inputs = [normalise_rec(im)[None].copy() for im in lines]
    batch = np.random.default_rng(0).uniform(-1, 1, (8, 3, 48, 320)).astype(np.float32)
    cases: dict[str, Callable[[Callable], object]] = {
        "batch8x320": lambda run: run(batch),
        "lines-engine": lambda run: recognise(lines, run, max_batch=16),
        "lines-single": lambda run: [run(x) for x in single_inputs],
    }
    print(f"{len(lines)} receipt lines, widths {widths[0]}..{widths[-1]} (median {widths[len(widths) // 2]}), {len(set(widths))} distinct", flush=True)
    print(f"torch {torch.__version__}, onnxruntime {ort.__version__}, {args.threads} threads, load average {os.getloadavg()[0]:.2f}", flush=True)
    for variant in args.variants:
        path = converter.onnx_path(variant)
        runners: dict[str, Callable[[np.ndarray], np.ndarray]] = {}
        if "ort" in args.runners:
            session = ort.InferenceSession(str(path), _ort_options(ort, args.threads), providers=["CPUExecutionProvider"])
            runners["ort"] = lambda x, s=session: s.run(None, {"x": x})[0]
        runners.update(torch_runners(variant, converter.recognizer_state_dict(path, variant), args.runners))
        runners = {name: runners[name] for name in args.runners}
        print(f"\n{variant}: ms per pass, cold / best / median of {args.rounds} rounds; ratio = best / ort best", flush=True)
        for case in args.cases:
            times: dict[str, list[float]] = {name: [] for name in runners}
            for _ in range(args.rounds):
                for name, run in runners.items():
                    start = time.perf_counter()
                    cases[case](run)
                    times[name].append((time.perf_counter() - start) * 1000)
            cells = []
            for name, t in times.items():
                ratio = f" x{min(t) / min(times['ort']):.2f}" if "ort" in times and name != "ort" else ""
                cells.append(f"{name} {t[0]:.0f}/{min(t):.0f}/{statistics.median(t):.0f}{ratio}")
            print(f"  {case:<13} " + "   ".join(cells), flush=True)
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
