"""First-page latency of a fresh process against a warm engine.

    python -m bench.cold_start [--profiles accurate fast] [--threads 2] [--repeat 5]

For each profile, a new Python process loads the engine (timed: "load"),
reads the 1280x720 chat page of ``bench.engine_speed`` once ("first", what
``manage.py ocr`` pays), then ``--repeat`` more times ("warm", the median).
A second fresh process calls ``warm_up()`` first, as a worker does before
its first task, and reads the page once ("first after warm-up"). The
target is first <= 1.5 x warm (model load aside). Processes run one after
the other; the ratios are the figures to read on a busy machine.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def _measure(profile: str, threads: int, repeat: int, warm_up: bool) -> dict:
    import torch

    torch.set_num_threads(threads)
    from bench.engine_speed import screenshot
    from recognition.engine import OcrEngine, profile_config

    page = screenshot()
    t0 = time.perf_counter()
    engine = OcrEngine(profile_config(profile))
    out = {"load_s": time.perf_counter() - t0}
    if warm_up:
        t = time.perf_counter()
        engine.warm_up()
        out["warm_up_s"] = time.perf_counter() - t
    t = time.perf_counter()
    engine.recognize(page)
    out["first_s"] = time.perf_counter() - t
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        engine.recognize(page)
        times.append(time.perf_counter() - t)
    out["warm_s"] = statistics.median(times) if times else None
    return out


def _fresh(profile: str, threads: int, repeat: int, warm_up: bool) -> dict:
    cmd = [sys.executable, "-m", "bench.cold_start", "--child", profile, "--threads", str(threads),
           "--repeat", str(repeat)] + (["--warm-up"] if warm_up else [])
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profiles", nargs="+", default=["accurate", "fast"])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--warm-up", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_measure(args.child, args.threads, args.repeat, args.warm_up)))
        return
    print(f"{args.threads} threads, load average {os.getloadavg()[0]:.2f}")
    print("| profile | load s | first page ms | warm ms (median) | first ÷ warm (target ≤ 1.5) "
          "| after warm_up(): first ms, ÷ warm |")
    print("|---|---|---|---|---|---|")
    for profile in args.profiles:
        cold = _fresh(profile, args.threads, args.repeat, warm_up=False)
        warmed = _fresh(profile, args.threads, 0, warm_up=True)
        warm = cold["warm_s"]
        print(f"| {profile} | {cold['load_s']:.1f} | {cold['first_s'] * 1000:.0f} | {warm * 1000:.0f} "
              f"| {cold['first_s'] / warm:.2f} | {warmed['first_s'] * 1000:.0f}, {warmed['first_s'] / warm:.2f} |",
              flush=True)
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
