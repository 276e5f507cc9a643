"""The measurements, one stack at a time (see the package docstring)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bench.platform_bench import images
from bench.platform_bench.client import Client, Feed, concurrent_uploads
from bench.platform_bench.stats import summary
from ocrspace.config import torch_threads as settings_torch_threads
from ocrspace.stack import ROOT, Stack, torch_mapped

STACKS = {
    "embedded": "embedded default: SQLite, django-q2 ORM broker, in-memory channel layer + outbox relay",
    "pg-redis": "PostgreSQL + Redis (queue broker, channel layer, cache)",
}
# Rate limits high enough for the load (the throttles still run: their
# cache look-ups are part of every request's cost).
BENCH_ENV = {
    "OCRSPACE_THROTTLE_USER": "1000000/min",
    "OCRSPACE_THROTTLE_UPLOAD": "1000000/min",
    "OCRSPACE_THROTTLE_RECOGNIZE": "1000000/min",
    "OCRSPACE_RECOGNIZE_WAIT_SECONDS": "120",
    "LOG_LEVEL": "WARNING",
}
# Image numbers per phase, so no image of one phase is a duplicate of another.
WARM, WS, RECOGNIZE, DRAIN_1, DRAIN_2, WEB_ONLY, DRAIN_1X1 = 90_000, 10_000, 20_000, 30_000, 40_000, 50_000, 60_000

SEED = """
import json
from django.contrib.auth import get_user_model
from rest_framework_simplejwt.tokens import RefreshToken
from teams import services
from teams.models import Membership
User = get_user_model()
owner = User.objects.create_user("bench-owner")
team = services.create_team(owner, "Bench")
users = [User(username=f"bench-u{i:02d}") for i in range(UPLOADERS)]
for user in users:
    user.set_unusable_password()
User.objects.bulk_create(users)
users = list(User.objects.filter(username__startswith="bench-u").order_by("username"))
Membership.objects.bulk_create([Membership(user=u, team=team, role="member") for u in users])
print(json.dumps({"team": team.slug, "owner": str(RefreshToken.for_user(owner).access_token),
                  "uploaders": [str(RefreshToken.for_user(u).access_token) for u in users]}))
"""


@dataclass(frozen=True)
class Plan:
    """How much of everything; ``quick`` is a smoke test, not a measurement."""

    ws_uploads: int = 12
    recognize: int = 6
    duplicates: int = 30
    drain_images: int = 16
    levels: tuple[tuple[int, int], ...] = ((1, 40), (10, 10), (50, 6))  # (uploaders, uploads each)
    web_only: tuple[int, int] = (50, 12)

    @classmethod
    def quick(cls) -> "Plan":
        return cls(ws_uploads=3, recognize=2, duplicates=5, drain_images=4, levels=((1, 5), (10, 2), (50, 1)),
                   web_only=(10, 2))

    @property
    def small_images(self) -> int:
        return sum(c * k for c, k in self.levels)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def torch_threads(workers: int) -> int:
    """Torch threads per worker, as the settings derive them for this many workers."""
    return settings_torch_threads(os.environ.get("OCRSPACE_TORCH_THREADS", ""), workers)


def stores(kind: str, database_url: str, redis_url: str) -> dict:
    if kind == "embedded":
        return {"database_url": None, "redis_url": None}
    return {"database_url": database_url, "redis_url": redis_url}


def seed(stack: Stack, uploaders: int) -> dict:
    return json.loads(stack.manage("shell", stdin=SEED.replace("UPLOADERS", str(uploaders))).strip().splitlines()[-1])


def memory(stack: Stack) -> dict:
    """RSS (and PSS: shared pages split between the processes sharing them)
    of the web process and each cluster process, and whether torch is mapped."""
    web = stack.web_process()
    web_torch = torch_mapped(web)
    cluster = []
    for process in stack.cluster_processes():
        info = process.memory_full_info()
        cluster.append({
            "pid": process.pid,
            "rss_mb": info.rss / 2**20,
            "pss_mb": info.pss / 2**20,
            "torch": bool(torch_mapped(process)),
        })
    return {
        "web_rss_mb": web.memory_info().rss / 2**20,
        "web_torch_files": web_torch,
        "workers": [p for p in cluster if p["torch"]],
        "cluster_other": [p for p in cluster if not p["torch"]],
    }


def _server_time(value: str | None) -> float | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() if value else None


def upload_one(client: Client, team: str, name: str, data: bytes) -> tuple[int, float, float]:
    """(upload id, perf_counter and wall-clock time at the start of the request)."""
    started, wall = time.perf_counter(), time.time()
    reply = client.upload(team, name, data)
    if reply.status not in (200, 201):
        raise RuntimeError(f"upload {name}: {reply.status} {reply.body[:300]!r}")
    return reply.json()["results"][0]["upload"]["id"], started, wall


def warm_up(stack: Stack, client: Client, feed: Feed, team: str, workers: int) -> float:
    """Until every worker process has loaded the engine (first task each)."""
    started = time.perf_counter()
    n = WARM
    for _ in range(6):
        ids = []
        for _ in range(workers):
            ids.append(upload_one(client, team, f"warm-{n}.png", images.screenshot(n))[0])
            n += 1
        feed.wait_for(ids, timeout=240)
        if sum(bool(torch_mapped(p)) for p in stack.cluster_processes()) >= workers:
            break
    return time.perf_counter() - started


def websocket_latency(client: Client, feed: Feed, team: str, count: int) -> dict:
    """One upload at a time (idle worker): request start → ``upload.done``
    on the socket; then where the time went, from the upload's timestamps."""
    samples = []
    for i in range(WS, WS + count):
        upload_id, started, wall = upload_one(client, team, f"ws-{i}.png", images.screenshot(i))
        kind, arrived = feed.wait_for([upload_id])[upload_id]
        if kind != "upload.done":
            raise RuntimeError(f"upload {upload_id} ended {kind}")
        samples.append((upload_id, started, wall, arrived))
    rows = []
    for upload_id, started, wall, arrived in samples:
        detail = client.get(f"/api/uploads/{upload_id}/").json()
        arrived_wall = wall + (arrived - started)
        created, begun, finished = (_server_time(detail[k]) for k in ("created_at", "started_at", "finished_at"))
        rows.append({
            "total_ms": (arrived - started) * 1000,
            "request_to_row_ms": (created - wall) * 1000,
            "queue_ms": (begun - created) * 1000,
            "worker_ms": (finished - begun) * 1000,
            "engine_ms": detail["result"]["timings"].get("total", 0.0),
            "delivery_ms": (arrived_wall - finished) * 1000,
        })
    return {key: summary(r[key] for r in rows) for key in rows[0]}


def recognize_latency(client: Client, count: int, duplicates: int) -> dict:
    fresh, again = [], []
    for i in range(RECOGNIZE, RECOGNIZE + count):
        reply = client.recognize(f"rec-{i}.png", images.screenshot(i))
        body = reply.json()
        if reply.status != 200 or not body.get("success") or body.get("deduplicated"):
            raise RuntimeError(f"/ocr/recognize: {reply.status} {reply.body[:300]!r}")
        fresh.append(reply.ms)
    for k in range(duplicates):
        i = RECOGNIZE + k % count
        reply = client.recognize(f"rec-again-{i}.png", images.screenshot(i))
        body = reply.json()
        if reply.status != 200 or not body.get("deduplicated") or not body.get("text"):
            raise RuntimeError(f"/ocr/recognize duplicate: {reply.status} {reply.body[:300]!r}")
        again.append(reply.ms)
    return {"fresh": summary(fresh), "duplicate": summary(again)}


def duplicate_upload_latency(client: Client, team: str, count: int, duplicates: int) -> dict:
    """POST /api/uploads/ with bytes the team already has (answered 200 with
    the existing upload, its status, preview and confidence)."""
    pages = [images.screenshot(i) for i in range(WS, WS + count)]
    samples = []
    for k in range(duplicates):
        reply = client.upload(team, f"again-{k}.png", pages[k % count])
        result = reply.json()["results"][0]
        if reply.status != 200 or not result["deduplicated"] or result["upload"]["status"] != "done":
            raise RuntimeError(f"duplicate upload: {reply.status} {reply.body[:300]!r}")
        samples.append(reply.ms)
    return summary(samples)


def drain(client: Client, feed: Feed, team: str, first: int, count: int) -> dict:
    """Queue ``count`` 1280×720 pages at once, time until the last result."""
    pages = [images.screenshot(i) for i in range(first, first + count)]
    started = time.perf_counter()
    ids = [upload_one(client, team, f"drain-{first + k}.png", page)[0] for k, page in enumerate(pages)]
    queued = time.perf_counter() - started
    arrivals = feed.wait_for(ids, timeout=60 + 30 * count)
    failed = [i for i, (kind, _) in arrivals.items() if kind != "upload.done"]
    if failed:
        raise RuntimeError(f"drain: uploads {failed} failed")
    last = max(t for _, t in arrivals.values())
    seconds = last - started
    return {"images": count, "seconds": seconds, "queued_in_s": queued, "per_minute": count / seconds * 60}


def standalone_engine(count: int, threads: int) -> dict:
    """The engine alone on the websocket phase's pages, in a fresh process
    (before the stack starts, so nothing else runs)."""
    command = [sys.executable, "-m", "bench.platform_bench.standalone", "--first", str(WS), "--count", str(count),
               "--warm", str(WARM), "--threads", str(threads)]
    output = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT).stdout
    return json.loads(output.strip().splitlines()[-1])


def web_only_uploads(kind: str, plan: Plan, database_url: str, redis_url: str, logs: Path | None) -> dict:
    """The web tier alone (no worker: OCR paused, uploads wait in the queue):
    ``plan.web_only`` closed-loop uploaders through as many daphne processes
    as ``serve`` starts on this kind (one per core with Redis, else one), and
    the CPU those processes spent per upload."""
    uploaders, each = plan.web_only
    processes = (os.cpu_count() or 1) if kind == "pg-redis" else 1
    pages = [images.small_screenshot(WEB_ONLY + i) for i in range(uploaders * each)]
    with Stack(worker=False, **stores(kind, database_url, redis_url), web_processes=processes,
               keep_logs=logs and logs / f"{kind}-web-only", **BENCH_ENV) as stack:
        users = seed(stack, uploaders)
        daphnes = stack.daphne_processes()
        before = sum(sum(p.cpu_times()[:2]) for p in daphnes)
        load = concurrent_uploads(stack.url, users["team"], users["uploaders"][:uploaders], pages, each)
        spent = sum(sum(p.cpu_times()[:2]) for p in daphnes) - before
    done = len(load.latencies_ms)
    return {"web_processes": len(daphnes), "concurrency": uploaders, "statuses": load.statuses,
            "requests_per_s": load.requests_per_s, "cpu_ms_per_upload": spent * 1000 / done,
            **summary(load.latencies_ms)}


def drain_cluster(kind: str, workers: int, threads: int, first: int, plan: Plan, database_url: str,
                  redis_url: str, logs: Path | None) -> dict:
    """A fresh stack with ``workers`` workers of ``threads`` torch threads
    each: warm every worker up, then drain ``plan.drain_images`` pages
    (numbered from ``first``); the drain, the warm-up time and the memory."""
    name = f"{workers} worker{'s' if workers > 1 else ''} × {threads} torch thread{'s' if threads > 1 else ''}"
    log(f"{kind}: starting daphne + cluster with {name}")
    with Stack(worker=True, **stores(kind, database_url, redis_url),
               keep_logs=logs and logs / f"{kind}-{workers}x{threads}",
               OCRSPACE_WORKERS=str(workers), OCRSPACE_TORCH_THREADS=str(threads), **BENCH_ENV) as stack:
        users = seed(stack, 1)
        team = users["team"]
        client = Client(stack.url, users["owner"]).connect()
        feed = Feed(stack.ws_url, team, users["owner"], origin=stack.url)
        warm = warm_up(stack, client, feed, team, workers)
        log(f"{kind}: drain {plan.drain_images} pages with {name}")
        drained = {**drain(client, feed, team, first, plan.drain_images), "workers": workers, "threads": threads}
        used = memory(stack)
        feed.close()
        client.close()
    return {"drain": drained, "warm_up_s": warm, "memory": used}


def measure_stack(kind: str, plan: Plan, small: list[bytes], database_url: str, redis_url: str,
                  logs: Path | None = None) -> dict:
    result: dict = {"stack": kind, "description": STACKS[kind], "torch_threads": {"1": torch_threads(1), "2": torch_threads(2)}}
    uploaders = max(c for c, _ in plan.levels)
    started = time.perf_counter()

    log(f"{kind}: the engine alone on the websocket pages ({torch_threads(1)} torch threads, as 1 worker)")
    result["standalone_engine"] = standalone_engine(plan.ws_uploads, torch_threads(1))
    log(f"{kind}: starting daphne + cluster with 1 worker")
    with Stack(worker=True, **stores(kind, database_url, redis_url), keep_logs=logs and logs / f"{kind}-1-worker",
               OCRSPACE_WORKERS="1", **BENCH_ENV) as stack:
        users = seed(stack, uploaders)
        team = users["team"]
        client = Client(stack.url, users["owner"]).connect()
        feed = Feed(stack.ws_url, team, users["owner"], origin=stack.url)
        result["warm_up_s"] = warm_up(stack, client, feed, team, 1)
        result["memory_idle"] = memory(stack)
        log(f"{kind}: upload → websocket, {plan.ws_uploads} uploads one at a time")
        result["websocket"] = websocket_latency(client, feed, team, plan.ws_uploads)
        log(f"{kind}: duplicates and /ocr/recognize")
        result["duplicate_upload"] = duplicate_upload_latency(client, team, plan.ws_uploads, plan.duplicates)
        result["recognize"] = recognize_latency(client, plan.recognize, plan.duplicates)
        log(f"{kind}: drain {plan.drain_images} pages with 1 worker")
        result["drain_1"] = {**drain(client, feed, team, DRAIN_1, plan.drain_images),
                             "workers": 1, "threads": torch_threads(1)}
        result["uploads"] = []
        offset = 0
        for concurrency, each in plan.levels:
            log(f"{kind}: {concurrency} concurrent uploader(s) × {each}")
            load = concurrent_uploads(stack.url, team, users["uploaders"][:concurrency],
                                      small[offset:offset + concurrency * each], each)
            offset += concurrency * each
            result["uploads"].append({
                "concurrency": concurrency, "per_uploader": each, "statuses": load.statuses,
                "requests_per_s": load.requests_per_s, **summary(load.latencies_ms),
            })
        result["memory_after_load"] = memory(stack)
        feed.close()
        client.close()
        log(f"{kind}: stopping (the rest of the upload backlog is dropped with the stack)")

    # Two workers, then one worker with the same torch threads per image:
    # their ratio is what a second cluster adds (the scale-out target).
    per_worker = torch_threads(2)
    two = drain_cluster(kind, 2, per_worker, DRAIN_2, plan, database_url, redis_url, logs)
    result["warm_up_2_s"], result["drain_2"], result["memory_2_workers"] = two["warm_up_s"], two["drain"], two["memory"]
    one = drain_cluster(kind, 1, per_worker, DRAIN_1X1, plan, database_url, redis_url, logs)
    result["drain_1x1"] = one["drain"]
    log(f"{kind}: web tier alone (no worker), {plan.web_only[0]} uploaders × {plan.web_only[1]}")
    result["web_only"] = web_only_uploads(kind, plan, database_url, redis_url, logs)
    result["seconds"] = time.perf_counter() - started
    return result
