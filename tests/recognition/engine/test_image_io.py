"""Decoding of uploads: formats, orientation, modes, limits and bad input."""
from __future__ import annotations

import io
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from recognition.engine import (CorruptImage, DecodedImage, EmptyImage, ImageError, ImageTooLarge,
                                UnsupportedImage, decode_image, probe_image)


def encode(im: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def test_png_rgb_roundtrip():
    arr = np.zeros((10, 20, 3), np.uint8)
    arr[:, :, 0] = 200  # red
    out = decode_image(encode(Image.fromarray(arr), "PNG"))
    assert isinstance(out, DecodedImage)
    assert (out.format, out.width, out.height) == ("PNG", 20, 10)
    assert out.array.shape == (10, 20, 3) and out.array.dtype == np.uint8
    assert out.array[0, 0].tolist() == [200, 0, 0]  # RGB order


@pytest.mark.parametrize("fmt,name", [("JPEG", "JPEG"), ("WEBP", "WEBP"), ("BMP", "BMP"),
                                      ("TIFF", "TIFF"), ("GIF", "GIF")])
def test_formats(fmt, name):
    im = Image.new("RGB", (33, 17), (10, 120, 250))
    out = decode_image(encode(im, fmt))
    assert out.format == name and (out.width, out.height) == (33, 17)
    assert np.abs(out.array.astype(int).mean(axis=(0, 1)) - [10, 120, 250]).max() < 12


def test_exif_orientation_applied():
    # Stored landscape 40x20 with the left half black; orientation 6 means
    # "rotate 90 degrees clockwise to display" -> upright is 20x40, top black.
    arr = np.full((20, 40, 3), 255, np.uint8)
    arr[:, :20] = 0
    im = Image.fromarray(arr)
    exif = Image.Exif()
    exif[0x0112] = 6
    data = encode(im, "JPEG", exif=exif.tobytes(), quality=95)
    out = decode_image(data)
    assert (out.width, out.height) == (20, 40)
    assert out.array[:15].mean() < 40 and out.array[25:].mean() > 215
    assert (probe_image(data).width, probe_image(data).height) == (20, 40)


def test_rgba_flattened_on_white():
    im = Image.new("RGBA", (8, 8), (0, 0, 0, 0))
    im.putpixel((0, 0), (0, 0, 0, 255))
    out = decode_image(encode(im, "PNG")).array
    assert out[4, 4].tolist() == [255, 255, 255]
    assert out[0, 0].tolist() == [0, 0, 0]


def test_grayscale_and_1bit():
    out = decode_image(encode(Image.new("L", (5, 4), 77), "PNG")).array
    assert out.shape == (4, 5, 3) and out[0, 0].tolist() == [77, 77, 77]
    out = decode_image(encode(Image.new("1", (5, 4), 1), "PNG")).array
    assert out[0, 0].tolist() == [255, 255, 255]


def test_16bit_png_scaled_not_clipped():
    arr = np.full((6, 6), 32768, np.uint16)
    arr[0, 0] = 65535
    data = encode(Image.fromarray(arr), "PNG")
    out = decode_image(data).array
    assert out.dtype == np.uint8
    assert out[0, 0, 0] == 255 and 120 <= out[3, 3, 0] <= 135


def test_palette_with_transparency():
    im = Image.new("P", (6, 6), 0)
    im.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    im.putpixel((1, 1), 1)
    data = encode(im, "PNG", transparency=0)
    out = decode_image(data).array
    assert out[0, 0].tolist() == [255, 255, 255]  # transparent red -> white
    assert out[1, 1].tolist() == [0, 0, 255]


def test_cmyk_jpeg():
    im = Image.new("CMYK", (10, 10), (0, 255, 255, 0))  # pure red in CMYK
    out = decode_image(encode(im, "JPEG", quality=95)).array
    r, g, b = out[5, 5].astype(int)
    assert r > 200 and g < 60 and b < 60


def test_one_pixel_image():
    out = decode_image(encode(Image.new("RGB", (1, 1), (1, 2, 3)), "PNG"))
    assert out.array.shape == (1, 1, 3) and out.array[0, 0].tolist() == [1, 2, 3]


def test_gif_first_frame():
    frames = [Image.new("RGB", (4, 4), c) for c in [(255, 0, 0), (0, 255, 0)]]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:])
    out = decode_image(buf.getvalue()).array
    assert out[0, 0, 0] > 200 and out[0, 0, 1] < 50


def test_pixel_limit_checked_from_header():
    data = encode(Image.new("L", (3000, 3000)), "PNG")
    with pytest.raises(ImageTooLarge, match="pixels"):
        decode_image(data, max_pixels=1_000_000)
    with pytest.raises(ImageTooLarge):
        probe_image(data, max_pixels=1_000_000)


def test_decompression_bomb_header_only():
    # A PNG header claiming 100000 x 100000 pixels with no real pixel data:
    # rejected from the header, before any allocation.
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 100000, 100000, 8, 0, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(b"\x00" * 100)) + chunk(b"IEND", b"")
    with pytest.raises(ImageTooLarge):
        decode_image(png)


def test_byte_limit():
    data = encode(Image.new("RGB", (64, 64)), "BMP")
    with pytest.raises(ImageTooLarge, match="MB"):
        decode_image(data, max_bytes=1000)


def test_empty_bytes():
    with pytest.raises(EmptyImage):
        decode_image(b"")


def test_corrupt_bytes():
    with pytest.raises(CorruptImage):
        decode_image(b"\x89PNG\r\n\x1a\n" + b"garbage" * 20)


def test_truncated_image():
    rng = np.random.default_rng(0)
    data = encode(Image.fromarray(rng.integers(0, 255, (200, 200, 3), dtype=np.uint8)), "PNG")
    with pytest.raises(CorruptImage, match="damaged|truncated"):
        decode_image(data[: len(data) // 2])
    jpeg = encode(Image.fromarray(rng.integers(0, 255, (200, 200, 3), dtype=np.uint8)), "JPEG")
    with pytest.raises(CorruptImage):
        decode_image(jpeg[: len(jpeg) // 3])


def test_text_file_named_png():
    with pytest.raises(UnsupportedImage, match="text"):
        decode_image(b"hello, this is not an image\n")


def test_svg_rejected_with_message():
    svg = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'
    with pytest.raises(UnsupportedImage, match="SVG") as err:
        decode_image(svg)
    assert isinstance(err.value, ImageError) and err.value.code == "unsupported_image"


def test_probe_reads_header_only():
    data = encode(Image.new("RGB", (120, 45)), "WEBP")
    info = probe_image(data)
    assert (info.format, info.width, info.height) == ("WEBP", 120, 45)


def test_not_bytes_is_type_error():
    with pytest.raises(TypeError):
        decode_image("a string")  # type: ignore[arg-type]


def test_package_import_does_not_import_torch():
    code = ("import sys, recognition.engine as e; "
            "from recognition.engine import decode_image, OcrEngine, EngineConfig, OcrResult; "
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=str(__import__("pathlib").Path(__file__).resolve().parents[3]))
    assert out.stdout.strip() == "False"
