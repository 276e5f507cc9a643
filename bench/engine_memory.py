"""Peak resident memory of the OCR engine per stage, on the page shapes that
cost a worker the most: a 1280x720 chat, a tall 1080x4000 capture with
~116 lines, a noisy 2200x1650 JPEG photo.

    python -m bench.engine_memory [--profile accurate] [--option dotted.path=value ...]

Each stage's peak is read from the kernel (VmHWM, reset before the stage via
/proc/self/clear_refs), so it counts what the allocator really took, not
what Python asked for. Memory does not depend on how busy the machine is,
unlike the timings printed beside it. Linux only.
"""
from __future__ import annotations

import argparse
import io
import json
import time

import numpy as np
from PIL import Image, ImageDraw, ImageFont

SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
CJK = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
PAGES = ((1280, 720, False), (1080, 4000, False), (2200, 1650, True))
STAGES = ("find_lines", "read_lines", "layout")


def page(width: int, height: int, noisy: bool) -> bytes:
    """Lines of English and Chinese every 34 px; noisy: grain and JPEG q70."""
    sans, cjk = ImageFont.truetype(SANS, 22), ImageFont.truetype(CJK, 22)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    y, n = 20, 0
    while y < height - 40:
        if n % 3 == 0:
            draw.text((30 + (n % 4) * 40, y), "会议改到十点半开始 请检查服务器日志", fill="black", font=cjk)
        else:
            draw.text((30 + (n % 4) * 40, y), f"Line {n}: the build failed on main again, see #{n * 7}",
                      fill="black", font=sans)
        y, n = y + 34, n + 1
    out = io.BytesIO()
    if noisy:
        grain = np.random.default_rng(0).normal(0, 25, (height, width, 3))
        image = Image.fromarray(np.clip(np.asarray(image, np.float64) + grain, 0, 255).astype(np.uint8))
        image.save(out, "JPEG", quality=70)
    else:
        image.save(out, "PNG")
    return out.getvalue()


def _status() -> dict[str, int]:
    with open("/proc/self/status") as status:
        return {line.split(":")[0]: int(line.split()[1]) // 1024 for line in status
                if line.startswith(("VmHWM", "VmRSS"))}


def _reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")


def _parse_option(text: str) -> tuple[str, object]:
    path, _, value = text.partition("=")
    try:
        return path, json.loads(value)
    except json.JSONDecodeError:
        return path, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="accurate")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--option", action="append", default=[], help="dotted.path=value of the engine config")
    args = parser.parse_args()

    from recognition.engine import EngineConfig, OcrEngine

    config = EngineConfig.for_profile(args.profile, threads=args.threads)
    config = config.with_options(dict(_parse_option(o) for o in args.option))
    engine = OcrEngine(config)
    peaks: dict[str, int] = {}
    for name in STAGES:
        stage = getattr(engine, name)
        # The line reader is called through its read() method; the others are called.
        owner, attribute = (stage, "read") if hasattr(stage, "read") else (engine, name)
        call = getattr(owner, attribute)

        def measured(*a, _call=call, _name=name, **k):
            _reset_peak()
            out = _call(*a, **k)
            peaks[_name] = _status()["VmHWM"]
            return out

        setattr(owner, attribute, measured)
    engine.warm_up()
    print(f"profile {args.profile}; after load and warm-up: RSS {_status()['VmRSS']} MB")
    print(f"{'page':>16} {'lines':>5} {'s':>6}  " + "  ".join(f"{s} peak MB" for s in STAGES))
    overall = 0
    for width, height, noisy in PAGES:
        data = page(width, height, noisy)
        start = time.perf_counter()
        result = engine.recognize(data)
        seconds = time.perf_counter() - start
        overall = max(overall, *peaks.values())
        label = f"{width}x{height}{' jpeg' if noisy else ''}"
        print(f"{label:>16} {len(result.lines):>5} {seconds:6.2f}  " + "  ".join(f"{peaks[s]:>14}" for s in STAGES))
    print(f"peak RSS over the pages: {overall} MB")


if __name__ == "__main__":
    main()
