"""CPU an idle ``manage.py serve`` spends: what the polls cost.

    .venv/bin/python -m bench.idle_cpu [--seconds 60] [--settle 30] [--no-websocket]

Starts ``manage.py serve`` on the embedded default (a throw-away SQLite
database and var directory, no Redis: the django-q2 ORM broker and the
outbox relay both poll the database), opens one websocket to a team's feed
(the relay runs only while a socket is open), waits ``--settle`` seconds
(migrations, the workers' warm-up page), then reads the CPU time of serve
and every process under it from ``/proc`` (psutil) at the start and the end
of ``--seconds`` of nothing, and prints it per process and in all.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.request import urlopen

from ocrspace.processes import ROOT, free_port

SEED = """
from rest_framework_simplejwt.tokens import RefreshToken
from django.contrib.auth import get_user_model
from teams import services
owner = get_user_model().objects.create_user("idle-owner")
team = services.create_team(owner, "Idle")
print(team.slug, str(RefreshToken.for_user(owner).access_token))
"""


def cpu_seconds(processes: list) -> dict[str, float]:
    """User + system CPU seconds of each process still alive, by pid and name."""
    times = {}
    for process in processes:
        try:
            name = " ".join(process.cmdline()[1:4])[-60:]
            times[f"{process.pid} {name}"] = sum(process.cpu_times()[:2])
        except Exception:  # noqa: BLE001 - a process that exited in between has no figure
            continue
    return times


def wait_until_up(url: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer")


def main() -> int:
    import psutil

    parser = argparse.ArgumentParser(prog="python -m bench.idle_cpu", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--settle", type=float, default=30)
    parser.add_argument("--no-websocket", action="store_true")
    args = parser.parse_args()

    var = Path(tempfile.mkdtemp(prefix="ocrspace-idle-"))
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ocrspace.settings", "OCRSPACE_VAR_DIR": str(var),
           "MEDIA_ROOT": str(var / "media"), "LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1"}
    for name in ("DATABASE_URL", "REDIS_URL"):
        env.pop(name, None)
    log = open(var / "serve.log", "w")
    serve = subprocess.Popen([sys.executable, "manage.py", "serve", "--host", "127.0.0.1", "--port", str(port)],
                             cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, process_group=0)
    feed = None
    try:
        wait_until_up(f"http://127.0.0.1:{port}/")
        if not args.no_websocket:
            from bench.platform_bench.client import Feed

            out = subprocess.run([sys.executable, "manage.py", "shell"], input=SEED, cwd=ROOT, env=env, check=True,
                                 capture_output=True, text=True).stdout
            team, token = out.strip().splitlines()[-1].split()
            feed = Feed(f"ws://127.0.0.1:{port}", team, token, origin=f"http://127.0.0.1:{port}")
        time.sleep(args.settle)
        tree = [psutil.Process(serve.pid), *psutil.Process(serve.pid).children(recursive=True)]
        before = cpu_seconds(tree)
        time.sleep(args.seconds)
        after = cpu_seconds(tree)
    finally:
        if feed:
            feed.close()
        os.killpg(serve.pid, signal.SIGTERM)
        serve.wait(60)
        log.close()
    spent = {name: after[name] - before[name] for name in after if name in before}
    for name, seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
        print(f"{seconds * 1000 / args.seconds:8.2f} ms/s  {name}")
    total = sum(spent.values())
    print(json.dumps({"seconds": args.seconds, "websocket": feed is not None, "cpu_s": round(total, 3),
                      "cpu_percent_of_one_core": round(total / args.seconds * 100, 2)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
