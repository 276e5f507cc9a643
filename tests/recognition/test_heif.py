"""HEIC (pillow-heif) and AVIF (Pillow) photos, upright as their EXIF
orientation says, everywhere images are accepted."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from integrations import bulk, hotfolder
from recognition import services, tasks, thumbnails, zip_import
from recognition.engine.image_io import decode_image, probe_image, sniff_format
from recognition.models import Upload
from tests.documents import heif_bytes, loaded_engine, real_engine, text_image  # noqa: F401 - fixtures


def _marked(size=(300, 120)) -> Image.Image:
    """Landscape, with a black block in the top-left corner."""
    image = Image.new("RGB", size, "white")
    image.paste((0, 0, 0), (0, 0, 60, 40))
    return image


@pytest.mark.parametrize("fmt, name", [("HEIF", "HEIC"), ("AVIF", "AVIF")])
def test_the_photo_is_read_upright(fmt, name):
    # Orientation 6: the camera was turned; shown upright the photo is portrait
    # and the block is in the top-right corner.
    data = heif_bytes(_marked(), fmt, orientation=6)
    assert sniff_format(data) == name
    info = probe_image(data)
    assert (info.format, info.width, info.height) == (name, 120, 300)
    array = decode_image(data).array
    assert array.shape == (300, 120, 3)
    assert array[10, 110].mean() < 60 and array[10, 10].mean() > 200


@pytest.mark.django_db
@pytest.mark.parametrize("fmt, stored", [("HEIF", "heic"), ("AVIF", "avif")])
def test_an_upload_of_a_photo_is_stored_and_has_a_thumbnail(team, member, queued, fmt, stored):
    data = heif_bytes(_marked(), fmt)
    upload = services.create_upload(team, member, data, "IMG_0001.jpg").upload
    assert (upload.image_type, upload.width, upload.height) == (stored, 300, 120)
    assert upload.file_path.endswith("." + stored)
    thumbnail = Image.open(io.BytesIO(thumbnails.render(data)))
    assert thumbnail.format == "WEBP" and thumbnail.width == 240


@pytest.mark.django_db
def test_a_heic_photo_of_text_is_read(team, member, queued, real_engine):
    data = heif_bytes(text_image(["Receipt 2291 paid"]).rotate(90, expand=True), "HEIF", orientation=6)
    upload = services.create_upload(team, member, data, "receipt.heic").upload
    assert tasks.run_ocr(upload.pk) == "done"
    assert "Receipt 2291 paid" in Upload.objects.get(pk=upload.pk).result.text


@pytest.mark.django_db
def test_photos_in_a_zip_the_bulk_importer_and_the_hot_folder(team, member, queued, zip_of, tmp_path):
    archive = zip_of({"holiday/a.heic": heif_bytes(_marked(), "HEIF"), "b.avif": heif_bytes(_marked((200, 90)), "AVIF")})
    results = zip_import.import_archive(team, member, io.BytesIO(archive))
    assert [r.upload.image_type for r in results] == ["heic", "avif"]

    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "c.HEIC").write_bytes(heif_bytes(_marked((310, 100)), "HEIF"))
    sources, missing = bulk.collect([folder])
    [result] = bulk.import_sources(team, member, sources)
    assert result.ok and result.upload.image_type == "heic"

    hot = tmp_path / "hot"
    hot.mkdir()
    (hot / "d.avif").write_bytes(heif_bytes(_marked((320, 100)), "AVIF"))
    outcome = hotfolder.Ingestor(team, member, hot).ingest(hot / "d.avif")
    assert outcome.status == "new"
    assert Upload.objects.get(pk=int(outcome.detail)).image_type == "avif"
