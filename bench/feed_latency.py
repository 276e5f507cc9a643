"""Upload → result on the websocket, and process memory, on the real stack.

    .venv/bin/python bench/feed_latency.py [--uploads 20] [--port 8790]

Starts ``manage.py serve`` (daphne + django-q2 cluster) on a fresh SQLite
database in a temporary directory (or on DATABASE_URL / REDIS_URL when set),
logs in as the first admin it creates, listens on the team's websocket feed,
uploads N distinct screenshot-like images one at a time through the REST API
(idle worker: the next upload waits for the previous result) and reports the
time from the upload request to the ``upload.done`` event: median and p95.
Then reports the resident memory of the web process and of each worker.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import requests
from PIL import Image, ImageDraw, ImageFont
from websockets.sync.client import connect

ROOT = Path(__file__).resolve().parents[1]
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
WORDS = "invoice total amount order shipped customer meeting report revenue budget release notes".split()


def screenshot(i: int) -> bytes:
    """A 1280×720 page with ~20 lines of text, different for every i."""
    image = Image.new("RGB", (1280, 720), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 18)
    for row in range(20):
        words = [WORDS[(i * 7 + row * 3 + k) % len(WORDS)] for k in range(6)]
        draw.text((40, 20 + row * 34), f"{row + 1}. {' '.join(words)} #{i}-{row * 13}", font=font, fill=(30, 30, 30))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def start(port: int, var_dir: Path) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "OCRSPACE_VAR_DIR": str(var_dir)}
    log = var_dir / "serve.log"
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port)],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
    )
    deadline = time.monotonic() + 120
    password = None
    while password is None and time.monotonic() < deadline and process.poll() is None:
        match = re.search(r"log in as\s+admin\s+with password\s+(\S+)", log.read_text())
        password = match.group(1) if match else None
        time.sleep(0.2)
    if not password:
        process.kill()
        raise SystemExit("The server did not report a first admin password (is the database empty?).\n" + log.read_text()[-2000:])
    _wait_port(port)
    return process, password


def _wait_port(port: int) -> None:
    for _ in range(300):
        try:
            requests.get(f"http://127.0.0.1:{port}/accounts/login/", timeout=5)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit("The web server did not come up.")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def rss_mb(process: psutil.Process) -> float:
    return process.memory_info().rss / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--uploads", type=int, default=20)
    parser.add_argument("--port", type=int, default=8790)
    args = parser.parse_args()
    base = f"http://127.0.0.1:{args.port}"

    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as var_dir:
        server, password = start(args.port, Path(var_dir))
        try:
            response = requests.post(f"{base}/api/auth/token/", data={"username": "admin", "password": password}, timeout=10)
            if response.status_code != 200:
                raise SystemExit(f"Could not log in: {response.status_code}\n" + (Path(var_dir) / "serve.log").read_text()[-3000:])
            tokens = response.json()
            headers = {"Authorization": f"Bearer {tokens['access']}"}
            team = requests.get(f"{base}/api/teams/", headers=headers, timeout=10).json()
            team_slug = (team["results"] if isinstance(team, dict) else team)[0]["slug"]
            latencies = []
            with connect(f"ws://127.0.0.1:{args.port}/ws/teams/{team_slug}/feed/", origin=base) as feed:
                feed.send(json.dumps({"type": "auth", "token": tokens["access"]}))
                assert json.loads(feed.recv(timeout=10))["type"] == "ready"
                for i in range(args.uploads + 1):  # the first one warms the worker up (model load)
                    data = screenshot(i)
                    started = time.perf_counter()
                    response = requests.post(
                        f"{base}/api/uploads/", headers=headers, data={"team": team_slug},
                        files={"files": (f"shot-{i}.png", data, "image/png")}, timeout=30,
                    )
                    upload_id = response.json()["results"][0]["upload"]["id"]
                    while True:
                        message = json.loads(feed.recv(timeout=300))
                        event = message.get("event", {})
                        if event.get("upload_id") == upload_id and event.get("kind") in ("upload.done", "upload.failed"):
                            break
                    if i > 0:
                        latencies.append((time.perf_counter() - started) * 1000)
                    print(f"upload {i}: {event['kind']} after {(time.perf_counter() - started) * 1000:.0f} ms", file=sys.stderr)

            tree = [p for p in psutil.Process(server.pid).children(recursive=True) if p.status() != psutil.STATUS_ZOMBIE]
            web = [p for p in tree if "daphne" in " ".join(p.cmdline())]
            cluster = [p for p in tree if "qcluster" in " ".join(p.cmdline())]
            workers = sorted(cluster, key=rss_mb, reverse=True)
            print(f"\nMachine: {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB; "
                  f"database {'DATABASE_URL' if os.environ.get('DATABASE_URL') else 'SQLite'}, "
                  f"broker/layer {'Redis' if os.environ.get('REDIS_URL') else 'ORM + in-memory with outbox relay'}\n")
            print("| measure | value |\n| --- | --- |")
            print(f"| upload → result on websocket, median of {len(latencies)} (idle worker) | {statistics.median(latencies):.0f} ms |")
            print(f"| upload → result on websocket, p95 | {percentile(latencies, 0.95):.0f} ms |")
            print(f"| web process (daphne) RSS | {sum(rss_mb(p) for p in web):.0f} MB |")
            print(f"| web process has torch loaded | {any('torch' in m.path for p in web for m in p.memory_maps())} |")
            for n, p in enumerate(workers[:3]):
                print(f"| cluster process {n + 1} RSS (largest first) | {rss_mb(p):.0f} MB |")
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(60)


if __name__ == "__main__":
    main()
