"""Content-addressed storage of the uploaded images, through Django's
storage API (``STORAGES["default"]``).

A file's name derives from its bytes (``ab/<md5>-<sha256 prefix>.<ext>``):
the same image is stored once however often it is uploaded, and two images
with colliding MD5s still get different names. The name is all the database
keeps (``Upload.file_path``): relative to ``MEDIA_ROOT`` on the filesystem
backend (the embedded default, written atomically by
``storage_backends``), the object key under ``OCRSPACE_S3_PREFIX`` in an
S3-compatible bucket. So no path of one machine is ever stored, and web and
worker machines read the same bytes through the same names. Nothing here is
reachable by URL; images go out through permission-checked views only.
"""

from __future__ import annotations

import errno
import os
import time
from collections.abc import Iterator
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError
from django.core.exceptions import SuspiciousOperation
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.files.utils import validate_file_name

from ocrspace.errors import DomainError
from recognition.storage_backends import TEMPORARY_PREFIX, temporary_prefix

THUMBNAILS = "thumbs"
TEAM_MODELS = "team-models"  # fine-tuned recognizers (recognition.teaching); not images
CHUNK_SIZE = 64 * 1024
# What an unreachable or refusing object store raises (network, credentials,
# missing bucket); the filesystem raises OSError.
_STORE_ERRORS = (BotoCoreError, ClientError)


class StorageUnavailable(DomainError, OSError):
    """The storage cannot take or give the file (full, read-only, missing
    directory, object store unreachable). Still an ``OSError``, which is
    what it is underneath."""

    code = "storage_unavailable"

    def __init__(self, reason: str, full: bool = False):
        super().__init__(reason, "storage_full" if full else "storage_unavailable")
        self.full = full


def backend() -> Storage:
    return storages["default"]


def is_filesystem() -> bool:
    return isinstance(backend(), FileSystemStorage)


def content_path(md5: str, sha256: str, extension: str) -> str:
    return f"{md5[:2]}/{md5}-{sha256[:16]}.{extension}"


def _name(path: str) -> str:
    # Names come from our own digests, but a corrupted row must still never
    # reach outside the media root or the bucket's prefix.
    try:
        validate_file_name(path, allow_relative_path=True)
    except SuspiciousOperation:
        raise ValueError(f"Refusing a path outside the media storage: {path!r}") from None
    if path.startswith("/") or not path:
        raise ValueError(f"Refusing a path outside the media storage: {path!r}")
    return path


def _unavailable(error: Exception) -> StorageUnavailable:
    full = isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT)
    reason = "The server's storage is full." if full else "The server cannot store files right now."
    return StorageUnavailable(reason, full=full)


def _is_missing(error: ClientError) -> bool:
    # Only the object: a missing bucket is a broken configuration, not a lost file.
    return error.response.get("Error", {}).get("Code", "") in {"404", "NoSuchKey", "NotFound"}


def store(data: bytes, path: str) -> None:
    """Write ``data`` at ``path`` unless an identical file is already there."""
    name = _name(path)
    storage = backend()
    try:
        if storage.exists(name) and storage.size(name) == len(data):
            return
        storage.save(name, ContentFile(data))
    except (OSError, *_STORE_ERRORS) as error:
        raise _unavailable(error) from error


def exists(path: str) -> bool:
    try:
        return backend().exists(_name(path))
    except _STORE_ERRORS as error:
        raise _unavailable(error) from error


class Stream:
    """A stored file being read in chunks: ``size`` bytes, ``chunks()``,
    ``close()``. An S3 object is read from the response body as it arrives,
    never downloaded whole first (django-storages' ``S3File`` would)."""

    def __init__(self, handle, size: int):
        self.handle = handle
        self.size = size

    def read(self, amount: int = -1) -> bytes:
        return self.handle.read() if amount is None or amount < 0 else self.handle.read(amount)

    def chunks(self, size: int = CHUNK_SIZE) -> Iterator[bytes]:
        try:
            while chunk := self.handle.read(size):
                yield chunk
        finally:
            self.close()

    def close(self) -> None:
        self.handle.close()


def open_stream(path: str) -> Stream:
    """The stored file for reading; FileNotFoundError when it is not there."""
    name = _name(path)
    storage = backend()
    try:
        if isinstance(storage, FileSystemStorage):
            handle = storage.open(name, "rb")
            return Stream(handle, os.fstat(handle.fileno()).st_size)
        from storages.utils import clean_name

        client = storage.connection.meta.client
        try:
            answer = client.get_object(Bucket=storage.bucket_name, Key=storage._normalize_name(clean_name(name)))
        except ClientError as error:
            if _is_missing(error):
                raise FileNotFoundError(f"No stored file {name!r}") from None
            raise
        return Stream(answer["Body"], answer["ContentLength"])
    except FileNotFoundError:
        raise
    except _STORE_ERRORS as error:
        raise _unavailable(error) from error


def read(path: str) -> bytes:
    """The whole file (the engine reads bytes); FileNotFoundError when missing."""
    stream = open_stream(path)
    try:
        return stream.read()
    except _STORE_ERRORS as error:
        raise _unavailable(error) from error
    finally:
        stream.close()


def delete(path: str) -> bool:
    """Remove the file; True when something was removed."""
    name = _name(path)
    storage = backend()
    try:
        if not storage.exists(name):
            return False
        storage.delete(name)
    except FileNotFoundError:
        return False
    except _STORE_ERRORS as error:
        raise _unavailable(error) from error
    return True


def _listdir(directory: str) -> tuple[list[str], list[str]]:
    try:
        return backend().listdir(directory)
    except FileNotFoundError:
        return [], []
    except _STORE_ERRORS as error:
        raise _unavailable(error) from error


def _files_under(top: str) -> list[str]:
    """Stored names one directory level below ``top`` ("" for the root)."""
    prefix = f"{top}/" if top else ""
    directories, _ = _listdir(top)
    names = []
    for directory in sorted(directories):
        if not top and directory in (THUMBNAILS, TEAM_MODELS):
            continue
        _, files = _listdir(f"{prefix}{directory}")
        names += [f"{prefix}{directory}/{f}" for f in files if not f.startswith(TEMPORARY_PREFIX)]
    return names


def all_files() -> list[str]:
    """Every stored image name, for orphan clean-up."""
    return _files_under("")


def all_thumbnails() -> list[str]:
    """Every stored thumbnail name (under ``thumbs/``)."""
    return _files_under(THUMBNAILS)


def check() -> None:
    """Raise StorageUnavailable unless the storage can be reached (and, for
    the filesystem, written): the readiness probe."""
    storage = backend()
    if isinstance(storage, FileSystemStorage):
        root = Path(storage.location)
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise _unavailable(error) from error
        if not os.access(root, os.W_OK | os.X_OK):
            raise StorageUnavailable("The media directory is not writable.")
        return
    try:
        storage.connection.meta.client.head_bucket(Bucket=storage.bucket_name)
    except _STORE_ERRORS as error:
        raise StorageUnavailable("The object store cannot be reached.") from error


# --- Temporary files of the filesystem backend -----------------------------------

def _temporary_files(pattern_prefix: str) -> list[Path]:
    storage = backend()
    if not isinstance(storage, FileSystemStorage):
        return []  # an object store has no half-written objects
    root = Path(storage.location)
    if not root.exists():
        return []
    return [p for g in (f"*/{pattern_prefix}*", f"{THUMBNAILS}/*/{pattern_prefix}*") for p in root.glob(g)]


def discard_own_temporary_files() -> None:
    """Remove the temporary files of this process's unfinished writes. A
    stopping worker calls it: the signal may land anywhere in ``store``,
    even between creating the temporary file and the cleanup around it."""
    for path in _temporary_files(temporary_prefix()):
        path.unlink(missing_ok=True)


def stale_temporary_files(older_than_seconds: float) -> list[Path]:
    """Temporary files a crashed write left behind."""
    cutoff = time.time() - older_than_seconds
    return [p for p in _temporary_files(TEMPORARY_PREFIX) if p.stat().st_mtime < cutoff]
