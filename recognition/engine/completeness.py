"""Is an image file whole? Structural checks that decode no pixel.

The web process no longer decodes uploads (the worker does, to read them),
so a file cut short in transfer must be caught from its structure: every
format here marks its end (PNG's IEND chunk, JPEG's EOI marker, GIF's
trailer) or states its sizes (the WebP RIFF size, TIFF strip offsets and
byte counts, ISO-BMFF box sizes, a BMP's rows). Each check walks headers or
searches bytes, never inflates or runs an entropy decoder, so it costs
microseconds. A file that is whole but whose pixel data is garbage passes
here and fails in the worker's ``decode_image``.
"""
from __future__ import annotations

from PIL import Image

_PNG_SIGNATURE_SIZE = 8
_JPEG_EOI = b"\xff\xd9"
_JPEG_SOS = 0xDA
# JPEG markers without a length field: RST0-7, TEM (SOI and EOI do not occur before the scan).
_JPEG_STANDALONE = {0x01, *range(0xD0, 0xD8)}


def is_complete(data: bytes, fmt: str, im: Image.Image) -> bool:
    """False when ``data`` (opened by Pillow as ``im``, reported as
    ``fmt``) is visibly cut short; True when whole or not checkable."""
    check = _CHECKS.get(fmt)
    return True if check is None else check(data, im)


def _png(data: bytes, im: Image.Image) -> bool:
    # Chunk by chunk to IEND (bytes after it are ignored, as decoders do);
    # a 30 KB screenshot has a handful of chunks.
    return png_chunk(data, b"IEND") is not None


def png_chunk(data: bytes, kind: bytes) -> bytes | None:
    """The body of the first ``kind`` chunk, or None when there is none
    before the end of the file (or the IEND chunk, for other kinds)."""
    pos, end = _PNG_SIGNATURE_SIZE, len(data)
    while pos + 12 <= end:
        length = int.from_bytes(data[pos:pos + 4], "big")
        found = data[pos + 4:pos + 8]
        body_end = pos + 8 + length
        if found == kind:
            return data[pos + 8:body_end] if body_end + 4 <= end else None
        if found == b"IEND":
            return None
        pos = body_end + 4  # the CRC
    return None


def _jpeg(data: bytes, im: Image.Image) -> bool:
    # The entropy-coded data never holds FF D9 (an FF is followed by 00 or
    # a restart marker), so an EOI after the first scan's header ends the
    # image. Searched for rather than expected last: phones append trailers
    # (Samsung's, a motion photo's video) and some tools pad with zeros.
    scan = _first_scan(data)
    return scan is not None and data.find(_JPEG_EOI, scan) != -1


def _first_scan(data: bytes) -> int | None:
    """Offset just past the first SOS segment (the markers before it have
    lengths, so an embedded EXIF thumbnail's EOI is skipped)."""
    pos, end = 2, len(data)
    while pos + 4 <= end:
        marker = data[pos + 1]
        if data[pos] != 0xFF or marker == 0xFF:  # padding between segments (tolerated as Pillow does), fill byte
            pos += 1
            continue
        if marker in _JPEG_STANDALONE:
            pos += 2
            continue
        length = int.from_bytes(data[pos + 2:pos + 4], "big")
        pos += 2 + length
        if marker == _JPEG_SOS:
            return pos
    return None


def _gif(data: bytes, im: Image.Image) -> bool:
    return data.endswith(b"\x3b")  # the trailer


def _webp(data: bytes, im: Image.Image) -> bool:
    return len(data) >= int.from_bytes(data[4:8], "little") + 8  # RIFF size excludes its 8-byte header


def _bmp(data: bytes, im: Image.Image) -> bool:
    # Uncompressed rows: Pillow's raw tile knows their offset and stride.
    # RLE-compressed BMPs are left to the worker.
    for tile in im.tile:
        codec, extents, offset, args = tile[0], tile[1], tile[2], tile[3]
        if codec == "raw" and isinstance(args, tuple) and len(args) > 1 and isinstance(args[1], int) and args[1] > 0:
            rows = extents[3] - extents[1]
            if offset + args[1] * rows > len(data):
                return False
    return True


def _tiff(data: bytes, im: Image.Image) -> bool:
    # The first page's strips (or tiles) must lie inside the file.
    tags = getattr(im, "tag_v2", None)
    if tags is None:
        return True
    offsets, counts = tags.get(273) or tags.get(324), tags.get(279) or tags.get(325)
    if not offsets or not counts:
        return True
    offsets = offsets if isinstance(offsets, tuple) else (offsets,)
    counts = counts if isinstance(counts, tuple) else (counts,)
    return max(o + c for o, c in zip(offsets, counts)) <= len(data)


def _iso_bmff(data: bytes, im: Image.Image) -> bool:
    # HEIC and AVIF: every top-level box (the image data is in ``mdat``)
    # must fit in the file.
    pos, end = 0, len(data)
    while pos + 8 <= end:
        size = int.from_bytes(data[pos:pos + 4], "big")
        if size == 1:  # a 64-bit size follows the type
            if pos + 16 > end:
                return False
            size = int.from_bytes(data[pos + 8:pos + 16], "big")
        elif size == 0:  # the last box, to the end of the file
            return True
        if size < 8:
            return False
        pos += size
    return pos <= end  # a box running past the end leaves pos beyond it


_CHECKS = {"PNG": _png, "JPEG": _jpeg, "GIF": _gif, "WEBP": _webp, "BMP": _bmp, "TIFF": _tiff,
           "HEIC": _iso_bmff, "AVIF": _iso_bmff}
