"""Generate the OCR development set.

    python -m bench.ocr.generate --out bench/out/devset [--size smoke|full] [--seed N] [--langs zh,en,mixed,ja]

Writes ``images/<id>.png|jpg``, ``gt/<id>.json`` (one record per image) and
``index.json`` (all records) under --out. The same seed, Chromium build and
fonts give the same set.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import random
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from bench.ocr import degrade
from bench.ocr import layouts, layouts_structured as structured
from bench.ocr.layouts import Page

GENERATOR_VERSION = 3  # 3: Japanese pages added after the others (zh/en/mixed pages unchanged)
CATEGORIES = ("chat", "article", "code", "table", "ui", "slide")
LANGS = ("zh", "en", "mixed")
# Japanese pages are planned after the others, from their own random stream,
# so that adding them left every zh/en/mixed page of a seed as it was.
JA = "ja"
ALL_LANGS = LANGS + (JA,)
JA_SMOKE_CATEGORIES = ("chat", "article", "table", "ui", "slide")
JA_PER_CATEGORY_FULL = 4
# Share of dark-theme pages per category (code editors are mostly dark).
DARK_SHARE = {"chat": 0.35, "article": 0.25, "code": 0.7, "table": 0.2, "ui": 0.4, "slide": 0.3}
# Average advance of one character in ems, to size columns for N characters per line.
CHAR_EM = {"zh": 1.0, "en": 0.5, "mixed": 0.8, "ja": 1.0}


@dataclass
class Spec:
    id: str
    category: str
    layout: str
    lang: str
    theme: str
    dpr: float
    tags: list[str] = field(default_factory=list)
    params: dict = field(default_factory=dict)


def _clean_spec(rng: random.Random, idx: int, category: str, lang: str, variant: int) -> Spec:
    theme = "dark" if rng.random() < DARK_SHARE[category] else "light"
    dpr = rng.choice([1, 2])
    sid = f"{category}-{lang}-{idx:03d}"
    if category == "chat":
        desktop = variant % 2 == 1
        width = rng.choice([960, 1100, 1280]) if desktop else rng.choice([375, 390, 414])
        return Spec(sid, category, "chat-desktop" if desktop else "chat-mobile", lang, theme,
                    dpr if desktop else 2, params={"width": width, "n": rng.randint(6, 12)})
    if category == "article":
        size = rng.choice([14, 15, 16, 17, 18])
        chars = rng.choice([40, 60, 80, 95])
        col = int(chars * size * CHAR_EM[lang]) + 48
        tags = ["long-lines"] if chars >= 90 else []
        return Spec(sid, category, "article", lang, theme, dpr if col < 1100 else 1, tags,
                    {"width": max(col + 40, 600), "col": col, "size": size, "n_par": rng.randint(3, 6)})
    if category == "code":
        layout = "terminal" if variant % 2 == 1 else "editor"
        return Spec(sid, category, layout, lang, theme, dpr, params={"width": rng.choice([760, 900, 1100])})
    if category == "table":
        layout = ("receipt", "invoice", "sheet")[variant % 3]
        return Spec(sid, category, layout, lang, theme if layout != "receipt" else "light",
                    dpr, params={"width": rng.choice([820, 960, 1100])})
    if category == "ui":
        layout = ("settings", "dashboard")[variant % 2]
        return Spec(sid, category, layout, lang, theme, dpr, ["small-text"], {"width": rng.choice([900, 1024, 1200])})
    big = rng.random() < 0.5
    return Spec(sid, category, "slide", lang, theme, 1 if big else 2,
                params={"width": 1280 if big else 960, "height": 720 if big else 540})


def plan(size: str, seed: int) -> tuple[list[Spec], list[tuple[str, str]]]:
    """Clean page specs and (clean id, degradation kind) pairs for a set size:
    the zh/en/mixed pages, then the Japanese ones."""
    specs, degraded = _plan_zh_en_mixed(size, seed)
    ja_specs, ja_degraded = _plan_ja(size, seed)
    return specs + ja_specs, degraded + ja_degraded


def _plan_ja(size: str, seed: int) -> tuple[list[Spec], list[tuple[str, str]]]:
    """Japanese pages in every category (smoke: one each of chat, article, table,
    ui and slide), clean and degraded, from their own random stream."""
    rng = random.Random(f"plan-ja:{seed}")
    cats = CATEGORIES if size == "full" else JA_SMOKE_CATEGORIES
    per_cat = JA_PER_CATEGORY_FULL if size == "full" else 1
    specs: list[Spec] = []
    for cat in cats:
        ci = CATEGORIES.index(cat)
        for v in range(per_cat):
            specs.append(_clean_spec(rng, len(specs), cat, JA, v + ci))
    n_degraded = 8 if size == "full" else 2
    chosen = rng.sample([s.id for s in specs], n_degraded)
    # Start the kinds where the zh/en/mixed set left off so both get all of them.
    degraded = [(cid, degrade.KINDS[(i + 1) % len(degrade.KINDS)]) for i, cid in enumerate(chosen)]
    return specs, degraded


def _plan_zh_en_mixed(size: str, seed: int) -> tuple[list[Spec], list[tuple[str, str]]]:
    rng = random.Random(f"plan:{seed}")
    per_combo = 5 if size == "full" else 0
    specs: list[Spec] = []
    idx = 0
    for ci, cat in enumerate(CATEGORIES):
        langs = LANGS if size == "full" else (LANGS[ci % 3], LANGS[(ci + 1) % 3])
        for lang in langs:
            for v in range(per_combo or 1):
                specs.append(_clean_spec(rng, idx, cat, lang, v + ci))
                idx += 1
    for i, lang in enumerate(LANGS if size == "full" else ("mixed",)):
        # A long phone capture: 1080 px wide, cut at exactly 4000 px.
        specs.append(Spec(f"chat-{lang}-tall-{i}", "chat", "chat-mobile", lang, "dark" if i == 1 else "light", 2,
                          ["tall"], {"width": 540, "height": 2000, "n": 40}))
    for i, lang in enumerate(LANGS if size == "full" else ("en",)):
        size_px = rng.choice([13, 14])
        col = int(rng.choice([92, 98]) * size_px * CHAR_EM[lang]) + 48
        specs.append(Spec(f"article-{lang}-wide-{i}", "article", "article", lang, "light", 1, ["wide", "long-lines"],
                          {"width": 1920, "col": col, "size": size_px, "n_par": 8, "per_par": (4, 7)}))
    for i, lang in enumerate(LANGS if size == "full" else ("zh",)):
        # The latency target: a 1280x720 screenshot with about 20 lines.
        specs.append(Spec(f"chat-{lang}-720p-{i}", "chat", "chat-desktop", lang, "light" if i != 2 else "dark", 1,
                          ["720p"], {"width": 1280, "height": 720, "n": 7}))
    n_degraded = 51 if size == "full" else 5
    pool = [s.id for s in specs if "tall" not in s.tags]
    chosen = rng.sample(pool, n_degraded)
    degraded = [(cid, degrade.KINDS[i % len(degrade.KINDS)]) for i, cid in enumerate(chosen)]
    return specs, degraded


def build_page(spec: Spec, seed: int) -> Page:
    rng = random.Random(f"page:{seed}:{spec.id}")
    p = spec.params
    if spec.layout.startswith("chat"):
        page = layouts.chat(rng, spec.lang, spec.theme, p["width"], p["n"], spec.layout == "chat-desktop")
        page.height = p.get("height")  # tall and 720p captures are cut at a fixed height
        return page
    if spec.layout == "article":
        return layouts.article(rng, spec.lang, spec.theme, p["width"], p["col"], p["size"], p["n_par"],
                          tuple(p.get("per_par", (2, 4))))
    if spec.layout in ("editor", "terminal"):
        return layouts.code(rng, spec.lang, spec.theme, p["width"], spec.layout == "terminal")
    if spec.layout == "receipt":
        return structured.receipt(rng, spec.lang, spec.theme)
    if spec.layout == "invoice":
        return structured.invoice(rng, spec.lang, spec.theme, p["width"])
    if spec.layout == "sheet":
        return structured.sheet(rng, spec.lang, spec.theme, p["width"])
    if spec.layout == "settings":
        return structured.settings(rng, spec.lang, spec.theme, p["width"])
    if spec.layout == "dashboard":
        return structured.dashboard(rng, spec.lang, spec.theme, p["width"])
    if spec.layout == "slide":
        return structured.slide(rng, spec.lang, spec.theme, p["width"], p["height"])
    raise ValueError(spec.layout)


def _clip(lines: list[dict], w: int, h: int) -> list[dict]:
    """Clamp boxes to the image; drop lines that lie outside it entirely."""
    out = []
    for ln in lines:
        x0, y0, x1, y1 = ln["box"]
        x0, y0, x1, y1 = max(0.0, x0), max(0.0, y0), min(float(w), x1), min(float(h), y1)
        if x1 - x0 >= 1 and y1 - y0 >= 1:
            out.append({**ln, "box": [x0, y0, x1, y1]})
    return out


def _record(spec: Spec, file: str, w: int, h: int, lines: list[dict], font: str, degradation: str = "none",
            dparams: dict | None = None, source: str | None = None) -> dict:
    meta = asdict(spec)
    meta.pop("params")
    return {**meta, "id": spec.id if degradation == "none" else f"{spec.id}~{degradation}", "file": file,
            "width": w, "height": h, "font": font, "degradation": degradation, "degradation_params": dparams or {},
            "source": source, "lines": lines, "text": "\n".join(ln["text"] for ln in lines)}


def generate(out: Path, size: str = "smoke", seed: int = 0, only: int | None = None, log=print,
             langs: tuple[str, ...] | list[str] | None = None) -> list[dict]:
    """Render the set into ``out``; returns the records. ``only`` limits the clean pages
    and ``langs`` the languages (tests, quick checks)."""
    from bench.ocr.render import Renderer

    specs, degraded = plan(size, seed)
    if langs is not None:
        specs = [s for s in specs if s.lang in langs]
        degraded = [d for d in degraded if d[0] in {s.id for s in specs}]
    if only is not None:
        specs = specs[:only]
        degraded = [d for d in degraded if d[0] in {s.id for s in specs}][:1]
    for sub, pattern in (("images", "*.*"), ("gt", "*.json")):
        (out / sub).mkdir(parents=True, exist_ok=True)
        for old in (out / sub).glob(pattern):  # a rerun with another size must not leave stale files
            old.unlink()
    records, clean = [], {}
    t0 = time.monotonic()
    with Renderer() as r:
        for spec in specs:
            page = build_page(spec, seed)
            png, lines = r.render(page, spec.dpr)
            img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
            h, w = img.shape[:2]
            lines = _clip(lines, w, h)
            (out / "images" / f"{spec.id}.png").write_bytes(png)
            rec = _record(spec, f"images/{spec.id}.png", w, h, lines, page.font)
            records.append(rec)
            clean[spec.id] = (spec, img, lines, page.font)
            log(f"{rec['id']:32s} {w}x{h} lines={len(lines)}")
    for cid, kind in degraded:
        spec, img, lines, font = clean[cid]
        rng = random.Random(f"degrade:{seed}:{cid}:{kind}")
        data, ext, dlines, dparams = degrade.apply(kind, img, lines, rng)
        dimg = Image.open(io.BytesIO(data))
        rid = f"{cid}~{kind}"
        (out / "images" / f"{rid}.{ext}").write_bytes(data)
        rec = _record(spec, f"images/{rid}.{ext}", dimg.width, dimg.height,
                      _clip(dlines, dimg.width, dimg.height), font, kind, dparams, cid)
        records.append(rec)
        log(f"{rid:32s} {dimg.width}x{dimg.height}")
    for rec in records:
        (out / "gt" / f"{rec['id']}.json").write_text(json.dumps(rec, ensure_ascii=False, indent=1), encoding="utf-8")
    index = {"generator_version": GENERATOR_VERSION, "size": size, "seed": seed, "count": len(records),
             "langs": sorted({r["lang"] for r in records}),
             "fingerprint": fingerprint(out, records), "images": records}
    (out / "index.json").write_text(json.dumps(index, ensure_ascii=False), encoding="utf-8")
    log(f"{len(records)} images in {time.monotonic() - t0:.1f}s -> {out}")
    return records


def fingerprint(out: Path, records: list[dict]) -> str:
    """Hash of every image's bytes and ground truth: equal only for the very same set."""
    h = hashlib.sha256()
    for rec in records:
        h.update((out / rec["file"]).read_bytes())
        h.update(json.dumps(rec["lines"], ensure_ascii=False, sort_keys=True).encode())
    return h.hexdigest()[:16]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("bench/out/devset"))
    ap.add_argument("--size", choices=("smoke", "full"), default="smoke")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--langs", default=None, help=f"comma-separated subset of {','.join(ALL_LANGS)} (default: all)")
    args = ap.parse_args(argv)
    langs = None
    if args.langs:
        langs = [x.strip() for x in args.langs.split(",") if x.strip()]
        bad = [x for x in langs if x not in ALL_LANGS]
        if bad:
            ap.error(f"unknown languages {bad}; choose from {ALL_LANGS}")
    generate(args.out, args.size, args.seed, langs=langs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
