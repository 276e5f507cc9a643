#!/usr/bin/env python
"""Model-level CPU speed: the PyTorch networks against onnxruntime on the ONNX originals.

    python -m bench.models_speed [--threads 1 2] [--repeat 10] [--variants eager folded ...]

Cases (best/median of ``--repeat`` runs after warm-up, in ms):
  det       detector on one 960x640 (W x H) image
  rec       recogniser on a batch of 6 lines 48x320
  rec-lines recogniser on real text lines cut from the receipt scans (sorted by
            width, batches of 6, right-padded: what the pipeline does); total time
Variants:
  eager     modules as converted (batch norms unfolded): load_models(optimize=False)
  folded    batch norms and learned affines folded into convs, NCHW
  cl        folded + channels_last: load_models(optimize=True, trace_detector=False)
  jit       cl + torch.jit.trace + torch.jit.freeze: the detector as load_models()
            returns it by default; the recogniser traced here on the first input
The machine should be idle: torch suffers badly from a busy CPU.
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

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent

ONNX = {"det": "ch_PP-OCRv4_det_infer.onnx", "rec": "ch_PP-OCRv4_rec_infer.onnx"}
# Public test vectors kept with the tests (see tests/data/README.md).
SCANS = REPO_ROOT / "tests" / "data" / "real-scans"


def onnx_dir() -> Path:
    spec = importlib.util.find_spec("rapidocr_onnxruntime")
    if spec is None:
        sys.exit("rapidocr-onnxruntime is not installed (pip install --no-deps rapidocr-onnxruntime==1.4.4)")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


def receipt_line_batches(det_session, batch_size: int = 6, limit: int = 40) -> list[np.ndarray]:
    """Text lines from the receipts (boxes from the ONNX detector), as recogniser batches."""
    import cv2

    lines = []
    for path in sorted(SCANS.glob("*.jpg")):
        image = cv2.imread(str(path))
        h, w = image.shape[:2]
        ratio = 960 / max(h, w)
        nh, nw = (int(round(s * ratio / 32)) * 32 for s in (h, w))
        x = (cv2.resize(image, (nw, nh)).astype(np.float32) / 255 - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225]
        prob = det_session.run(None, {"x": x.transpose(2, 0, 1)[None].astype(np.float32)})[0][0, 0]
        contours, _ = cv2.findContours((prob > 0.3).astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
        for c in contours:
            bx, by, bw, bh = cv2.boundingRect(c)
            if min(bw, bh) < 3:
                continue
            g = int(round(bw * bh * 1.5 / (2 * (bw + bh))))
            crop = image[max(0, int((by - g) / ratio)) : int((by + bh + g) / ratio), max(0, int((bx - g) / ratio)) : int((bx + bw + g) / ratio)]
            if crop.shape[0] >= 8 and crop.shape[1] >= 8:
                width = max(8, round(48 * crop.shape[1] / crop.shape[0] / 8) * 8)
                lines.append(((cv2.resize(crop, (width, 48)).astype(np.float32) / 255 - 0.5) / 0.5).transpose(2, 0, 1))
    lines = sorted(lines[:limit], key=lambda x: x.shape[2])
    batches = []
    for i in range(0, len(lines), batch_size):
        group = lines[i : i + batch_size]
        batch = np.zeros((len(group), 3, 48, max(x.shape[2] for x in group)), np.float32)
        for j, x in enumerate(group):
            batch[j, :, :, : x.shape[2]] = x
        batches.append(batch)
    return batches


def timings_ms(fn, inputs, repeat: int) -> tuple[float, float]:
    """(best, median) wall time in ms of one pass over ``inputs``.

    The best run estimates the uncontended speed on a shared machine; the
    median shows how much contention there was.
    """
    for x in inputs[:2] if len(inputs) > 1 else inputs * 2:
        fn(x)  # warm-up (first calls allocate, oneDNN picks kernels)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for x in inputs:
            fn(x)
        times.append(time.perf_counter() - start)
    return min(times) * 1000, statistics.median(times) * 1000


def cell(values: tuple[float, float], width: int) -> str:
    return f"{values[0]:.0f}/{values[1]:.0f}".rjust(width)


def torch_runner(variant: str, module, example: np.ndarray):
    import torch

    from recognition.engine.nets import FrozenModule

    if variant == "jit" and not isinstance(module, FrozenModule):  # the detector comes traced already
        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            module = torch.jit.freeze(torch.jit.trace(module, torch.from_numpy(example), check_trace=False))

    def run(x: np.ndarray):
        with torch.inference_mode():
            return module(torch.from_numpy(x))

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--variants", nargs="+", default=["eager", "folded", "cl", "jit"])
    parser.add_argument("--cases", nargs="+", default=["det", "rec", "rec-lines"])
    parser.add_argument("--weights", type=Path, default=REPO_ROOT / "recognition" / "engine" / "weights",
                        help="weights root (the ppocrv4 family is read from its ppocrv4/ directory)")
    args = parser.parse_args()

    import onnxruntime as ort
    import torch

    from recognition.engine.nets import load_models as load_family
    from recognition.engine.nets.fuse import fold_batch_norms

    def load_models(root: Path, **options):
        return load_family("ppocrv4", "ppocrv4", weights_root=root, shared=False, **options)

    rng = np.random.default_rng(0)
    det_session = ort.InferenceSession(str(onnx_dir() / ONNX["det"]), providers=["CPUExecutionProvider"])
    inputs = {
        "det": [rng.uniform(-2, 2, (1, 3, 640, 960)).astype(np.float32)],
        "rec": [rng.uniform(-1, 1, (6, 3, 48, 320)).astype(np.float32)],
        "rec-lines": receipt_line_batches(det_session),
    }
    widths = [b.shape[3] for b in inputs["rec-lines"]]
    print(f"rec-lines: {sum(len(b) for b in inputs['rec-lines'])} lines in {len(widths)} batches, widths {widths}")
    print(f"load average: {os.getloadavg()[0]:.2f} (2 cores); torch {torch.__version__}, onnxruntime {ort.__version__}")

    folded = load_models(args.weights, optimize=False)
    fold_batch_norms(folded.detector)
    fold_batch_norms(folded.recognizer)
    models = {
        "eager": load_models(args.weights, optimize=False),
        "folded": folded,
        "cl": load_models(args.weights, optimize=True, trace_detector=False),
        "jit": load_models(args.weights, optimize=True),
    }
    header = f"{'threads':>7} {'case':<10} {'onnxruntime':>12}" + "".join(f" {v:>11}" for v in args.variants)
    print(header + "   (ms, best/median)")
    for threads in args.threads:
        torch.set_num_threads(threads)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        for case in args.cases:
            key = "det" if case == "det" else "rec"
            session = ort.InferenceSession(str(onnx_dir() / ONNX[key]), options, providers=["CPUExecutionProvider"])
            row = f"{threads:>7} {case:<10} {cell(timings_ms(lambda x: session.run(None, {'x': x}), inputs[case], args.repeat), 12)}"
            for variant in args.variants:
                module = models[variant].detector if key == "det" else models[variant].recognizer
                run = torch_runner(variant, module, inputs[case][0])
                row += " " + cell(timings_ms(run, inputs[case], args.repeat), 11)
            print(row, flush=True)
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
