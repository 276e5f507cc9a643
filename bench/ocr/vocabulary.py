"""Team vocabulary benchmark: rare terms read with and without a vocabulary.

    python -m bench.ocr.vocabulary --out bench/out/vocabulary [--profile accurate] [--threads 2]
        [--devset bench/out/devset-full] [--limit N] [--terms 1000]

Renders lines that carry rare terms (invented product names, Chinese
personal names with rare characters, codes such as ``XK-7731B``) in several
fonts and degradations, plus control lines with near-miss codes that are
*not* in the vocabulary, and reads every image twice with the same engine:
without a vocabulary and with a vocabulary of ``--terms`` terms (the rendered
ones and invented fillers). Reported: term accuracy (the term appears
exactly in the text, whitespace ignored) both ways, near-miss codes kept as
printed, terms read where they were not printed, and recognition time with
the vocabulary as a ratio of the time without it on the same images (the two
reads alternate, so machine load falls on both alike). With ``--devset``
the general dev set is read both ways too: CER with and without the
vocabulary, and the time ratio on real pages.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from bench.ocr import score

FONTS_CJK = ["/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
             "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
             "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
             "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"]
FONTS_LATIN = ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
               "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
               "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
               "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"]
DEGRADATIONS = ("clean", "jpeg", "downscale", "blur")

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡杜叶程苏魏吕丁沈姚卢姜崔钟谭陆汪范金廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔汤"
RARE = ("龑堃犇淼燚喆昇玥彧婧翀祎琎瑀頔珺昶晔熠骞骁禛璟昳睿滢珩琮玙璠瓒瑱琛玮琨珅祺禩禔赟赜嫄婳姝嬿昀"
        "晗晞暻曦旻炜炅焱煜烨熹燊焜淏渼沅泓澍濛灏湉瀚岑崧嵘峤岿芃苒茆莛菁蕤蘅蓁琬琰翯翾羿翊骧骐骅铎钰锟镕锴鋆銮鸾霂霈霁")
ONSETS = ["b", "br", "c", "cr", "d", "dr", "f", "g", "gl", "k", "kr", "l", "m", "n", "p", "pl", "qu", "r", "s",
          "st", "t", "tr", "v", "vr", "x", "z", "zh"]
VOWELS = ["a", "e", "i", "o", "u", "y", "ae", "ei", "ou", "ia"]
CODAS = ["", "", "n", "r", "x", "l", "s", "th", "nd", "rk"]

CONTEXT_ZH = ["请联系{}确认订单", "{}负责本次发布", "审批人：{}", "本周值班：{}，电话见群公告", "客户{}已回复邮件"]
CONTEXT_EN = ["Order {} shipped today", "Please restart {} before 5 pm", "Ticket: {} (priority high)",
              "We moved the build to {} last night", "Invoice for {} attached"]
CONTEXT_MIX = ["新版本{}已上线", "请把{}加入采购清单", "型号 {} 缺货", "{} 的测试报告在共享盘"]


def product_name(rng: random.Random) -> str:
    word = "".join(rng.choice(ONSETS) + rng.choice(VOWELS) for _ in range(rng.randint(2, 3))) + rng.choice(CODAS)
    return word.capitalize()


def person_name(rng: random.Random, charset: set[str]) -> str:
    rare = [c for c in RARE if c in charset]
    return rng.choice(SURNAMES) + "".join(rng.choice(rare) for _ in range(rng.randint(1, 2)))


def code(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    return f"{rng.choice(letters)}{rng.choice(letters)}-{rng.randint(1000, 9999)}{rng.choice(letters)}"


def near_miss(term: str, rng: random.Random) -> str:
    """The code with its last letter changed: a different code that looks alike."""
    letters = [c for c in "BDEGOPQRS" if c != term[-1]]
    return term[:-1] + rng.choice(letters)


def make_terms(rng: random.Random, charset: set[str], per_kind: int) -> dict[str, list[str]]:
    kinds: dict[str, set[str]] = {"product": set(), "person": set(), "code": set()}
    makers = {"product": lambda: product_name(rng), "person": lambda: person_name(rng, charset), "code": lambda: code(rng)}
    for kind, make in makers.items():
        while len(kinds[kind]) < per_kind:
            kinds[kind].add(make())
    return {k: sorted(v) for k, v in kinds.items()}


def render(text: str, font_path: str, size: int, rng: random.Random) -> np.ndarray:
    font = ImageFont.truetype(font_path, size)
    probe = ImageDraw.Draw(Image.new("RGB", (8, 8)))
    w = int(probe.textlength(text, font=font)) + 48
    h = int(size * 2.2) + 24
    dark = rng.random() < 0.25
    bg, fg = ((32, 34, 38), (225, 225, 225)) if dark else ((255, 255, 255), (25, 25, 25))
    im = Image.new("RGB", (w, h), bg)
    ImageDraw.Draw(im).text((24, 12 + size // 2), text, font=font, fill=fg)
    return np.array(im)


def degrade(img: np.ndarray, kind: str, rng: random.Random) -> bytes:
    """Degradations under which the network alone starts to misread rare
    characters while a person still reads them: heavy JPEG, a 0.7x
    thumbnail (then JPEG), out-of-focus blur. (At half size, 7-11 px text is
    unreadable for the network and for anything that respects its evidence.)"""
    bgr = cv2.cvtColor(img, cv2.COLOR_RGB2BGR)
    if kind == "downscale":
        bgr = cv2.resize(bgr, None, fx=0.7, fy=0.7, interpolation=cv2.INTER_AREA)
    elif kind == "blur":
        bgr = cv2.GaussianBlur(bgr, (0, 0), sigmaX=rng.uniform(1.2, 1.6))
    if kind in ("jpeg", "downscale"):
        ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(15, 30)])
    else:
        ok, buf = cv2.imencode(".png", bgr)
    assert ok
    return buf.tobytes()


def make_set(terms: dict[str, list[str]], rng: random.Random) -> list[dict]:
    """Images with one term each (every term in two fonts and degradations),
    plus control images with near-miss codes that are not in the vocabulary."""
    items = []
    n = 0
    for kind, words in terms.items():
        for word in words:
            for repeat in range(2):
                if kind == "person":
                    context, fonts = rng.choice(CONTEXT_ZH), FONTS_CJK
                elif kind == "product" and rng.random() < 0.5:
                    context, fonts = rng.choice(CONTEXT_EN), FONTS_LATIN + FONTS_CJK[:1]
                else:
                    context, fonts = rng.choice(CONTEXT_MIX + CONTEXT_EN), FONTS_CJK
                fonts = [f for f in fonts if os.path.exists(f)]
                text = context.format(word)
                deg = DEGRADATIONS[(n + repeat) % len(DEGRADATIONS)]
                font = fonts[(n + 2 * repeat) % len(fonts)]
                items.append({"text": text, "term": word, "kind": kind, "font": Path(font).name, "degradation": deg,
                              "size": rng.randint(14, 22)})
            n += 1
    for word in terms["code"]:
        miss = near_miss(word, random.Random(word))
        text = rng.choice(CONTEXT_EN).format(miss)
        font = [f for f in FONTS_LATIN + FONTS_CJK if os.path.exists(f)][n % 6]
        items.append({"text": text, "term": miss, "kind": "near-miss", "font": Path(font).name,
                      "degradation": DEGRADATIONS[n % len(DEGRADATIONS)], "size": rng.randint(14, 22), "near": word})
        n += 1
    font_paths = {Path(f).name: f for f in FONTS_CJK + FONTS_LATIN}
    for item in items:
        img = render(item["text"], font_paths[item["font"]], item["size"], rng)
        item["image"] = degrade(img, item["degradation"], rng)
    return items


def squeeze(text: str) -> str:
    return "".join(text.split())


def read_both(engine, images: list[bytes], vocabulary,
              references: list[str] | None = None) -> tuple[list[str], list[str], float, float]:
    """Texts without and with the vocabulary, and the summed recognition
    time of each; the order alternates per image."""
    plain, biased = [], []
    t_plain = t_vocab = 0.0
    for k, data in enumerate(images):
        if k and k % 25 == 0:
            line = f"   {k}/{len(images)} images, time ratio so far {t_vocab / t_plain:.3f}"
            if references:
                a = [score.score_page(r, h) for r, h in zip(references, plain)]
                b = [score.score_page(r, h) for r, h in zip(references, biased)]
                chars = sum(s.chars for s in a)
                line += (f", CER {100 * sum(s.edits for s in a) / chars:.3f}% without, "
                         f"{100 * sum(s.edits for s in b) / chars:.3f}% with")
            print(line, flush=True)
        order = (None, vocabulary) if k % 2 == 0 else (vocabulary, None)
        out = {}
        for vocab in order:
            t = time.perf_counter()
            result = engine.recognize(data, vocabulary=vocab)
            spent = time.perf_counter() - t
            out[vocab is None] = result.text
            if vocab is None:
                t_plain += spent
            else:
                t_vocab += spent
        plain.append(out[True])
        biased.append(out[False])
    return plain, biased, t_plain, t_vocab


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("bench/out/vocabulary"))
    ap.add_argument("--profile", default="accurate")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--terms", type=int, default=1000, help="size of the vocabulary (rendered terms + fillers)")
    ap.add_argument("--per-kind", type=int, default=40, help="rendered terms of each kind")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--devset", type=Path, default=None, help="also read this dev set with and without the vocabulary")
    ap.add_argument("--limit", type=int, default=None, help="only the first N dev-set images")
    ap.add_argument("--skip-lines", action="store_true", help="only the dev set (with --devset)")
    ap.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                    help="engine setting, e.g. vocabulary.char_bonus=1.5")
    args = ap.parse_args(argv)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(args.threads)

    from bench.ocr.engines import parse_value
    from recognition.engine import EngineConfig, OcrEngine, Vocabulary

    options = {k: parse_value(v) for k, v in (o.split("=", 1) for o in args.option)}
    engine = OcrEngine(EngineConfig.for_profile(args.profile, threads=args.threads).with_options(options))
    rng = random.Random(args.seed)
    terms = make_terms(rng, set(engine.charset), args.per_kind)
    rendered = [t for words in terms.values() for t in words]
    fillers: set[str] = set()
    while len(rendered) + len(fillers) < args.terms:
        fillers.add(rng.choice([product_name, code, lambda r: person_name(r, set(engine.charset))])(rng))
    vocabulary = Vocabulary(rendered + sorted(fillers - set(rendered)))
    near = {near_miss(t, random.Random(t)) for t in terms["code"]}
    # Near-miss codes must not be in the vocabulary by accident.
    vocabulary = Vocabulary([t for t in vocabulary.terms if t not in near])
    items = make_set(terms, rng)
    print(f"{len(items)} images, vocabulary of {len(vocabulary)} terms, profile {args.profile}, "
          f"{args.threads} threads, load {os.getloadavg()[0]:.2f}", flush=True)
    engine.warm_up()

    plain, biased, t_plain, t_vocab = ([], [], 0.0, 0.0) if args.skip_lines else \
        read_both(engine, [it["image"] for it in items], vocabulary)
    if args.skip_lines:
        items = []
    rows = []
    all_terms = set(vocabulary.terms)
    for it, p, b in zip(items, plain, biased):
        row = {k: v for k, v in it.items() if k != "image"}
        row.update(plain=p, vocab=b, hit_plain=squeeze(it["term"]) in squeeze(p),
                   hit_vocab=squeeze(it["term"]) in squeeze(b),
                   # vocabulary terms in the reading that were not printed
                   inserted=[t for t in all_terms if t in squeeze(b) and t not in squeeze(p) and t not in squeeze(it["text"])])
        rows.append(row)
    summary = summarise(rows)
    summary["time_ratio_lines"] = round(t_vocab / t_plain, 3) if t_plain else None
    summary["seconds_lines"] = {"plain": round(t_plain, 2), "vocab": round(t_vocab, 2)}

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps({"summary": summary, "rows": rows}, ensure_ascii=False, indent=1),
                                           encoding="utf-8")
    print(json.dumps(summary, ensure_ascii=False, indent=1), flush=True)
    if args.devset:
        index = json.loads((args.devset / "index.json").read_text(encoding="utf-8"))
        recs = index["images"][: args.limit] if args.limit else index["images"]
        datas = [(args.devset / r["file"]).read_bytes() for r in recs]
        d_plain, d_vocab, dt_plain, dt_vocab = read_both(engine, datas, vocabulary, [r["text"] for r in recs])
        scores = {"plain": [score.score_page(r["text"], h) for r, h in zip(recs, d_plain)],
                  "vocab": [score.score_page(r["text"], h) for r, h in zip(recs, d_vocab)]}
        summary["devset"] = {
            "path": str(args.devset), "images": len(recs),
            "cer_plain": round(100 * sum(s.edits for s in scores["plain"]) / sum(s.chars for s in scores["plain"]), 3),
            "cer_vocab": round(100 * sum(s.edits for s in scores["vocab"]) / sum(s.chars for s in scores["vocab"]), 3),
            "pages_changed": sum(a != b for a, b in zip(d_plain, d_vocab)),
            "time_ratio": round(dt_vocab / dt_plain, 3) if dt_plain else None,
            "seconds": {"plain": round(dt_plain, 1), "vocab": round(dt_vocab, 1)},
        }
    summary["load_end"] = os.getloadavg()[0]
    (args.out / "results.json").write_text(json.dumps({"summary": summary, "rows": rows}, ensure_ascii=False, indent=1),
                                           encoding="utf-8")
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    return 0


def summarise(rows: list[dict]) -> dict:
    terms = [r for r in rows if r["kind"] != "near-miss"]
    misses = [r for r in rows if r["kind"] == "near-miss"]
    pct = lambda n, d: round(100.0 * n / d, 1) if d else None  # noqa: E731
    out = {"term_images": len(terms),
           "term_accuracy_plain": pct(sum(r["hit_plain"] for r in terms), len(terms)),
           "term_accuracy_vocab": pct(sum(r["hit_vocab"] for r in terms), len(terms)),
           "near_miss_images": len(misses),
           "near_miss_kept_plain": pct(sum(r["hit_plain"] for r in misses), len(misses)),
           "near_miss_kept_vocab": pct(sum(r["hit_vocab"] for r in misses), len(misses)),
           "images_with_a_term_not_printed": sum(bool(r["inserted"]) for r in rows)}
    for key, values in (("kind", ("product", "person", "code")), ("degradation", DEGRADATIONS)):
        for value in values:
            group = [r for r in terms if r[key] == value]
            out[f"{value}_plain"] = pct(sum(r["hit_plain"] for r in group), len(group))
            out[f"{value}_vocab"] = pct(sum(r["hit_vocab"] for r in group), len(group))
    return out


if __name__ == "__main__":
    sys.exit(main())
