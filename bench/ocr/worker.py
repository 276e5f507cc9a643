"""Runs one engine over a development set in its own process (started by run.py).

    python -m bench.ocr.worker --engine rapidocr --devset DIR --threads 2 --out FILE [--option k=v ...]

Own process per engine so that peak RSS (ru_maxrss) belongs to that engine
alone: the models, its buffers and the largest image it processed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from pathlib import Path


def _limit_threads(n: int) -> None:
    # Must happen before numpy/torch/onnxruntime are imported to take effect.
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(n)


def _rss_mb() -> dict[str, float]:
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    hwm = None
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) / 1024
    except OSError:
        pass
    return {"self_maxrss_mb": round(own, 1), "children_maxrss_mb": round(kids, 1),
            "vmhwm_mb": round(hwm, 1) if hwm else None}


def _cpu_s() -> float:
    import resource

    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--engine", required=True)
    ap.add_argument("--devset", type=Path, required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--option", action="append", default=[], help="key=value for EngineConfig (ours, ours:<profile>)")
    ap.add_argument("--limit", type=int, default=None, help="only the first N images")
    args = ap.parse_args(argv)
    _limit_threads(args.threads)

    from bench.ocr import engines

    options = {}
    for kv in args.option:
        k, _, v = kv.partition("=")
        options[k.strip()] = engines.parse_value(v.strip())
    index = json.loads((args.devset / "index.json").read_text(encoding="utf-8"))
    images = index["images"][: args.limit] if args.limit else index["images"]
    result: dict = {"engine": args.engine, "threads": args.threads, "options": options, "images": []}

    t0 = time.perf_counter()
    try:
        adapter = engines.load(args.engine, args.threads, options)
    except engines.Unavailable as e:
        result["unavailable"] = str(e)
        args.out.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
        print(f"[{args.engine}] unavailable: {e}", file=sys.stderr)
        return 0
    result["version"] = adapter.version
    result["device"] = adapter.device
    result["rss_after_load"] = _rss_mb()

    # Warm-up on the first image (lazy model loading, allocator growth), not timed.
    warm = (args.devset / images[0]["file"]).read_bytes()
    adapter.recognize(warm)
    result["load_and_warmup_s"] = round(time.perf_counter() - t0, 2)
    result["rss_after_warmup"] = _rss_mb()

    for i, rec in enumerate(images):
        data = (args.devset / rec["file"]).read_bytes()
        item: dict = {"id": rec["id"]}
        try:
            c = _cpu_s()
            t = time.perf_counter()
            out = adapter.recognize(data)
            item["latency_ms"] = round((time.perf_counter() - t) * 1000, 1)
            # CPU time (all threads, plus child processes for tesseract) is far less
            # sensitive than wall time to other jobs sharing the cores.
            item["cpu_ms"] = round((_cpu_s() - c) * 1000, 1)
            item.update(text=out.text, lines=out.lines, **({"extra": out.extra} if out.extra else {}))
        except Exception as e:  # an engine failure on one image must not lose the run
            item.update(text="", lines=[], error=f"{type(e).__name__}: {e}", trace=traceback.format_exc()[-2000:])
        result["images"].append(item)
        print(f"[{args.engine}] {i + 1}/{len(images)} {rec['id']} {item.get('latency_ms', 'ERR')} ms",
              file=sys.stderr, flush=True)
    result["rss_final"] = _rss_mb()
    args.out.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
