"""The header probe: size and format without decoding, files cut short
refused from their structure, whole files with damaged pixels left to the
decoder (the worker)."""
from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image, ImageFile

from recognition.engine import CorruptImage, ImageTooLarge, decode_image, probe_image
from tests.support import corrupt_pixels_png, corrupt_tables_jpeg

FORMATS = ["PNG", "JPEG", "WEBP", "BMP", "TIFF", "GIF"]


def noise(size=(200, 120)) -> Image.Image:
    return Image.fromarray(np.random.default_rng(0).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8))


def encode(im: Image.Image, fmt: str, **kw) -> bytes:
    buffer = io.BytesIO()
    im.save(buffer, fmt, **kw)
    return buffer.getvalue()


@pytest.fixture
def no_decoding(monkeypatch):
    """Any pixel decoding by Pillow fails the test."""
    def load(self):
        raise AssertionError("the probe decoded pixels")

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)


@pytest.mark.parametrize("fmt", FORMATS)
def test_whole_files_pass_without_decoding(fmt, no_decoding):
    info = probe_image(encode(noise(), fmt))
    assert (info.width, info.height) == (200, 120)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kept", [0.3, 0.6, 0.95])
def test_files_cut_short_are_refused_as_before(fmt, kept):
    data = encode(noise(), fmt)
    cut = data[: int(len(data) * kept)]
    # The kind (and the message) decode_image gave these files at upload.
    with pytest.raises(CorruptImage, match="damaged") as caught:
        probe_image(cut)
    assert caught.value.code == "corrupt_image"


def test_cut_progressive_jpeg_and_animated_gif():
    jpeg = encode(noise(), "JPEG", progressive=True)
    with pytest.raises(CorruptImage):
        probe_image(jpeg[: len(jpeg) * 2 // 3])
    frames = [noise((60, 40)), Image.new("RGB", (60, 40), "red")]
    gif = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    with pytest.raises(CorruptImage):
        probe_image(gif[:-1])


def test_bytes_after_the_end_are_allowed():
    # Zero padding, a phone's trailer after the JPEG's EOI (motion photos
    # append a video), bytes after a PNG's IEND: decoders ignore them.
    for fmt in ("JPEG", "PNG"):
        data = encode(noise(), fmt)
        assert probe_image(data + b"\0" * 64).width == 200
        assert probe_image(data + b"\0\0\0\x18ftypmp42" + b"x" * 500).width == 200


def test_an_exif_thumbnail_does_not_count_as_the_end():
    exif = Image.Exif()
    exif[0x0112] = 1
    with_thumbnail = encode(noise(), "JPEG", exif=exif.tobytes())
    body = with_thumbnail.index(b"\xff\xda")
    # An embedded JPEG (its own EOI) before the scan, the scan cut short.
    forged = with_thumbnail[:2] + b"\xff\xe2\x00\x06\xff\xd9\x00\x00" + with_thumbnail[2:body + 200]
    with pytest.raises(CorruptImage):
        probe_image(forged)


def test_png_orientation_from_an_exif_chunk_after_the_pixels(no_decoding):
    exif = Image.Exif()
    exif[0x0112] = 6  # turned: shown upright it is portrait
    data = encode(noise(), "PNG")
    chunk = b"eXIf" + exif.tobytes()
    tail = struct.pack(">I", len(chunk) - 4) + chunk + struct.pack(">I", zlib.crc32(chunk))
    iend = data.rindex(b"IEND") - 4
    info = probe_image(data[:iend] + tail + data[iend:])
    assert (info.width, info.height) == (120, 200)


def test_pixel_limit_from_the_header(no_decoding):
    with pytest.raises(ImageTooLarge, match="pixels"):
        probe_image(encode(noise(), "PNG"), max_pixels=1000)


@pytest.mark.parametrize("make", [corrupt_pixels_png, corrupt_tables_jpeg])
def test_damaged_pixels_pass_the_probe_and_fail_the_decode(make):
    data = make()
    assert probe_image(data).width == 300
    with pytest.raises(CorruptImage, match="damaged or truncated"):
        decode_image(data)


def test_garbage_jpeg_scan_data_decodes_to_garbage():
    # Why the worker test uses broken tables, not a broken scan: libjpeg
    # recovers from bad entropy-coded data (warnings, gray or noisy blocks).
    data = encode(noise(), "JPEG")
    scan = data.index(b"\xff\xda")
    garbage = bytes((i * 7 + 13) % 255 for i in range(len(data) - scan - 40)).replace(b"\xff", b"\xfe")
    damaged = data[:scan + 14] + garbage + b"\xff\xd9"
    assert probe_image(damaged).width == 200
    assert decode_image(damaged).array.shape == (120, 200, 3)


@pytest.mark.parametrize("fmt", ["HEIF", "AVIF"])
def test_photos_cut_short_are_refused(fmt):
    from tests.documents import heif_bytes

    data = heif_bytes(noise(), fmt)
    assert probe_image(data).width == 200
    with pytest.raises(CorruptImage):
        probe_image(data[: len(data) * 2 // 3])
