"""Content-addressed storage of uploaded images under MEDIA_ROOT.

A file's path derives from its bytes (``ab/<md5>-<sha256 prefix>.<ext>``):
the same image is stored once however often it is uploaded, and two images
with colliding MD5s still get different paths. Files are written to a
temporary name and renamed, so a crash or a full disk never leaves a
half-written image behind under its real name. Nothing here is reachable by
URL; images go out through permission-checked views only.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from django.conf import settings

from ocrspace.errors import DomainError


class StorageUnavailable(DomainError, OSError):
    """The media directory cannot take the file (full, read-only, missing).
    Still an ``OSError``, which is what it is underneath."""

    code = "storage_unavailable"

    def __init__(self, reason: str, full: bool = False):
        super().__init__(reason, "storage_full" if full else "storage_unavailable")
        self.full = full


def content_path(md5: str, sha256: str, extension: str) -> str:
    return f"{md5[:2]}/{md5}-{sha256[:16]}.{extension}"


def absolute(path: str) -> Path:
    root = Path(settings.MEDIA_ROOT).resolve()
    full = (root / path).resolve()
    # Paths come from our own digests, but a corrupted row must still never
    # point outside the media root.
    if root not in full.parents:
        raise ValueError(f"Refusing a path outside the media root: {path!r}")
    return full


def store(data: bytes, path: str) -> None:
    """Write ``data`` at ``path`` unless an identical file is already there."""
    target = absolute(path)
    if target.exists() and target.stat().st_size == len(data):
        return
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".incoming-{os.getpid()}-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temp_name, 0o640)
            os.replace(temp_name, target)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
    except OSError as error:
        full = error.errno in (errno.ENOSPC, errno.EDQUOT)
        reason = "The server's storage is full." if full else "The server cannot store files right now."
        raise StorageUnavailable(reason, full=full) from error


def read(path: str) -> bytes:
    return absolute(path).read_bytes()


def delete(path: str) -> bool:
    """Remove the file; True when something was removed."""
    try:
        absolute(path).unlink()
    except FileNotFoundError:
        return False
    return True


def all_files() -> list[str]:
    """Every stored image path (relative), for orphan clean-up."""
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return []
    return [
        str(p.relative_to(root))
        for p in root.glob("*/*")
        if p.is_file() and not p.name.startswith(".incoming-")
    ]


def all_thumbnails() -> list[str]:
    """Every stored thumbnail path (relative, under ``thumbs/``)."""
    root = Path(settings.MEDIA_ROOT) / "thumbs"
    if not root.exists():
        return []
    media = Path(settings.MEDIA_ROOT)
    return [str(p.relative_to(media)) for p in root.glob("*/*") if p.is_file() and not p.name.startswith(".incoming-")]


def discard_own_temporary_files() -> None:
    """Remove the temporary files of this process's unfinished writes. A
    stopping worker calls it: the signal may land anywhere in ``store``,
    even between creating the temporary file and the cleanup around it."""
    root = Path(settings.MEDIA_ROOT)
    for pattern in (f"*/.incoming-{os.getpid()}-*", f"thumbs/*/.incoming-{os.getpid()}-*"):
        for path in root.glob(pattern) if root.exists() else []:
            path.unlink(missing_ok=True)


def stale_temporary_files(older_than_seconds: float) -> list[Path]:
    """Temporary files a crashed write left behind."""
    import time

    root = Path(settings.MEDIA_ROOT)
    cutoff = time.time() - older_than_seconds
    pattern = ("*/.incoming-*", "thumbs/*/.incoming-*")
    return [p for g in pattern for p in root.glob(g) if p.stat().st_mtime < cutoff] if root.exists() else []
