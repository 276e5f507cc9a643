"""The engine alone on the websocket phase's pages, for the worker's engine
time to be compared with: the deployment's default profile through the same
``engine_gateway`` the worker uses, the same torch threads, warmed up as a
worker is, one page at a time.

    python -m bench.platform_bench.standalone --first 10000 --count 12 --warm 90000 --threads 2

Prints one JSON line: ``{"engine_ms": {"p50": …, …}, "threads": N}``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--first", type=int, required=True, help="Number of the first page (as the websocket phase).")
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--warm", type=int, required=True, help="Number of the warm-up page.")
    parser.add_argument("--threads", type=int, required=True)
    args = parser.parse_args()

    # The embedded defaults: the engine reads no setting of the stores.
    for name in ("DATABASE_URL", "REDIS_URL"):
        os.environ.pop(name, None)
    os.environ["OCRSPACE_TORCH_THREADS"] = str(args.threads)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocrspace.settings")
    import django

    django.setup()
    from bench.platform_bench import images
    from bench.platform_bench.stats import summary
    from recognition import engine_gateway

    engine = engine_gateway.get_engine()
    engine.warm_up()
    engine.recognize(images.screenshot(args.warm))  # as the benchmark's warm-up upload
    totals = [engine.recognize(images.screenshot(i)).timings["total"] for i in range(args.first, args.first + args.count)]
    print(json.dumps({"engine_ms": summary(totals), "threads": args.threads}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
