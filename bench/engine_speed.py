"""Latency of the OCR engine on a rendered screenshot, stage by stage, next
to RapidOCR's own onnxruntime pipeline on the same image.

    python -m bench.engine_speed [--threads 2] [--repeat 5] [--image PATH] [--no-rapidocr]

The default image is a 1280x720 light chat screenshot with about 20 lines
(English, Chinese and mixed), rendered with DejaVu Sans / WenQuanYi Micro Hei.
Reports the median over ``--repeat`` runs after one warm-up run, and the
machine's load average, because torch slows down sharply on a busy CPU.
"""
from __future__ import annotations

import argparse
import io
import os
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

LINES = [
    "Version 2.1.0 released on Monday with bug fixes", "Can you send me the invoice by Friday?",
    "好的，我下午处理一下", "The build failed on the main branch again", "请检查一下服务器日志",
    "Meeting moved to 3:30 PM in room 204", "Total: $1,299.00 (tax included)", "我们下周发布新版本",
    "git push origin feature/login-page", "Order #48213 has been shipped", "谢谢你的帮助！",
    "Let me know if you need anything else", "请打开 Settings 页面", "Error 404: page not found",
    "We have 12 open issues and 3 pull requests", "Don't forget the standup at 9:15 tomorrow",
    "下载 Python 3.12 版本", "Thanks! That works for me.", "def parse(line): return line.split(',')",
    "会议改到 10:30 开始",
]


def screenshot() -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    sans = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 17)
    cjk = ImageFont.truetype("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 17)
    im = Image.new("RGB", (1280, 720), "white")
    d = ImageDraw.Draw(im)
    for i, text in enumerate(LINES):
        f = cjk if any(ord(c) > 0x2E80 for c in text) else sans
        w = d.textlength(text, font=f)
        x = 30 if i % 2 == 0 else 1280 - 40 - w
        y = 14 + i * 35
        d.rounded_rectangle((x - 10, y - 5, x + w + 10, y + 25), 8, fill=(232, 232, 236) if i % 2 == 0 else (160, 220, 160))
        d.text((x, y), text, font=f, fill=(20, 20, 20))
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--image", type=Path, default=None)
    ap.add_argument("--profile", default="accurate", help="engine profile (accurate, fast, v4)")
    ap.add_argument("--no-rapidocr", action="store_true")
    args = ap.parse_args()
    data = args.image.read_bytes() if args.image else screenshot()
    print(f"load average before: {os.getloadavg()[0]:.2f}; threads {args.threads}")

    from recognition.engine import EngineConfig, OcrEngine

    t = time.perf_counter()
    engine = OcrEngine(EngineConfig.for_profile(args.profile, threads=args.threads))
    print(f"engine load: {(time.perf_counter() - t) * 1000:.0f} ms ({engine.engine_version})")
    engine.recognize(data)
    runs = [engine.recognize(data) for _ in range(args.repeat)]
    stages = {k: statistics.median(r.timings[k] for r in runs) for k in runs[0].timings}
    print(f"ours: {len(runs[0].lines)} lines, median " + ", ".join(f"{k} {v:.0f}" for k, v in stages.items()) + " ms")

    if not args.no_rapidocr:
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as exc:
            print(f"rapidocr unavailable: {exc}")
        else:
            rapid = RapidOCR(intra_op_num_threads=args.threads, inter_op_num_threads=1)
            rapid(data)
            times = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                result, _ = rapid(data)
                times.append((time.perf_counter() - t) * 1000)
            print(f"rapidocr: {len(result or [])} boxes, median total {statistics.median(times):.0f} ms")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
