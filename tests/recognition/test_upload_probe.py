"""What create_upload checks, in which order: the byte checks, the dedup
lookup (a duplicate is never probed), then the header probe of new bytes;
pixels damaged behind a sound structure fail the upload in the worker."""

from pathlib import Path

import pytest
from django.conf import settings

from recognition import engine_gateway, services, tasks
from recognition.engine import decode_image
from recognition.models import Event, Result, Upload, UploadStatus
from recognition.services import UploadRejected
from tests.support import FakeEngine, corrupt_pixels_png, corrupt_tables_jpeg

pytestmark = pytest.mark.django_db


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def probe_fails(monkeypatch):
    """Every probe from now on refuses the file."""
    calls = []

    def refuse(data):
        calls.append(len(data))
        raise engine_gateway.ImageError("probed")

    monkeypatch.setattr(engine_gateway, "probe", refuse)
    return calls


def test_a_duplicate_is_not_probed(team, member, png, queued, monkeypatch):
    data = png((200, 80))
    first = services.create_upload(team, member, data, "a.png").upload
    monkeypatch.setattr(engine_gateway, "probe", lambda data: pytest.fail("a duplicate was probed"))
    again = services.create_upload(team, member, data, "again.png")
    assert again.deduplicated and not again.created and again.upload.pk == first.pk
    assert Upload.objects.count() == 1


def test_the_same_bytes_in_another_team_are_probed(team, member, other_team, outsider, png, queued, monkeypatch):
    data = png()
    services.create_upload(team, member, data, "a.png")

    def refuse(data):
        raise engine_gateway.ImageError("probed")

    monkeypatch.setattr(engine_gateway, "probe", refuse)
    with pytest.raises(UploadRejected, match="probed"):
        services.create_upload(other_team, outsider, data, "a.png")


def test_byte_checks_come_before_hashing_and_probing(team, member, png, probe_fails, settings):
    with pytest.raises(UploadRejected) as caught:
        services.create_upload(team, member, b"", "empty.png")
    assert caught.value.code == "empty_file"
    settings.OCRSPACE_MAX_UPLOAD_BYTES = 100
    with pytest.raises(UploadRejected) as caught:
        services.create_upload(team, member, png(), "big.png")
    assert caught.value.code == "file_too_large"
    assert probe_fails == []


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_truncated_image_is_refused_at_upload(team, member, queued, fmt):
    import io

    import numpy as np
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(1).integers(0, 256, (300, 400, 3), dtype=np.uint8)).save(buffer, fmt)
    data = buffer.getvalue()
    with pytest.raises(UploadRejected) as caught:
        services.create_upload(team, member, data[: len(data) // 2], f"cut.{fmt.lower()}")
    assert caught.value.code == "corrupt_image"
    assert str(caught.value) == f"“cut.{fmt.lower()}”: The {fmt} image is damaged or truncated and cannot be read completely."
    assert not Upload.objects.exists() and stored_files() == [] and queued == []


class DecodingEngine(FakeEngine):
    """The stand-in engine, decoding the stored bytes first as the real
    engine does (``engine.to_bgr``)."""

    def recognize(self, data, **reading):
        if isinstance(data, bytes):
            decode_image(data, max_bytes=settings.OCRSPACE_MAX_UPLOAD_BYTES, max_pixels=settings.OCRSPACE_MAX_IMAGE_PIXELS)
        return super().recognize(data, **reading)


@pytest.mark.parametrize("make,fmt", [(corrupt_pixels_png, "PNG"), (corrupt_tables_jpeg, "JPEG")])
def test_damaged_pixels_fail_the_upload_in_the_worker(team, member, queued, monkeypatch, make, fmt):
    engine = DecodingEngine("text")
    monkeypatch.setattr(engine_gateway, "get_engine", engine.for_profile)
    data = make()
    outcome = services.create_upload(team, member, data, "damaged")
    assert outcome.created and outcome.upload.status == UploadStatus.QUEUED  # accepted: its header is sound

    assert tasks.run_ocr(outcome.upload.pk) == "failed: bad image"
    upload = Upload.objects.get(pk=outcome.upload.pk)
    assert upload.status == UploadStatus.FAILED and upload.finished_at is not None
    assert upload.error == f"The image could not be read: The {fmt} image is damaged or truncated and cannot be read completely."
    kinds = list(Event.objects.filter(upload_id=upload.pk).values_list("kind", flat=True))
    assert kinds == ["upload.created", "upload.processing", "upload.failed"]
    # Nothing half-written: no result, no thumbnail, only the stored file.
    assert not Result.objects.exists()
    assert [p.relative_to(settings.MEDIA_ROOT).as_posix() for p in stored_files()] == [upload.file_path]

    # The same bytes again: the failed upload, at once.
    again = services.create_upload(team, member, data, "damaged again")
    assert again.deduplicated and again.upload.pk == upload.pk
