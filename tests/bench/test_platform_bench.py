"""Platform benchmark helpers: percentiles, the multipart bodies its client
sends, and the report's verdicts (targets, torch in the web process)."""

from __future__ import annotations

import email.parser
import email.policy

import pytest

from bench.platform_bench import report
from bench.platform_bench.client import multipart
from bench.platform_bench.stats import percentile, summary


def test_percentile_is_nearest_rank_never_interpolated() -> None:
    samples = [float(x) for x in range(1, 101)]  # 1 … 100
    assert percentile(samples, 50) == 50
    assert percentile(samples, 95) == 95
    assert percentile(samples, 99) == 99
    assert percentile(samples, 100) == 100
    assert percentile(samples, 0) == 1
    # p99 of 40 samples is the slowest one, not something between the two slowest.
    forty = [10.0] * 39 + [500.0]
    assert percentile(forty, 99) == 500.0
    assert percentile(forty, 95) == 10.0
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0  # order of the input does not matter


def test_percentile_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_summary() -> None:
    s = summary([5.0, 1.0, 3.0])
    assert s == {"n": 3, "mean": 3.0, "p50": 3.0, "p95": 5.0, "p99": 5.0, "max": 5.0}


def test_multipart_body_parses_back_to_the_fields_and_the_file() -> None:
    data = bytes(range(256)) * 10  # binary, with CR and LF inside
    body, content_type = multipart({"team": "sales"}, "files", "shot.png", data)
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    parts = list(message.iter_parts())
    assert [p.get_param("name", header="content-disposition") for p in parts] == ["team", "files"]
    assert parts[0].get_payload(decode=True) == b"sales"
    assert parts[1].get_filename() == "shot.png"
    assert parts[1].get_content_type() == "image/png"
    assert parts[1].get_payload(decode=True) == data


def _stats(p50: float, p95: float | None = None, p99: float | None = None, n: int = 10) -> dict:
    p95 = p50 if p95 is None else p95
    p99 = p95 if p99 is None else p99
    return {"n": n, "mean": p50, "p50": p50, "p95": p95, "p99": p99, "max": p99}


def _result(stack: str, upload_p99_at_50: float, web_torch: list[str]) -> dict:
    memory = {"web_rss_mb": 120.0, "web_torch_files": web_torch,
              "workers": [{"rss_mb": 780.0, "pss_mb": 700.0}], "cluster_other": [{"rss_mb": 90.0}]}
    return {
        "stack": stack,
        "seconds": 240.0,
        "run": {"date": "2026-11-24 05:00 UTC", "command": "python -m bench.platform_bench --stack both",
                "load_before": "0.10 / 0.20 / 0.30", "load_after": "1.00 / 0.50 / 0.40", "load_1min_max": 1.5,
                "note": ""},
        "torch_threads": {"1": 2, "2": 1},
        "uploads": [
            {"concurrency": 1, "n": 40, "statuses": {"201": 40}, "requests_per_s": 50.0, **_stats(12, 15, 20)},
            {"concurrency": 50, "n": 300, "statuses": {"201": 299, "500": 1}, "requests_per_s": 60.0,
             **_stats(80, 95, upload_p99_at_50)},
        ],
        "duplicate_upload": _stats(20, 30, 40),
        "recognize": {"fresh": _stats(1500, 1700), "duplicate": _stats(30, 60, 70)},
        "websocket": {k: _stats(v) for k, v in {"total_ms": 1400, "request_to_row_ms": 20, "queue_ms": 100,
                                                "worker_ms": 1200, "engine_ms": 1150, "delivery_ms": 80}.items()},
        "drain_1": {"images": 16, "seconds": 24.0, "per_minute": 40.0, "workers": 1, "threads": 2},
        "drain_1x1": {"images": 16, "seconds": 30.0, "per_minute": 32.0, "workers": 1, "threads": 1},
        "drain_2": {"images": 16, "seconds": 20.0, "per_minute": 48.0, "workers": 2, "threads": 1},
        "memory_idle": memory,
        "memory_after_load": {**memory, "web_rss_mb": 150.0},
        "memory_2_workers": {**memory, "workers": [{"rss_mb": 700.0, "pss_mb": 600.0}] * 2},
    }


def test_report_names_the_machine_marks_targets_and_tells_where_torch_is() -> None:
    info = {"machine": {"cpu": "Test CPU 9000", "cores": 2, "ram_gib": 23.5, "kernel": "6.1", "python": "3.11.7",
                        "commit": "abc1234"}}
    text = report.markdown([_result("embedded", 90.0, []), _result("pg-redis", 250.0, ["/x/torch/lib/libtorch.so"])],
                           info)
    assert "Test CPU 9000, 2 cores, 23.5 GiB RAM" in text
    assert "before 0.10 / 0.20 / 0.30, after 1.00 / 0.50 / 0.40, highest 1-min value during the run 1.50" in text
    row = next(line for line in text.splitlines() if line.startswith("| upload latency, 50 concurrent"))
    embedded, pg = row.split(" | ")[1:3]
    assert embedded.startswith("80 / 95 / 90 ms ✅") and pg.startswith("80 / 95 / 250 ms ❌")
    assert "(statuses {'500': 1})" in row  # anything but 201 is shown, never hidden
    torch_row = next(line for line in text.splitlines() if line.startswith("| torch in the web process"))
    assert "no (0 files mapped)" in torch_row and "**yes**: /x/torch/lib/libtorch.so" in torch_row
    assert "| backlog drain, 2 workers × 1 torch thread | 48.0 images/min (16 in 20.0 s)" in text
    assert "| backlog drain, 1 worker × 1 torch thread | 32.0 images/min (16 in 30.0 s)" in text
    # The target compares the same threads per image; 1 × 2 is information only.
    assert ("| backlog drain ratio, 2 workers × 1 torch thread ÷ 1 worker × 1 torch thread (target ≥ 1.8) "
            "| 1.50× ❌ |") in text
    assert ("| backlog drain ratio, 2 workers × 1 torch thread ÷ 1 worker × 2 torch threads (information) "
            "| 1.20× |") in text
    assert "| … of which the engine itself (`timings.total`) | 1150 ms | 1150 ms |" in text


def test_drain_ratio_meets_its_target_and_older_results_without_the_1x1_phase_still_report() -> None:
    info = {"machine": {"cpu": "Test CPU", "cores": 2, "ram_gib": 8.0, "kernel": "6.1", "python": "3.11.7",
                        "commit": "abc1234"}}
    fast = _result("embedded", 90.0, [])
    fast["drain_2"] = {**fast["drain_2"], "per_minute": 60.0}
    older = _result("pg-redis", 90.0, [])
    del older["drain_1x1"]
    for key in ("drain_1", "drain_2"):  # saved before the phases recorded their shape
        older[key] = {k: v for k, v in older[key].items() if k not in ("workers", "threads")}
    text = report.markdown([fast, older], info)
    row = next(line for line in text.splitlines() if "(target ≥ 1.8)" in line)
    assert row.endswith("| 1.88× ✅ |  |")  # the older result has no such phase: an empty cell
    assert "| backlog drain, 1 worker × 2 torch threads | 40.0 images/min (16 in 24.0 s) | 40.0 images/min" in text


def test_plot_draws_the_drain_phases(tmp_path) -> None:
    pytest.importorskip("matplotlib")
    path = tmp_path / "platform.png"
    report.plot([_result("embedded", 90.0, []), _result("pg-redis", 250.0, [])], path)
    assert path.stat().st_size > 0
