"""Teaching benchmark: what a team's vocabulary and a fine-tuned recognizer add.

    python -m bench.teach --out bench/out/teach [--profile accurate] [--terms-per-kind 20]
        [--images-per-term 8] [--threads 2]

A synthetic team: screenshots of one line each, full of its own words
(invented product names, Chinese personal names with rare characters,
codes such as ``XK-7731B``; ``bench.ocr.vocabulary`` makes them), in
several fonts and degradations. The product's flow, step by step:

1. the engine reads every image; the team "corrects" each reading to the
   true text (the line box comes from the engine, as on the result page);
2. images are split into training and held-out by a hash of their number
   (``engine.training.is_held_out``, the product's fixed slice);
3. the recognizer is fine-tuned on the training corrections, with the
   product's rendered vocabulary and replay lines
   (``engine.training.trainer.finetune`` with default options);
4. the held-out images are read four ways: (a) base, (b) base +
   vocabulary, (c) fine-tuned, (d) fine-tuned + vocabulary.

Reported per way: CER and term accuracy on the held-out images (the term
appears exactly in the reading, whitespace ignored), CER on the everyday
lines (``engine.training.general_samples``, read through the engine's line
reader, with the vocabulary where the way has one), and the training time.
Writes ``report.md``, ``report.json`` and ``report.png``.
"""
from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import cv2
import numpy as np

from bench.ocr import score
from bench.ocr.vocabulary import make_set, make_terms, squeeze


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("bench/out/teach"))
    parser.add_argument("--profile", default="accurate")
    parser.add_argument("--terms-per-kind", type=int, default=20)
    parser.add_argument("--images-per-term", type=int, default=4, help="pairs of images (two fonts each)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)

    import torch

    from recognition.engine import EngineConfig, OcrEngine, Vocabulary
    from recognition.engine.training import LineSample, general_samples, is_held_out, line_crop, replay_samples
    from recognition.engine.training import term_samples
    from recognition.engine.training.trainer import TrainingOptions, finetune, judge
    from recognition.engine.nets.catalog import load_recognizer
    from recognition.engine.tuned import load_tuned, state_to_bytes

    torch.set_num_threads(args.threads)
    engine = OcrEngine(EngineConfig.for_profile(args.profile, threads=args.threads))
    charset = set(engine.charset)
    rng = random.Random(7)
    terms = make_terms(rng, charset, args.terms_per_kind)
    words = [w for kind in terms.values() for w in kind]
    items = []
    for repeat in range(args.images_per_term):
        items += [i for i in make_set(terms, random.Random(100 + repeat)) if i["kind"] != "near-miss"]
    print(f"{len(items)} images, {len(words)} terms", flush=True)

    train, held_out = [], []
    for number, item in enumerate(items):
        (held_out if is_held_out(f"bench:{number}") else train).append(item)

    # 1. The engine reads the training images; each reading is corrected.
    corrections: list[LineSample] = []
    for item in train:
        result = engine.recognize(item["image"])
        if len(result.lines) != 1:  # a correction keeps the engine's lines; skip the odd split read
            continue
        bgr = cv2.imdecode(np.frombuffer(item["image"], np.uint8), cv2.IMREAD_COLOR)
        corrections.append(LineSample(line_crop(bgr, result.lines[0].box), item["text"]))
    print(f"{len(corrections)} corrected lines for training, {len(held_out)} held-out images", flush=True)

    # 3. Fine-tune as the product does.
    model, model_charset = load_recognizer(engine.config.recognizer.model, optimize=False)
    team_lines = corrections + term_samples(words, min(400, 4 * len(words)))
    training_set = team_lines + replay_samples(max(100, len(team_lines)))
    validation = [s for k, s in enumerate(corrections) if k % 10 == 0]  # a check slice for early stopping
    started = time.perf_counter()
    outcome = finetune(model, model_charset, training_set, validation, general_samples(),
                       TrainingOptions(), progress=lambda r: print(f"   epoch {r.epoch}: loss {r.loss:.4f}, "
                                                                   f"check CER {r.validation_cer:.2%}", flush=True))
    training_seconds = time.perf_counter() - started
    tuned = load_tuned(engine.config.recognizer.model, "bench", state_to_bytes(outcome.state))
    vocabulary = Vocabulary(words)
    general = general_samples()

    ways = {"base": (None, None), "base + vocabulary": (vocabulary, None),
            "fine-tuned": (None, tuned), "fine-tuned + vocabulary": (vocabulary, tuned)}
    rows = []
    for name, (vocab, recognizer) in ways.items():
        edits = chars = hits = 0
        seconds = 0.0
        for item in held_out:
            t = time.perf_counter()
            text = engine.recognize(item["image"], vocabulary=vocab, recognizer=recognizer).text
            seconds += time.perf_counter() - t
            page = score.score_page(item["text"], text)
            edits, chars = edits + page.edits, chars + page.chars
            hits += squeeze(item["term"]) in squeeze(text)
        run = None if recognizer is None else (lambda x, m=recognizer.module: engine._call(m, x))
        readings = engine.read_lines.read([s.image for s in general], vocab, run=run)
        general_pairs = [(score.score_page(s.text, r.text)) for s, r in zip(general, readings)]
        rows.append({
            "way": name,
            "held_out_cer": edits / chars,
            "term_accuracy": hits / len(held_out),
            "general_cer": sum(p.edits for p in general_pairs) / sum(p.chars for p in general_pairs),
            "seconds_per_image": seconds / len(held_out),
        })
        print(rows[-1], flush=True)

    report = {
        "profile": args.profile, "recognizer": engine.config.recognizer.model, "terms": len(words),
        "images": len(items), "training_lines": outcome.counts["train"], "corrected_lines": len(corrections),
        "held_out_images": len(held_out), "training_seconds": training_seconds, "epochs": len(outcome.epochs),
        "best_epoch": outcome.best_epoch, "threads": args.threads, "verdict": judge(outcome).reason, "rows": rows,
    }
    write(args.out, report)
    return 0


def write(out: Path, report: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    base = report["rows"][0]
    lines = [
        f"# Teaching benchmark ({report['profile']}, {report['recognizer']})", "",
        f"{report['terms']} terms, {report['images']} images: {report['corrected_lines']} corrected lines trained "
        f"({report['training_lines']} with rendered vocabulary and replay lines), {report['held_out_images']} "
        f"held-out images. Training: {report['training_seconds']:.0f} s, {report['epochs']} epochs (best "
        f"{report['best_epoch']}), {report['threads']} threads.", "",
        "| way | held-out CER | term accuracy | everyday-lines CER | s / image |", "|---|---|---|---|---|",
    ]
    for row in report["rows"]:
        lines.append(f"| {row['way']} | {row['held_out_cer']:.2%} | {row['term_accuracy']:.1%} | "
                     f"{row['general_cer']:.2%} | {row['seconds_per_image']:.3f} |")
    tuned = report["rows"][2]
    cut = 1 - tuned["held_out_cer"] / base["held_out_cer"] if base["held_out_cer"] else 0.0
    lines += ["", f"Fine-tuning cuts the held-out CER by {cut:.0%} (relative); everyday-lines CER "
                  f"{base['general_cer']:.2%} -> {tuned['general_cer']:.2%}. Adoption rule: {report['verdict']}."]
    (out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
        names = [r["way"] for r in report["rows"]]
        axes[0].bar(names, [100 * r["held_out_cer"] for r in report["rows"]], color="#4a7bd0")
        axes[0].set_ylabel("held-out CER (%)")
        axes[1].bar(names, [100 * r["term_accuracy"] for r in report["rows"]], color="#3a9a5b")
        axes[1].set_ylabel("term accuracy (%)")
        for ax in axes:
            ax.tick_params(axis="x", labelrotation=20, labelsize=8)
        fig.tight_layout()
        fig.savefig(out / "report.png", dpi=110)
    except ImportError:
        pass
    print("\n".join(lines))


if __name__ == "__main__":
    raise SystemExit(main())
