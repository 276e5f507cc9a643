"""python -m bench.platform_bench [--stack both] [--out bench/out/platform] [--quick]"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import threading
import time
from pathlib import Path

from bench.platform_bench import images, report
from bench.platform_bench.run import STACKS, Plan, log, measure_stack


def main() -> int:
    from bench.platform_bench import __doc__ as doc

    parser = argparse.ArgumentParser(prog="python -m bench.platform_bench", description=doc,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stack", choices=[*STACKS, "both"], default="both")
    parser.add_argument("--out", type=Path, default=Path("bench/out/platform"))
    parser.add_argument("--quick", action="store_true", help="A few requests of each kind: checks the benchmark runs, measures nothing.")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/ocrspace",
                        help="PostgreSQL server for pg-redis (a throw-away database is created next to this one).")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
                        help="Redis server for pg-redis (the run claims a free numbered database of its own).")
    parser.add_argument("--note", default="", help="A remark for the report (e.g. whether the machine was busy).")
    args = parser.parse_args()

    kinds = list(STACKS) if args.stack == "both" else [args.stack]
    plan = Plan.quick() if args.quick else Plan()
    command = "python -m bench.platform_bench " + shlex.join(sys.argv[1:])
    args.out.mkdir(parents=True, exist_ok=True)
    info = {"machine": report.machine(), "quick": args.quick}
    started = time.perf_counter()
    # The 1-minute load average every 10 s: was anything else running?
    loads: list[float] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(10):
            loads.append(os.getloadavg()[0])

    threading.Thread(target=sample, daemon=True).start()
    log(f"generating {plan.small_images} distinct upload images")
    small = [images.small_screenshot(i) for i in range(plan.small_images)]
    # A stack measured by an earlier run into the same directory stays in the
    # report (with its own date and load) unless this run measures it again.
    saved = args.out / "results.json"
    earlier = json.loads(saved.read_text())["results"] if saved.exists() and not args.quick else []
    results = [r for r in earlier if r["stack"] not in kinds and r["stack"] in STACKS]
    for kind in kinds:
        loads.clear()
        load_before, date = report.load_average(), time.strftime("%Y-%m-%d %H:%M %Z")
        result = measure_stack(kind, plan, small, args.database_url, args.redis_url, logs=args.out / "logs")
        result["run"] = {"date": date, "load_before": load_before, "load_after": report.load_average(),
                         "load_1min_max": max(loads, default=os.getloadavg()[0]), "command": command,
                         "note": args.note}
        results = sorted([*results, result], key=lambda r: list(STACKS).index(r["stack"]))
        saved.write_text(json.dumps({"info": info, "results": results}, indent=2))
    stop.set()
    info["seconds"] = time.perf_counter() - started
    saved.write_text(json.dumps({"info": info, "results": results}, indent=2))
    text = report.markdown(results, info)
    (args.out / "report.md").write_text(text)
    report.plot(results, args.out / "platform.png")
    print(text)
    log(f"wrote {args.out / 'report.md'}, {args.out / 'platform.png'} and results.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
