"""Table cell accuracy: rendered bills, receipts and operator tables with
known cells, read by the engine, tables found by ``recognition.outputs``.

    .venv/bin/python -m bench.tables [--pages 12] [--profile accurate] [--out bench/out/tables]

Every page is an HTML table rendered by Chromium (``bench/ocr/render.py``):
bills (ruled, header row, right-aligned amounts), receipts (unruled,
monospace or sans, item / quantity / amount) and operator tables (zebra
rows, a header cell spanning two columns, Chinese and English). Each page is
read clean and once degraded (JPEG 30-50, 0.6× downscale, blur or a photo
warp, cycling). The largest table found is aligned with the known grid (the
row and column offset with the most agreeing cells) and a cell counts as
right when its text equals the known text (whitespace collapsed).

Cell accuracy = right cells / known non-empty cells. Also reported: pages
whose table has exactly the known rows and columns.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import random
import statistics
import time

import numpy as np

from bench.ocr import corpus as C
from bench.ocr.layouts import Page, document, esc
from recognition.outputs.source import current_lines
from recognition.outputs.tables import find_tables

KINDS = ("bill", "receipt", "operator")
DEGRADATIONS = ("jpeg", "downscale", "blur", "photo")


def _table(grid: list[list[dict]], cls: str) -> str:
    rows = []
    for r, row in enumerate(grid):
        tag = "th" if r == 0 else "td"
        cells = "".join(
            f"<{tag}{' colspan=' + str(c['span']) if c.get('span', 1) > 1 else ''}"
            f"{' class=n' if c.get('num') else ''}>{esc(c['text'])}</{tag}>" for c in row)
        rows.append(f"<tr>{cells}</tr>")
    return f"<table class='{cls}'>{''.join(rows)}</table>"


def _truth(grid: list[list[dict]]) -> list[list[str]]:
    out = []
    for row in grid:
        line = []
        for c in row:
            line.append(c["text"])
            line.extend([""] * (c.get("span", 1) - 1))
        out.append(line)
    return out


def bill(rng: random.Random) -> tuple[Page, list[list[str]]]:
    lang = rng.choice(["en", "zh"])
    cur = C.CURRENCIES[lang]
    head = {"en": ["Description", "Qty", "Unit price", "Amount"], "zh": ["项目名称", "数量", "单价", "金额"]}[lang]
    grid = [[{"text": h} for h in head]]
    for _ in range(rng.randint(3, 7)):
        q, p = rng.randint(1, 20), round(rng.uniform(5, 900), 2)
        grid.append([{"text": C.product(rng, lang)}, {"text": str(q), "num": True},
                     {"text": f"{cur}{C.money(p, lang)}", "num": True}, {"text": f"{cur}{C.money(q * p, lang)}", "num": True}])
    css = ("table{border-collapse:collapse;margin:24px} th,td{border:1px solid #999;padding:6px 14px;text-align:left}"
           " td.n{text-align:right} th{background:#eef1f5}")
    title = {"en": "INVOICE INV-2025-0412", "zh": "增值税普通发票 No. 2025041"}[lang]
    body = f"<h2 style='margin:20px 24px 0'>{esc(title)}</h2>" + _table(grid, "b")
    font = rng.choice(["'DejaVu Sans', 'WenQuanYi Micro Hei'", "'Liberation Sans', 'Noto Sans CJK SC'"])
    return Page(document(body, css, "light", font, 15, lang), 860, None, font), _truth(grid)


def receipt(rng: random.Random) -> tuple[Page, list[list[str]]]:
    lang = rng.choice(["en", "zh"])
    cur = C.CURRENCIES[lang]
    head = {"en": ["Item", "Qty", "Total"], "zh": ["商品", "数量", "小计"]}[lang]
    grid = [[{"text": h} for h in head]]
    total = 0.0
    for _ in range(rng.randint(4, 8)):
        q, p = rng.randint(1, 4), round(rng.uniform(2, 60), 2)
        total += q * p
        grid.append([{"text": C.product(rng, lang)}, {"text": f"x{q}", "num": True},
                     {"text": f"{cur}{C.money(q * p, lang)}", "num": True}])
    grid.append([{"text": {"en": "TOTAL", "zh": "合计"}[lang]}, {"text": ""},
                 {"text": f"{cur}{C.money(total, lang)}", "num": True}])
    css = ("table{border-collapse:collapse;margin:16px 20px} th,td{padding:3px 12px;text-align:left}"
           " td.n{text-align:right} th{border-bottom:1px dashed #888}")
    store = {"en": "Corner Market #218", "zh": "便利蜂（望京店）"}[lang]
    body = f"<div style='margin:16px 20px;font-weight:700'>{esc(store)}</div>" + _table(grid, "r")
    font = rng.choice(["'DejaVu Sans Mono', 'Noto Sans Mono CJK SC'", "'DejaVu Sans', 'WenQuanYi Micro Hei'"])
    return Page(document(body, css, "light", font, 15, lang), 620, None, font), _truth(grid)


OPERATORS = [("中国移动", "China Mobile"), ("中国联通", "China Unicom"), ("中国电信", "China Telecom"),
             ("中国广电", "China Broadnet"), ("Vodafone", "Vodafone"), ("T-Mobile", "T-Mobile")]


def operator(rng: random.Random) -> tuple[Page, list[list[str]]]:
    ops = rng.sample(OPERATORS, rng.randint(3, 6))
    grid = [[{"text": "运营商 Operator"}, {"text": "套餐 Plan"}, {"text": "月费 / 流量 Price / Data", "span": 2}]]
    for zh, en in ops:
        grid.append([{"text": zh if rng.random() < 0.5 else en}, {"text": rng.choice(["畅享 5G", "冰激凌", "Unlimited",
                                                                                      "Basic 10", "天翼畅享"])},
                     {"text": f"{rng.choice([39, 59, 99, 128, 199])} 元"}, {"text": f"{rng.choice([10, 30, 60, 100])} GB"}])
    css = ("table{border-collapse:collapse;margin:24px} th,td{padding:7px 16px;text-align:left}"
           " tr:nth-child(even) td{background:#f1f4f8} th{border-bottom:2px solid #333}")
    body = "<h3 style='margin:20px 24px 0'>运营商套餐对比 Operator plans</h3>" + _table(grid, "o")
    font = rng.choice(["'Noto Sans CJK SC'", "'WenQuanYi Micro Hei'"])
    return Page(document(body, css, "light", font, 15, "zh"), 880, None, font), _truth(grid)


BUILDERS = {"bill": bill, "receipt": receipt, "operator": operator}


def _norm(text: str) -> str:
    return " ".join(text.split())


def score(found: list[list[str]] | None, truth: list[list[str]]) -> tuple[int, int]:
    """(right cells, known non-empty cells) for the best alignment."""
    known = sum(1 for row in truth for t in row if t)
    if not found:
        return 0, known
    best = 0
    for dr in range(-2, 3):
        for dc in range(-1, 2):
            right = 0
            for r, row in enumerate(truth):
                for c, t in enumerate(row):
                    if not t:
                        continue
                    rr, cc = r + dr, c + dc
                    if 0 <= rr < len(found) and 0 <= cc < len(found[rr]) and _norm(found[rr][cc]) == _norm(t):
                        right += 1
            best = max(best, right)
    return best, known


def read_tables(engine, data: bytes) -> tuple[list[list[str]] | None, tuple[int, int] | None]:
    result = engine.recognize(data)
    lines = current_lines([line.to_dict() for line in result.lines], result.text, result.text)
    tables = find_tables(lines)
    if not tables:
        return None, None
    table = max(tables, key=lambda t: len(t.cells))
    return table.grid(), (table.rows, table.columns)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=12, help="pages per kind")
    parser.add_argument("--profile", default="accurate")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", default="bench/out/tables")
    args = parser.parse_args(argv)

    import cv2

    from bench.ocr import degrade
    from bench.ocr.render import Renderer
    from recognition.engine import EngineConfig, OcrEngine

    engine = OcrEngine(EngineConfig.for_profile(args.profile, threads=args.threads))
    rng = random.Random(args.seed)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rows, started = [], time.time()
    with Renderer() as renderer:
        for kind in KINDS:
            for n in range(args.pages):
                page, truth = BUILDERS[kind](rng)
                png, gt_lines = renderer.render(page, 1.0)
                image = cv2.cvtColor(cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
                variants = [("clean", png)]
                how = DEGRADATIONS[(n + KINDS.index(kind)) % len(DEGRADATIONS)]
                data, _, _, _ = degrade.apply(how, image, gt_lines, rng)
                variants.append((how, data))
                for condition, data in variants:
                    grid, shape = read_tables(engine, data)
                    right, known = score(grid, truth)
                    rows.append({"kind": kind, "page": n, "condition": condition, "right": right, "known": known,
                                 "shape_ok": shape == (len(truth), len(truth[0])), "found": grid, "truth": truth})
    (out / "results.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1))

    def acc(sel) -> str:
        right, known = sum(r["right"] for r in sel), sum(r["known"] for r in sel)
        return f"{100 * right / max(1, known):.1f}% ({right}/{known})"

    def shapes(sel) -> str:
        return f"{sum(r['shape_ok'] for r in sel)}/{len(sel)}"

    clean = [r for r in rows if r["condition"] == "clean"]
    degraded = [r for r in rows if r["condition"] != "clean"]
    lines = ["# Table cell accuracy", "",
             f"`python -m bench.tables --pages {args.pages} --profile {args.profile} --seed {args.seed}`; "
             f"{len(clean)} pages, each clean and degraded; {time.time() - started:.0f} s.", "",
             "| | cell accuracy | pages with the right rows × columns |", "|---|---|---|",
             f"| **clean** | **{acc(clean)}** | {shapes(clean)} |", f"| degraded | {acc(degraded)} | {shapes(degraded)} |"]
    for kind in KINDS:
        lines.append(f"| {kind}, clean | {acc([r for r in clean if r['kind'] == kind])} | "
                     f"{shapes([r for r in clean if r['kind'] == kind])} |")
    for how in DEGRADATIONS:
        sel = [r for r in degraded if r["condition"] == how]
        if sel:
            lines.append(f"| degraded: {how} | {acc(sel)} | {shapes(sel)} |")
    per_page = [r["right"] / max(1, r["known"]) for r in clean]
    lines += ["", f"Median clean page: {100 * statistics.median(per_page):.1f}% of its cells.", ""]
    report = "\n".join(lines) + "\n"
    (out / "report.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
