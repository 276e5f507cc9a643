"""Test helpers shared by every test directory: images, archives and a
stand-in OCR engine (for unit tests only; end-to-end tests run the real one)."""

from __future__ import annotations

import io
import itertools
import zipfile
from pathlib import Path
from typing import Any, Awaitable, Callable

from asgiref.sync import async_to_sync
from channels.layers import channel_layers
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
# Public test vectors (provenance and licences in tests/data/README.md).
TESTDATA = ROOT / "tests" / "data"

_colors = itertools.count(1)


def make_png(size=(120, 40), text: str | None = None) -> bytes:
    """A small PNG, different on every call (its colour changes)."""
    n = next(_colors)
    image = Image.new("RGB", size, ((n * 37) % 256, (n * 91) % 256, (n * 53) % 256))
    if text:
        ImageDraw.Draw(image).text((5, 5), text, fill=(0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _noise(size: tuple[int, int]) -> Image.Image:
    import numpy as np

    return Image.fromarray(np.random.default_rng(size[0] * size[1]).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8))


def corrupt_pixels_png(size=(300, 200)) -> bytes:
    """A PNG whose structure is whole (chunk lengths and CRCs right, IEND
    last) but whose IDAT holds garbage instead of a zlib stream: its header
    reads fine, Pillow fails only when it decodes the pixels."""
    import struct
    import zlib

    data = make_png(size)
    out, pos = data[:8], 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IDAT":
            body = bytes((i * 7 + 13) % 256 for i in range(length))
        out += struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        pos += 12 + length
    return out


def corrupt_tables_jpeg(size=(300, 200)) -> bytes:
    """A JPEG ending in its EOI marker whose Huffman table is nonsense
    (every code-length count 255): Pillow parses its header, libjpeg
    refuses it when it decodes. (Garbage in the scan data itself is not
    enough: libjpeg decodes it to garbage pixels without an error.)"""
    buffer = io.BytesIO()
    _noise(size).save(buffer, "JPEG")
    data = bytearray(buffer.getvalue())
    counts = data.index(b"\xff\xc4") + 5  # marker, length, class and index
    data[counts:counts + 16] = b"\xff" * 16
    return bytes(data)


def make_zip(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = compression
            archive.writestr(info, data)
    return buffer.getvalue()


class FakeResult:
    def __init__(self, text: str, version: str, confidence: float, profile: str = "fake"):
        self.payload = {
            "text": text,
            "confidence": confidence,
            "lines": [
                {"text": t, "confidence": confidence, "box": [[0, 0], [10, 0], [10, 10], [0, 10]]}
                for t in text.splitlines()
            ],
            "engine_version": version,
            "profile": profile,
            "timings": {"total": 1.0},
        }

    def to_dict(self) -> dict:
        return self.payload


class FakeEngine:
    """Answers ``text`` (``{width}``/``{height}`` filled from the image),
    raises ``error`` when set, and counts its calls."""

    engine_version = "fake-engine/1"
    confidence = 0.93

    def __init__(self, text: str):
        self.text = text
        self.calls = 0
        self.error: Exception | None = None
        self.profile = "fake"
        self.requested_profiles: list[str | None] = []  # what each task asked the gateway for
        self.vocabularies: list = []  # the vocabulary each read was given

    def for_profile(self, profile: str | None) -> "FakeEngine":
        self.requested_profiles.append(profile)
        self.profile = profile or "fake"
        return self

    def version_for(self, vocabulary=None, recognizer=None) -> str:
        version = self.engine_version + (f"+m{recognizer.tag}" if recognizer is not None else "")
        return f"{version}+v{vocabulary.fingerprint}" if vocabulary else version

    def recognize(self, data: bytes, vocabulary=None, recognizer=None) -> FakeResult:
        self.calls += 1
        self.vocabularies.append(vocabulary)
        if self.error is not None:
            raise self.error
        # Bytes as the worker reads a stored file; an RGB array as for a region of one.
        image = Image.fromarray(data) if hasattr(data, "shape") else Image.open(io.BytesIO(data))
        return FakeResult(self.text.format(width=image.width, height=image.height), self.version_for(vocabulary, recognizer),
                          self.confidence, self.profile)


# --- Checks after faults (end-to-end tests) ------------------------------------

def wait_until_settled(timeout: float = 240, poll: float = 0.5, hook=None):
    """Wait until no upload is queued or processing; return the status counts.

    ``hook`` (optional) is called on every poll, e.g. to run the sweeper.
    Raises AssertionError with the stuck uploads when the time runs out.
    """
    import time

    from recognition.models import Upload, UploadStatus

    deadline = time.monotonic() + timeout
    while True:
        pending = Upload.objects.filter(status__in=[UploadStatus.QUEUED, UploadStatus.PROCESSING])
        if not pending.exists():
            return status_counts()
        if time.monotonic() > deadline:
            stuck = list(pending.values_list("pk", "status", "attempts", "enqueued_at", "started_at"))
            raise AssertionError(f"{len(stuck)} upload(s) never finished: {stuck[:20]}")
        if hook is not None:
            hook()
        time.sleep(poll)


def status_counts() -> dict[str, int]:
    from django.db.models import Count

    from recognition.models import Upload

    return dict(Upload.objects.values_list("status").annotate(n=Count("pk")).order_by())


def assert_nothing_lost(media_root, accepted=(), *, allow_failed: bool = True) -> dict[str, int]:
    """The shared "nothing lost" check after a fault, over the whole database
    (transactional tests start from an empty one) and ``media_root``:

    * every accepted upload id (e.g. from API answers) still exists;
    * every upload is ``done`` with its result, or ``failed`` with a message
      (``allow_failed=False``: every upload is ``done``);
    * no duplicate uploads of the same bytes in a team, at most one result
      per upload, and no result without its upload;
    * the media directory (``media_root``; None: the configured storage,
      e.g. a bucket) holds exactly the uploads' files: none missing, no
      orphan and no temporary file left behind.

    Returns the status counts.
    """
    from collections import Counter
    from pathlib import Path

    from recognition.models import Result, Upload, UploadStatus

    problems: list[str] = []
    uploads = list(Upload.objects.values("pk", "team_id", "md5", "sha256", "status", "error", "file_path"))
    ids = {u["pk"] for u in uploads}

    missing = set(accepted) - ids
    if missing:
        problems.append(f"accepted uploads vanished: {sorted(missing)}")

    results = Counter(Result.objects.values_list("upload_id", flat=True))
    for u in uploads:
        if u["status"] == UploadStatus.DONE:
            if results[u["pk"]] != 1:
                problems.append(f"upload {u['pk']} is done with {results[u['pk']]} results")
        elif u["status"] == UploadStatus.FAILED:
            if not u["error"].strip():
                problems.append(f"upload {u['pk']} failed without a message")
            elif not allow_failed:
                problems.append(f"upload {u['pk']} failed: {u['error']}")
        else:
            problems.append(f"upload {u['pk']} is still {u['status']}")
    doubled = [pk for pk, n in results.items() if n > 1]
    if doubled:
        problems.append(f"uploads with several results: {doubled}")
    strays = set(results) - ids
    if strays:
        problems.append(f"results without an upload: {sorted(strays)}")
    images = Counter((u["team_id"], u["md5"], u["sha256"]) for u in uploads)
    duplicates = [key for key, n in images.items() if n > 1]
    if duplicates:
        problems.append(f"the same image uploaded twice to a team: {duplicates}")

    if media_root is None:  # whatever the storage is (an S3 bucket): list it through the storage API
        from recognition import storage

        on_disk = set(storage.all_files()) | set(storage.all_thumbnails())
    else:
        root = Path(media_root)
        on_disk = {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()
    referenced = {u["file_path"] for u in uploads}
    # Thumbnails of the uploads' images are theirs too (made by the worker).
    from recognition import thumbnails

    on_disk -= {thumbnails.path_for(path) for path in referenced}
    if on_disk - referenced:
        problems.append(f"files no upload refers to (orphans or temporary files): {sorted(on_disk - referenced)[:20]}")
    if referenced - on_disk:
        problems.append(f"uploads whose file is missing: {sorted(referenced - on_disk)[:20]}")

    assert not problems, "Something was lost:\n  " + "\n  ".join(problems)
    return status_counts()


def run_in_new_loop(scenario: Callable[..., Awaitable[Any]], *args: Any) -> Any:
    """Run ``scenario(*args)`` in an event loop of its own, with a channel
    layer of its own.

    A channel layer keeps its receive state (a lock per process channel, a
    buffer) across event loops, but that state belongs to the loop that
    received on it: when a loop closes while a consumer is mid-receive,
    channels-redis's lock stays held and the next loop's first receive waits
    forever. A server has one loop; every test scenario has a new one.
    """
    channel_layers.backends.clear()
    try:
        return async_to_sync(scenario)(*args)
    finally:
        channel_layers.backends.clear()
