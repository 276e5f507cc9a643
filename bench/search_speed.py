"""Search latency at 100k results on PostgreSQL, with and without the trigram index.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ocrspace \\
        .venv/bin/python -m bench.search_speed [--results 100000] [--runs 30]

Creates a scratch database next to DATABASE_URL (``<name>_search_bench``,
dropped at the end unless ``--keep``), migrates it, fills one team with
realistic mixed Chinese/English results (chat logs, invoices, reports, code),
then times ``recognition.search.search_uploads`` -- the query the API and the
UI run, first page of 50 -- for a few queries, with the GIN trigram index
and after dropping it. Prints p50/p95 in milliseconds.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import sys
import time
from pathlib import Path

from bench.scratch_database import scratch_database

ROOT = Path(__file__).resolve().parents[1]

ZH = ("销售 报表 合计 客户 订单 发票 会议 纪要 项目 进度 本周 下周 完成 需要 确认 付款 金额 日期 地址 电话 "
      "产品 价格 数量 库存 采购 合同 审批 部门 经理 同事 today 明天 上午 下午 晚上 收到 发送 文件 截图 系统 "
      "服务器 数据库 接口 测试 上线 版本 问题 修复 用户 登录 注册 密码 设置 通知 消息 群聊 好的 谢谢 没问题").split()
EN = ("invoice total amount due date customer order quarterly revenue report meeting notes project status "
      "shipping address phone product price quantity stock purchase contract approval department manager "
      "server database api test release version bug fix user login password settings message thanks ok "
      "def return import class self none true false print error warning info http get post json").split()
TEMPLATES = [
    lambda r: f"{r.choice(ZH)}{r.choice(ZH)}{r.choice(ZH)}：{r.randint(1, 99999)} 元",
    lambda r: " ".join(r.choice(EN) for _ in range(r.randint(3, 9))),
    lambda r: "".join(r.choice(ZH) for _ in range(r.randint(4, 12))),
    lambda r: f"{r.choice(EN).title()} #{r.randint(1000, 99999)} {r.choice(ZH)}{r.choice(ZH)} {r.choice(EN)}",
    lambda r: f"{r.randint(2020, 2025)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d} {r.choice(ZH)}{r.choice(ZH)} {r.choice(EN)}",
]
QUERIES = ["销售报表", "发票", "invoice", "quarterly revenue", "付款 金额", "zebra-needle-42"]


def make_text(rng: random.Random) -> str:
    lines = [rng.choice(TEMPLATES)(rng) for _ in range(rng.randint(4, 16))]
    if rng.random() < 0.002:
        lines.insert(rng.randrange(len(lines)), "reference zebra-needle-42 found")
    if rng.random() < 0.02:
        lines.insert(rng.randrange(len(lines)), f"三月销售报表 Q{rng.randint(1, 4)}")
    return "\n".join(lines)


def fill(count: int, seed: int = 7) -> object:
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from recognition.models import Result, Upload, UploadStatus
    from recognition.terms import terms_of
    from teams import services

    rng = random.Random(seed)
    user = get_user_model().objects.create_user("bench", "bench@example.com", "bench-password-1")
    team = services.create_team(user, "Bench")
    now = timezone.now()
    batch = 5000
    for start in range(0, count, batch):
        uploads = []
        for i in range(start, min(count, start + batch)):
            digest = hashlib.sha256(f"{seed}-{i}".encode()).hexdigest()
            uploads.append(Upload(
                team=team, uploaded_by=user, file_path=f"{digest[:2]}/{digest}.png", md5=digest[:32], sha256=digest,
                original_name=f"shot-{i}.png", byte_size=100_000, width=1280, height=720, image_type="png",
                status=UploadStatus.DONE, created_at=now - timezone.timedelta(seconds=count - i),
            ))
        with transaction.atomic():
            Upload.objects.bulk_create(uploads)
            Result.objects.bulk_create([
                # bulk_create skips Result.save(), which fills the terms.
                Result(upload=u, text=(text := make_text(rng)), terms=terms_of(text), confidence=0.9, lines=[],
                       engine_version="bench", timings={})
                for u in uploads
            ])
        print(f"  {min(count, start + batch):,} results", end="\r", flush=True)
    print()
    return team


def time_queries(team, runs: int) -> dict[str, tuple[float, float, int]]:
    from recognition import search

    timings = {}
    for q in QUERIES:
        samples, hits = [], 0
        for _ in range(runs):
            started = time.perf_counter()
            hits = len(list(search.search_uploads(team, q)[:50]))
            samples.append((time.perf_counter() - started) * 1000)
        samples.sort()
        p95 = samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]
        timings[q] = (statistics.median(samples), p95, hits)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="Keep the scratch database.")
    args = parser.parse_args()

    with scratch_database("search_bench", keep=args.keep, why=" (the benchmark needs pg_trgm)"):
        return run(args)


def run(args: argparse.Namespace) -> int:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    print(f"Filling {args.results:,} results ...")
    started = time.perf_counter()
    team = fill(args.results)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  filled in {time.perf_counter() - started:.0f} s")
    with_index = time_queries(team, args.runs)
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX recognition_result_text_trgm")
        cursor.execute("ANALYZE recognition_result")
    without_index = time_queries(team, args.runs)

    print(f"\nSearch latency, first page (50), {args.results:,} results, {args.runs} runs each (ms)")
    print(f"{'query':<20} {'hits':>5} {'p50 idx':>9} {'p95 idx':>9} {'p50 none':>9} {'p95 none':>9}")
    for q in QUERIES:
        p50, p95, hits = with_index[q]
        n50, n95, _ = without_index[q]
        print(f"{q:<20} {hits:>5} {p50:>9.1f} {p95:>9.1f} {n50:>9.1f} {n95:>9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
