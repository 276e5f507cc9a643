"""Turning uploaded bytes into an RGB array, safely.

Used by the web process to validate uploads, so it imports only Pillow and
numpy. The format is sniffed from the bytes (never from a file name), the
pixel count is checked from the header before any pixel is decoded, and every
failure becomes one of the typed errors in ``errors.py``.
"""
from __future__ import annotations

import io
import struct
import warnings

import numpy as np
import pillow_heif
from PIL import Image, ImageOps, UnidentifiedImageError

from . import completeness
from .errors import CorruptImage, EmptyImage, ImageTooLarge, UnsupportedImage
from .types import DecodedImage, ImageInfo

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_PIXELS = 60_000_000

# HEIC/HEIF photos open through pillow-heif's Pillow plugin (libheif applies
# the file's rotation and clears the EXIF orientation, so nothing turns
# twice); AVIF through Pillow's own plugin, whose EXIF orientation is
# applied like a JPEG's. Registering only adds an opener: nothing is decoded.
pillow_heif.register_heif_opener(thumbnails=False)

# Pillow plugin names we accept, and the name we report for each.
_FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "MPO": "JPEG", "WEBP": "WEBP", "BMP": "BMP",
            "DIB": "BMP", "TIFF": "TIFF", "GIF": "GIF", "HEIF": "HEIC", "AVIF": "AVIF"}

# Pillow opener names (MPO files open through the JPEG opener).
_OPENERS = ["PNG", "JPEG", "WEBP", "BMP", "TIFF", "GIF", "HEIF", "AVIF"]

SUPPORTED = "PNG, JPEG, WebP, BMP, TIFF, GIF, HEIC or AVIF"

# ISO base media file brands (the ``ftyp`` box) of the two photo formats.
_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"}
_AVIF_BRANDS = {b"avif", b"avis"}
_HEIF_GENERIC = {b"mif1", b"msf1", b"miaf"}


def _ftyp_brands(data: bytes) -> list[bytes]:
    """Major and compatible brands of an ISO-BMFF file, or [] when it is not one."""
    if len(data) < 16 or data[4:8] != b"ftyp":
        return []
    size = int.from_bytes(data[:4], "big")
    end = min(max(size, 16), len(data), 256)
    brands = [data[8:12]] + [data[i:i + 4] for i in range(16, end - 3, 4)]
    return [b for b in brands if len(b) == 4]


def _heif_kind(data: bytes) -> str | None:
    brands = _ftyp_brands(data)
    if not brands:
        return None
    if brands[0] in _AVIF_BRANDS:
        return "AVIF"
    if brands[0] in _HEIC_BRANDS:
        return "HEIC"
    if brands[0] in _HEIF_GENERIC:
        if any(b in _AVIF_BRANDS for b in brands):
            return "AVIF"
        if any(b in _HEIC_BRANDS for b in brands):
            return "HEIC"
    return None


def sniff_format(data: bytes) -> str | None:
    """Format name from the magic bytes, or None when it is not one we read."""
    head = data[:16]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "TIFF"
    if head.startswith(b"BM") and len(data) >= 26:
        return "BMP"
    return _heif_kind(data)


def _describe_unknown(data: bytes) -> str:
    """A human guess at what a non-image upload is, for the error message."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<svg") or (head.startswith((b"<?xml", b"<!doctype svg")) and b"<svg" in data[:4096].lower()):
        return "SVG vector drawings are not supported; export it as PNG first."
    if head.startswith(b"%pdf"):
        return "PDF files are not read here; upload the PDF as a document."
    if data[4:8] == b"ftyp":
        return "This HEIF-family file holds neither a HEIC nor an AVIF image; convert it to JPEG or PNG."
    try:
        data[:4096].decode("utf-8")
        return f"This file contains text, not an image. Upload a {SUPPORTED} image."
    except UnicodeDecodeError:
        pass
    return f"This file is not an image we can read. Upload a {SUPPORTED} image."


def _open(data: bytes, max_bytes: int, max_pixels: int) -> tuple[Image.Image, str]:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"expected bytes, got {type(data).__name__}")
    data = bytes(data)
    if len(data) == 0:
        raise EmptyImage("The file is empty (0 bytes).")
    if len(data) > max_bytes:
        raise ImageTooLarge(
            f"The file is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB."
        )
    fmt = sniff_format(data)
    if fmt is None:
        raise UnsupportedImage(_describe_unknown(data))
    try:
        with warnings.catch_warnings():
            # We enforce our own pixel limit below; Pillow's warning is noise.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data), formats=_OPENERS)
    except Image.DecompressionBombError:
        raise ImageTooLarge(f"The image has too many pixels (limit {max_pixels:,}).") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error):
        raise CorruptImage(f"The file looks like a {fmt} image but is damaged and cannot be read.") from None
    width, height = im.size
    if width <= 0 or height <= 0:
        raise CorruptImage("The image has no pixels (zero width or height).")
    if width * height > max_pixels:
        raise ImageTooLarge(
            f"The image is {width}×{height} pixels ({width * height:,}); the limit is {max_pixels:,} pixels."
        )
    return im, _FORMATS.get(im.format or "", fmt)


def probe_image(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES,
                max_pixels: int = DEFAULT_MAX_PIXELS) -> ImageInfo:
    """Cheap validation: format and size from the header, no pixel decoding.

    Raises the same typed errors as ``decode_image`` for empty, oversized,
    unsupported and unreadable-header files, and for files cut short
    (``completeness``: a missing PNG IEND or JPEG EOI, a WebP or HEIC box
    past the end...), with ``decode_image``'s message. A file that is whole
    but whose pixel data is damaged passes here and fails in ``decode_image``.
    """
    im, fmt = _open(data, max_bytes, max_pixels)
    data = data if isinstance(data, bytes) else bytes(data)
    try:
        if not completeness.is_complete(data, fmt, im):
            raise CorruptImage(f"The {fmt} image is damaged or truncated and cannot be read completely.")
        width, height = _oriented_size(im, data)
    finally:
        im.close()
    return ImageInfo(format=fmt, width=width, height=height)


def _oriented_size(im: Image.Image, data: bytes | None = None) -> tuple[int, int]:
    """Size after the EXIF orientation is applied (5-8 swap the axes)."""
    try:
        orientation = _exif(im, data).get(0x0112, 1)
    except Exception:  # a broken EXIF block must not reject the image
        orientation = 1
    w, h = im.size
    return (h, w) if orientation in (5, 6, 7, 8) else (w, h)


def _exif(im: Image.Image, data: bytes | None) -> Image.Exif:
    """The image's EXIF without decoding its pixels: Pillow's PNG plugin
    loads the whole image to look for an eXIf chunk after the pixel data,
    so the chunk is found from the bytes instead."""
    if im.format != "PNG" or "exif" in im.info or data is None:
        return im.getexif()
    exif = Image.Exif()
    raw = completeness.png_chunk(data, b"eXIf")
    if raw:
        exif.load(raw)
    return exif


def decode_image(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES,
                 max_pixels: int = DEFAULT_MAX_PIXELS) -> DecodedImage:
    """Decode bytes into an upright RGB uint8 array of shape (H, W, 3).

    First frame only for animations; EXIF orientation applied; transparency
    flattened onto white; palette, grayscale, 16-bit and CMYK converted.
    """
    im, fmt = _open(data, max_bytes, max_pixels)
    try:
        try:
            im.seek(0)
            im.load()
        except Image.DecompressionBombError:
            raise ImageTooLarge(f"The image has too many pixels (limit {max_pixels:,}).") from None
        except (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error):
            raise CorruptImage(
                f"The {fmt} image is damaged or truncated and cannot be read completely."
            ) from None
        try:
            upright = ImageOps.exif_transpose(im)
        except Exception:  # unreadable EXIF: keep the pixels as stored
            upright = im
        array = _to_rgb(upright)
    except MemoryError:
        raise ImageTooLarge("The image is too large to decode.") from None
    finally:
        im.close()
    h, w = array.shape[:2]
    return DecodedImage(array=array, format=fmt, width=w, height=h)


def _to_rgb(im: Image.Image) -> np.ndarray:
    mode = im.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        # 16-bit / 32-bit grayscale: scale to 8 bits instead of clipping,
        # which would turn a 16-bit scan almost entirely white.
        a = np.asarray(im).astype(np.float64)
        peak = a.max() if a.size else 0.0
        if mode == "F":
            a = a * 255.0 if peak <= 1.0 else a
        elif peak > 255:
            a = a / 257.0
        gray = np.clip(a + 0.5, 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(gray[:, :, None], 3, axis=2))
    if mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    elif mode in ("LA", "La", "PA", "RGBa"):
        im = im.convert("RGBA")
    elif mode == "L" and "transparency" in im.info:
        im = im.convert("RGBA")
    elif mode == "RGB" and "transparency" in im.info:
        im = im.convert("RGBA")
    if im.mode == "RGBA":
        white = Image.new("RGBA", im.size, (255, 255, 255, 255))
        im = Image.alpha_composite(white, im)
    if im.mode != "RGB":
        im = im.convert("RGB")  # 1, L, CMYK, YCbCr, LAB, HSV, RGBX ...
    return np.ascontiguousarray(np.asarray(im, dtype=np.uint8))
