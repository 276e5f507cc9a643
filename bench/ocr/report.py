"""Markdown tables and a plot from the runner's results (see run.py)."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from pathlib import Path

from bench.ocr.score import Aggregate, PageScore, aggregate

# Product targets (see the README of bench/ocr): ours against RapidOCR.
TARGET_WORD_ACC = 0.95
TARGET_720P_MS = 1000
TARGET_RSS_MB = 700


def _engines(results: dict) -> list[str]:
    return [n for n, m in results["engines"].items() if not m.get("unavailable")]


def _scores(results: dict, name: str, keep: Callable[[dict], bool] = lambda r: True) -> list[PageScore]:
    return [PageScore(**r["engines"][name]["score"]) for r in results["images"] if name in r["engines"] and keep(r)]


def _lat(results: dict, name: str, keep: Callable[[dict], bool] = lambda r: True, field: str = "latency_ms") -> list[float]:
    return [r["engines"][name][field] for r in results["images"]
            if name in r["engines"] and keep(r) and r["engines"][name].get(field) is not None]


def _median(xs: list[float]) -> float | None:
    return statistics.median(xs) if xs else None


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}%"


def _ms(x: float | None) -> str:
    return "–" if x is None else f"{x:.0f}"


def _rss(meta: dict, when: str = "rss_final") -> float | None:
    r = meta.get(when) or {}
    if meta.get("engine") == "tesseract":  # the work happens in tesseract child processes
        return r.get("children_maxrss_mb")
    return r.get("self_maxrss_mb")


def _clean(r: dict) -> bool:
    return r["degradation"] == "none"


def _table(header: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(out)


def _by(results: dict, key: Callable[[dict], list[str]], title: str) -> str:
    """One row per group value; CER, word accuracy and median latency per engine."""
    names = _engines(results)
    groups = sorted({g for r in results["images"] for g in key(r)})
    header = [title, "n"] + [f"{n} {m}" for n in names for m in ("CER", "word acc", "ms")]
    if "ours" in names and "rapidocr" in names:
        header.append("ms ours/rapid")
    rows = []
    for g in groups + ["overall"]:
        keep = (lambda r, g=g: g in key(r)) if g != "overall" else (lambda r: True)
        n = sum(1 for r in results["images"] if keep(r))
        row = [f"**{g}**" if g == "overall" else g, str(n)]
        for name in names:
            a = aggregate(_scores(results, name, keep))
            row += [_pct(a.cer), _pct(a.word_accuracy), _ms(_median(_lat(results, name, keep)))]
        if "ours" in names and "rapidocr" in names:
            o, p = _median(_lat(results, "ours", keep)), _median(_lat(results, "rapidocr", keep))
            row.append(f"{o / p:.2f}" if o and p else "–")
        rows.append(row)
    return _table(header, rows)


def summary(results: dict) -> dict[str, dict]:
    out = {}
    names = _engines(results)
    for name in names:
        meta = results["engines"][name]
        all_: Aggregate = aggregate(_scores(results, name))
        clean = aggregate(_scores(results, name, _clean))
        degraded = _scores(results, name, lambda r: not _clean(r))
        lat = _lat(results, name)
        out[name] = {
            "version": meta.get("version"), "cer": all_.cer, "cer_clean": clean.cer if clean.images else None,
            "cer_degraded": aggregate(degraded).cer if degraded else None,
            "order_free_cer": all_.order_free_cer, "nfkc_cer": all_.nfkc_cer, "cer_mean": all_.cer_mean,
            "word_acc_clean": clean.word_accuracy, "word_acc": all_.word_accuracy,
            "median_ms": _median(lat), "median_cpu_ms": _median(_lat(results, name, field="cpu_ms")), "p90_ms": sorted(lat)[int(0.9 * (len(lat) - 1))] if lat else None,
            "median_ms_720p": _median(_lat(results, name, lambda r: "720p" in r["tags"] and _clean(r))),
            "rss_mb": _rss(meta), "rss_warm_mb": _rss(meta, "rss_after_warmup"), "load_s": meta.get("load_and_warmup_s"),
            "errors": sum(1 for r in results["images"] if r["engines"].get(name, {}).get("error")),
        }
    return out


def markdown(results: dict) -> str:
    meta = results["meta"]
    m = meta["machine"]
    names = _engines(results)
    s = summary(results)
    parts = [
        "# OCR benchmark",
        f"Machine: {m['cpu']}, {m['usable_cpus']} usable / {m['logical_cpus']} logical CPUs, {m['memory_gib']} GiB; "
        f"load average {m['loadavg_start'][0]:.2f} at start, {m['loadavg_end'][0]:.2f} at end; {m['platform']}; Python {m['python']}.",
        f"Date: {meta['date']}. Dev set: `{meta['devset']['path']}` ({meta['devset']['size']}, seed {meta['devset']['seed']}, "
        f"{meta['devset']['count']} images, generator v{meta['devset']['generator_version']})"
        + (f", first {meta['limit']} images only" if meta.get("limit") else "") + ". "
        f"Threads per engine: {meta['threads']}" + (f"; ours options: {', '.join(meta['ours_options'])}" if meta["ours_options"] else "") + ".",
        "",
        "Engines: " + "; ".join(f"**{n}** — {results['engines'][n].get('version') or results['engines'][n].get('unavailable')}"
                                + (f" (reused from {results['engines'][n]['reused_from']})" if results["engines"][n].get("reused_from") else "")
                                for n in results["engines"]),
    ]
    # Our own engines add about `threads` to the load while they run.
    busy = max(m["loadavg_start"][0], m["loadavg_end"][0])
    if m["loadavg_start"][0] > 1.0 or m["loadavg_end"][0] > meta["threads"] + 1.0:
        parts.append(f"\n> **Warning: the machine was busy (load average up to {busy:.1f} on {m['usable_cpus']} CPUs); "
                     "wall-clock latencies are inflated and noisy. Compare CPU ms, or rerun on an idle machine.**")
    if meta.get("git"):
        parts.append(f"\nCode: commit {meta['git']['commit']}"
                     + (f", with uncommitted changes in {', '.join(meta['git']['dirty'])}" if meta["git"]["dirty"] else ", clean tree")
                     + ".")
    for n, em in results["engines"].items():
        if em.get("unavailable"):
            parts.append(f"\n> **{n} did not run:** {em['unavailable']}")
    parts += ["", "CER: whitespace-free character error rate over the page text in reading order (micro-average). "
              "Word acc: Latin-script words found in order (see bench/ocr/score.py). ms: median latency per image after one warm-up image. "
              "Order-free CER ignores reading order (a lower bound of CER); NFKC CER folds full-width and look-alike forms.", "", "## Summary", ""]
    header = ["engine", "CER", "CER clean", "CER degraded", "order-free CER", "NFKC CER", "word acc clean", "word acc all",
              "median ms", "p90 ms", "median CPU ms", "720p ms", "RSS after warm-up MB", "peak RSS MB", "load+warm-up s", "errors"]
    rows = [[n, _pct(d["cer"]), _pct(d["cer_clean"]), _pct(d["cer_degraded"]), _pct(d["order_free_cer"]), _pct(d["nfkc_cer"]),
             _pct(d["word_acc_clean"]), _pct(d["word_acc"]), _ms(d["median_ms"]), _ms(d["p90_ms"]),
             _ms(d["median_cpu_ms"]), _ms(d["median_ms_720p"]), _ms(d["rss_warm_mb"]), _ms(d["rss_mb"]), str(d["load_s"]), str(d["errors"])] for n, d in s.items()]
    parts.append(_table(header, rows))
    if "ours" in s and "rapidocr" in s:
        parts += ["", "## Targets (ours)", "", _targets(results, s)]
    parts += ["", "## Per category", "", _by(results, lambda r: [r["category"]], "category"),
              "", "## Per category, clean images only", "",
              _by({**results, "images": [r for r in results["images"] if _clean(r)]}, lambda r: [r["category"]], "category"),
              "", "## Per degradation", "", _by(results, lambda r: [r["degradation"]], "degradation"),
              "", "## Per language", "", _by(results, lambda r: [r["lang"]], "language"),
              "", "## Per theme and device pixel ratio", "",
              _by(results, lambda r: [r["theme"], f"dpr {r['dpr']}"], "group"),
              "", "## Per tag", "", _by(results, lambda r: r["tags"] or ["(none)"], "tag"),
              "", "## Worst pages per engine (CER)", ""]
    for n in names:
        worst = sorted((r for r in results["images"] if n in r["engines"]), key=lambda r: -r["engines"][n]["cer"])[:8]
        parts.append(f"- **{n}**: " + ", ".join(f"`{r['id']}` {_pct(r['engines'][n]['cer'])}" for r in worst))
    return "\n".join(parts) + "\n"


def _targets(results: dict, s: dict) -> str:
    o, p = s["ours"], s["rapidocr"]
    cats = sorted({r["category"] for r in results["images"]})
    worse = [c for c in cats if aggregate(_scores(results, "ours", lambda r, c=c: r["category"] == c)).cer
             > aggregate(_scores(results, "rapidocr", lambda r, c=c: r["category"] == c)).cer]
    ratio = o["median_ms"] / p["median_ms"] if o["median_ms"] and p["median_ms"] else None
    checks = [
        ("CER ≤ RapidOCR in every category", not worse, "worse in: " + ", ".join(worse) if worse else "all categories"),
        ("overall CER < RapidOCR", o["cer"] < p["cer"], f"{_pct(o['cer'])} vs {_pct(p['cer'])}"),
        ("word acc (clean) ≥ 95%", (o["word_acc_clean"] or 0) >= TARGET_WORD_ACC, _pct(o["word_acc_clean"])),
        ("median latency ours/RapidOCR ≤ 1.0", ratio is not None and ratio <= 1.0, "–" if ratio is None else f"{ratio:.2f}"),
        ("1280×720 page ≤ 1 s", o["median_ms_720p"] is not None and o["median_ms_720p"] <= TARGET_720P_MS, _ms(o["median_ms_720p"]) + " ms"),
        ("peak RSS ≤ 700 MB", o["rss_mb"] is not None and o["rss_mb"] <= TARGET_RSS_MB, _ms(o["rss_mb"]) + " MB"),
    ]
    return _table(["target", "met", "value"], [[t, "yes" if ok else "**no**", v] for t, ok, v in checks])


def plot(results: dict, path: Path) -> None:
    """Bars of CER and median latency per category for each engine."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = _engines(results)
    cats = sorted({r["category"] for r in results["images"]}) + ["overall"]
    fig, axes = plt.subplots(1, 3, figsize=(17, 4.5))
    width = 0.8 / max(1, len(names))
    for i, name in enumerate(names):
        cer, acc, lat = [], [], []
        for c in cats:
            keep = (lambda r, c=c: r["category"] == c) if c != "overall" else (lambda r: True)
            a = aggregate(_scores(results, name, keep))
            cer.append(100 * a.cer)
            acc.append(100 * (a.word_accuracy or 0))
            lat.append(_median(_lat(results, name, keep)) or 0)
        xs = [j + (i - (len(names) - 1) / 2) * width for j in range(len(cats))]
        colour = {"ours": "tab:blue", "rapidocr": "tab:orange", "tesseract": "tab:green"}.get(name)
        for ax, ys in zip(axes, (cer, acc, lat)):
            ax.bar(xs, ys, width, label=name, color=colour)
    titles = ("CER % (lower is better)", "word accuracy % (higher is better)", "median latency ms per image")
    for ax, title in zip(axes, titles):
        ax.set_xticks(range(len(cats)), cats, rotation=20)
        ax.set_title(title)
        ax.grid(axis="y", alpha=0.3)
    axes[0].legend(loc="upper left")
    m = results["meta"]["machine"]
    fig.suptitle(f"{results['meta']['devset']['size']} dev set, {results['meta']['devset']['count']} images — "
                 f"{m['cpu']}, {results['meta']['threads']} threads/engine", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    """Rewrite report.md and report.png next to a results.json (e.g. after changing this module)."""
    import argparse
    import json

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("results", type=Path)
    args = ap.parse_args(argv)
    results = json.loads(args.results.read_text(encoding="utf-8"))
    (args.results.parent / "report.md").write_text(markdown(results), encoding="utf-8")
    plot(results, args.results.parent / "report.png")
    print(f"wrote {args.results.parent}/report.md, report.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
