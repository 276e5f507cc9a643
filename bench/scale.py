"""A team with 100,000 uploads: the pages, filters, export and retention on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ocrspace \\
        .venv/bin/python -m bench.scale [--uploads 100000] [--big] [--runs 20] [--keep] [--only retention]

Creates a scratch database next to DATABASE_URL (``<name>_scale_bench``,
dropped at the end unless ``--keep``), migrates it and seeds it with
``bulk_create`` (no images, no OCR): one team with ``--uploads`` finished
uploads (``--big``: 1,000,000) whose texts are 300-800 characters of mixed
Chinese and English, and one team with 100. Then, through the real views
(Django's test client, a signed-in member of both teams), p50/p95 in ms of:

* the team space's first page and a page near its end (``older=`` cursor);
* ``GET /api/uploads/`` at a cursor near the end;
* ``GET /api/uploads/?q=editing`` and ``?q=发票`` (and a common word);
* the browser search ``/t/<team>/search/?q=发票``;
* the small team's space and search (what a large neighbour costs it);
* a CSV export of every upload of the large team: time and how much the
  process's peak resident memory grew (VmHWM, reset before);
* retention of ``--expire`` uploads: rows per second.

About 4 minutes at 100,000 on 2 cores. The numbers are in README.md.
``--only retention`` seeds the same and measures retention alone (e.g.
``--uploads 40000 --expire 20000``: about a minute).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import sys
import tempfile
import time

from bench.scratch_database import scratch_database

ZH = ("销售 报表 合计 客户 订单 项目 进度 本周 下周 完成 需要 确认 付款 金额 日期 地址 电话 产品 价格 数量 "
      "库存 采购 合同 审批 部门 经理 同事 明天 上午 下午 晚上 收到 发送 文件 截图 系统 服务器 数据库 接口 测试 "
      "上线 版本 问题 修复 用户 登录 注册 密码 设置 通知 消息 群聊 好的 谢谢 没问题").split()
EN = ("invoice total amount due date customer order quarterly revenue meeting notes project status shipping "
      "address phone product price quantity stock purchase contract approval department manager server "
      "database api test release version bug fix user login password settings message thanks ok def return "
      "import class self none true false print error warning info http get post json").split()
# Rare words, so the filters have few matches to find among many rows (the
# case an index is for): about 1 text in 100 says "editing", 1 in 50 "发票".
RARE = (("editing", 0.01), ("发票", 0.02), ("会议", 0.02))


def make_text(rng: random.Random) -> str:
    target = rng.randint(300, 800)
    lines, size = [], 0
    while size < target:
        if rng.random() < 0.5:
            line = " ".join(rng.choice(EN) for _ in range(rng.randint(4, 10)))
        else:
            line = "".join(rng.choice(ZH) for _ in range(rng.randint(4, 10))) + f"：{rng.randint(1, 99999)} 元"
        lines.append(line)
        size += len(line) + 1
    for word, share in RARE:
        if rng.random() < share:
            lines.insert(rng.randrange(len(lines)), f"{word} {rng.choice(EN)}")
    return "\n".join(lines)[:800]


def seed(team, user, count: int, rng: random.Random, label: str, batch: int = 5000) -> None:
    from django.db import transaction
    from django.utils import timezone

    from recognition.models import Result, Upload, UploadStatus
    from recognition.terms import terms_of

    now = timezone.now()
    for start in range(0, count, batch):
        uploads = []
        for i in range(start, min(count, start + batch)):
            digest = hashlib.sha256(f"{label}-{i}".encode()).hexdigest()
            uploads.append(Upload(
                team=team, uploaded_by=user, file_path=f"{digest[:2]}/{digest}.png", md5=digest[:32], sha256=digest,
                original_name=f"shot-{i}.png", byte_size=100_000, width=1280, height=720, image_type="png",
                status=UploadStatus.DONE, created_at=now - timezone.timedelta(seconds=count - i),
                finished_at=now - timezone.timedelta(seconds=count - i),
            ))
        with transaction.atomic():
            Upload.objects.bulk_create(uploads)
            results = []
            for upload in uploads:
                text = make_text(rng)
                lines = [{"text": line, "confidence": 0.95, "box": [[10, 30 * n], [600, 30 * n], [600, 30 * n + 24],
                                                                    [10, 30 * n + 24]]}
                         for n, line in enumerate(text.splitlines())]
                # bulk_create skips Result.save(), which fills the terms.
                results.append(Result(upload=upload, text=text, engine_text=text, terms=terms_of(text),
                                      confidence=0.95, lines=lines, engine_version="bench/1",
                                      timings={"detect": 120, "recognise": 340}))
            Result.objects.bulk_create(results)
        print(f"  {label}: {min(count, start + batch):,} uploads", end="\r", flush=True)
    print()


# Built once after the seeding (much faster than row by row during it).
GIN_INDEXES = ("recognition_result_text_trgm", "recognition_result_terms_gin", "recognition_upload_name_trgm")


def without_gin_indexes(work) -> float:
    """Run ``work`` with the GIN indexes dropped, then build them again;
    returns the seconds the build took."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(%s)", [list(GIN_INDEXES)])
        definitions = cursor.fetchall()
        for name, _ in definitions:
            cursor.execute(f"DROP INDEX {name}")
    work()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for _, definition in definitions:
            cursor.execute(definition)
    return time.perf_counter() - started


def percentiles(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples), samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]


def timed(client, url: str, runs: int) -> tuple[float, float, int]:
    samples, status = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
        samples.append((time.perf_counter() - started) * 1000)
        status = response.status_code
    return (*percentiles(samples), status)


def _status() -> dict[str, int]:
    with open("/proc/self/status") as status:
        return {line.split(":")[0]: int(line.split()[1]) for line in status if line.startswith(("VmHWM", "VmRSS"))}


def export_all(client, team, runs: int) -> list[tuple[float, int, int]]:
    """(seconds, rows, peak RSS growth in kB) per run of a full CSV export."""
    from recognition.models import Upload

    rows = Upload.objects.filter(team=team).count()
    measured = []
    for _ in range(runs):
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")  # reset VmHWM to the current RSS
        before = _status()["VmRSS"]
        started = time.perf_counter()
        response = client.get(f"/api/export/?team={team.slug}&format=csv")
        size = sum(len(chunk) for chunk in response.streaming_content)
        assert response.status_code == 200 and size > 0
        measured.append((time.perf_counter() - started, rows, _status()["VmHWM"] - before))
    return measured


def deep_cursor(team, position: int):
    from recognition.models import Upload

    return Upload.objects.filter(team=team).order_by("-created_at", "-id")[position]


def retention(team, count: int) -> tuple[int, float]:
    from django.utils import timezone

    from recognition import maintenance
    from recognition.models import Upload

    oldest = list(Upload.objects.filter(team=team).order_by("created_at").values_list("pk", flat=True)[:count])
    long_ago = timezone.now() - timezone.timedelta(days=team.retention_days + 30)
    Upload.objects.filter(pk__in=oldest).update(created_at=long_ago)
    started = time.perf_counter()
    removed = maintenance.expire_uploads(team, timezone.now())
    return removed, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--uploads", type=int, default=100_000, help="Uploads of the large team.")
    parser.add_argument("--big", action="store_true", help="1,000,000 uploads in the large team.")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--export-runs", type=int, default=2)
    parser.add_argument("--expire", type=int, default=20_000, help="Uploads retention deletes at the end.")
    parser.add_argument("--keep", action="store_true", help="Keep the scratch database.")
    parser.add_argument("--only", choices=["retention"], help="Seed as usual, then measure only this.")
    args = parser.parse_args()
    large = 1_000_000 if args.big else args.uploads

    scratch = tempfile.mkdtemp(prefix="ocrspace-scale-")
    with scratch_database("scale_bench", keep=args.keep, why=" (the benchmark measures its indexes)", OCRSPACE_VAR_DIR=scratch,
                          MEDIA_ROOT=os.path.join(scratch, "media"), OCRSPACE_THROTTLE_USER="1000000/min"):
        return run(args, large)


def report_requests(args: argparse.Namespace, big, small, user, large: int) -> None:
    """The pages, the API, the searches and the export, timed and printed."""
    from django.conf import settings
    from django.test import Client, override_settings
    from rest_framework.pagination import Cursor

    from recognition import paging
    from recognition.api.common import NewestFirstCursor

    static = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    near_end = paging.Cursor.of(deep_cursor(big, large - 21)).token()
    api = NewestFirstCursor()
    api.base_url = f"http://127.0.0.1/api/uploads/?team={big.slug}"
    api_deep = api.encode_cursor(Cursor(offset=0, reverse=False,
                                        position=str(deep_cursor(big, large - 51).created_at)))
    cases = [
        ("team space, first page", f"/t/{big.slug}/"),
        ("team space, last page", f"/t/{big.slug}/?older={near_end}"),
        ("API list, last page", api_deep.replace("http://127.0.0.1", "")),
        ("API q=editing", f"/api/uploads/?team={big.slug}&q=editing"),
        ("API q=发票", f"/api/uploads/?team={big.slug}&q=发票"),
        ("API q=会议", f"/api/uploads/?team={big.slug}&q=会议"),
        ("API q=invoice (common)", f"/api/uploads/?team={big.slug}&q=invoice"),
        ("API search q=发票", f"/api/search/?team={big.slug}&q=发票"),
        ("browser search q=发票", f"/t/{big.slug}/search/?q=发票"),
        ("browser search q=editing", f"/t/{big.slug}/search/?q=editing"),
        ("small team: space", f"/t/{small.slug}/"),
        ("small team: search q=发票", f"/t/{small.slug}/search/?q=发票"),
    ]
    with override_settings(STORAGES=static):
        results = [(label, timed(client, url, args.runs)) for label, url in cases]
        exports = export_all(client, big, args.export_runs)

    print(f"\n{large:,} uploads in one team, 100 in another; {args.runs} runs each (ms)")
    print(f"{'request':<28} {'p50':>8} {'p95':>8} {'status':>7}")
    for label, (p50, p95, status) in results:
        print(f"{label:<28} {p50:>8.1f} {p95:>8.1f} {status:>7}")
    for n, (elapsed, rows, growth) in enumerate(exports, 1):
        print(f"export CSV, all {rows:,} rows (run {n}): {elapsed:.1f} s, {elapsed / rows * 1000:.3f} ms a row, "
              f"peak RSS +{growth / 1024:.0f} MB")


def run(args: argparse.Namespace, large: int) -> int:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from teams import services

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("bench", "bench@example.com", "bench-password-1")
    big, small = services.create_team(user, "Large"), services.create_team(user, "Small")
    rng = random.Random(7)
    started = time.perf_counter()
    indexing = without_gin_indexes(lambda: (seed(big, user, large, rng, "large"),
                                            seed(small, user, 100, rng, "small")))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    seeded = time.perf_counter() - started
    print(f"Seeded {large:,} + 100 uploads in {seeded:.0f} s (building the GIN indexes: {indexing:.0f} s)")

    if args.only != "retention":
        report_requests(args, big, small, user, large)
    removed, seconds = retention(big, args.expire)
    print(f"retention: {removed:,} uploads in {seconds:.1f} s, {removed / seconds:,.0f} rows/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
