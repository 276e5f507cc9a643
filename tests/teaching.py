"""Material for the teaching tests: screenshots of a product name the
engine reads one way and the team spells another, corrected by a person."""
from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from recognition import corrections, processing, services
from django.utils import timezone

from recognition.models import TeamModel, TeamModelStatus, Upload, UploadStatus

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def page(number: int) -> tuple[bytes, list[dict], str]:
    """A screenshot of four lines naming the team's product, its line boxes,
    and its text as the engine reads it ("Kelvar"; the team spells it "Kelvår")."""
    font = ImageFont.truetype(FONT, 26 + number % 3 * 2)
    image = Image.new("RGB", (520, 220), "white")
    draw = ImageDraw.Draw(image)
    lines, texts = [], []
    for row in range(4):
        text = f"Kelvar {number * 4 + row}"
        y = 15 + row * 50
        x0, y0, x1, y1 = draw.textbbox((20, y), text, font=font)
        draw.text((20, y), text, font=font, fill="black")
        lines.append({"text": text, "confidence": 0.9,
                      "box": [[x0 - 4, y0 - 4], [x1 + 4, y0 - 4], [x1 + 4, y1 + 4], [x0 - 4, y1 + 4]]})
        texts.append(text)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue(), lines, "\n".join(texts)


def corrected_pages(team, user, count: int = 6) -> list[Upload]:
    """``count`` pages as the worker leaves them, each corrected by ``user``
    (uploads are not queued: call with the ``queued`` fixture active)."""
    uploads = []
    for number in range(count):
        data, lines, text = page(number)
        upload = services.create_upload(team, user, data, f"page{number}.png").upload
        Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.PROCESSING)
        upload.refresh_from_db()
        assert processing.complete(upload, text=text, confidence=0.9, lines=lines, engine_version="t/1",
                                   timings={}, profile=team.ocr_profile)
        corrections.correct_text(upload, user, text.replace("Kelvar", "Kelvår"), None)
        uploads.append(upload)
    return uploads


def team_model(team, number: int, status: str = TeamModelStatus.ADOPTED, **fields) -> TeamModel:
    """A training run's row as the training lane leaves it (no weights file:
    for tests of what the pages and the API show and allow)."""
    if status == TeamModelStatus.ADOPTED:
        fields.setdefault("weights_path", f"team-models/{team.pk}/{number}-abc.pt")
        fields.setdefault("weights_sha256", "ab" * 32)
    if status in (TeamModelStatus.ADOPTED, TeamModelStatus.REJECTED, TeamModelStatus.FAILED):
        fields.setdefault("finished_at", timezone.now())
    return TeamModel.objects.create(team=team, number=number, profile="default", family="crnn", status=status,
                                    **fields)
