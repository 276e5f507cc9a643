"""Quick OCR from the command line: ``python manage.py ocr IMAGE... [--json]``.

Runs the engine in this process (no queue, no database), for checking what
the engine reads from an image.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Recognise text in images and print it (or JSON with lines, boxes and timings)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("images", nargs="+", type=Path)
        parser.add_argument("--json", action="store_true", help="Print one JSON object per image.")
        parser.add_argument(
            "--draw-boxes", type=Path, metavar="OUT",
            help="Write the image with detected line boxes: a .png file for one image, a directory for several.",
        )
        parser.add_argument("--threads", type=int, default=None, help="Torch threads (default: all cores).")
        parser.add_argument(
            "--profile", default=None, choices=settings.OCRSPACE_PROFILES,
            help=f"Engine profile (default: {settings.OCRSPACE_DEFAULT_PROFILE}).",
        )

    def handle(self, *args, images: list[Path], json: bool, draw_boxes: Path | None, threads: int | None,
               profile: str | None, **options):
        if draw_boxes and len(images) > 1 and draw_boxes.suffix:
            raise CommandError("With several images, --draw-boxes takes a directory.")
        from tqdm import tqdm

        from recognition.engine import ImageError, OcrEngine
        from recognition.engine_gateway import engine_config

        engine = OcrEngine(engine_config(profile, **({"threads": threads} if threads else {})))
        failures = 0
        for path in tqdm(images, unit="image", disable=len(images) < 2, file=sys.stderr):
            try:
                data = path.read_bytes()
                result = engine.recognize(data)
            except (OSError, ImageError) as error:
                failures += 1
                self.stderr.write(f"{path}: {getattr(error, 'strerror', None) or error}")
                continue
            self._print(path, result, json, many=len(images) > 1)
            if draw_boxes:
                target = draw_boxes if len(images) == 1 else draw_boxes / f"{path.stem}.boxes.png"
                _draw(data, result, target)
        if failures:
            raise CommandError(f"{failures} of {len(images)} image(s) could not be read.")

    def _print(self, path: Path, result, as_json: bool, many: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps({"file": str(path), **result.to_dict()}, ensure_ascii=False))
            return
        if many:
            self.stdout.write(f"== {path} (confidence {result.confidence:.2f})")
        self.stdout.write(result.text)


def _draw(data: bytes, result, target: Path) -> None:
    import cv2
    import numpy as np

    from recognition.engine import decode_image

    image = cv2.cvtColor(decode_image(data).array, cv2.COLOR_RGB2BGR)
    for line in result.lines:
        colour = (0, 160, 0) if line.confidence >= 0.8 else (0, 0, 220)
        cv2.polylines(image, [np.array(line.box, dtype=np.int32)], True, colour, 2)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(target), image):
        raise CommandError(f"Could not write {target}.")
