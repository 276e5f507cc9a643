"""Importing images from a ZIP archive, safely.

Nothing is ever extracted to disk by its name: each entry is decompressed
into memory and its bytes go to ``recognition.ingest`` like any upload,
so ``../`` or absolute names can do no harm (they are refused anyway, as a
sign of a crafted archive).

ZIP bombs are stopped by limits checked *while reading*: the number of
entries, the bytes of each entry and the total bytes decompressed, counted
from the actual decompressed stream (the sizes in the headers are written by
whoever made the archive and are never trusted). Reading stops as soon as a
limit is passed. A first pass checks the archive as a whole, so an archive
over the total limit stores nothing; the second pass imports entry by entry
and reports each bad entry without stopping the good ones.

The REST API and the command-line bulk importer both use these functions.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from django.conf import settings

from ocrspace.errors import DomainError
from recognition.ingest import Incoming, ItemResult, Source, ingest_each
from teams.models import Team

CHUNK = 64 * 1024
NESTED_EXTENSIONS = (".zip", ".jar", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".zst", ".lz", ".cab")
NESTED_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"\x1f\x8b", b"BZh", b"7z\xbc\xaf\x27\x1c", b"Rar!", b"\xfd7zXZ", b"\x28\xb5\x2f\xfd")
IGNORED_PREFIXES = ("__MACOSX/",)
IGNORED_NAMES = (".DS_Store", "Thumbs.db", "desktop.ini")


class ArchiveRejected(DomainError):
    """The archive as a whole is refused; nothing was imported."""

    code = "bad_archive"


class EntryRejected(DomainError):
    """One entry of the archive is not imported; the others still are."""


@dataclass(frozen=True)
class ZipLimits:
    max_entries: int
    max_total_bytes: int
    max_entry_bytes: int

    @classmethod
    def from_settings(cls) -> "ZipLimits":
        return cls(
            max_entries=settings.OCRSPACE_ZIP_MAX_ENTRIES,
            max_total_bytes=settings.OCRSPACE_ZIP_MAX_TOTAL_BYTES,
            max_entry_bytes=settings.OCRSPACE_MAX_UPLOAD_BYTES,
        )


@dataclass
class Entry:
    """One file to import: its bytes, or why it cannot be imported."""

    name: str
    data: bytes | None = None
    error: DomainError | None = None


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


def _display_name(info: zipfile.ZipInfo) -> str:
    """Entry names without the UTF-8 flag are decoded as cp437 by zipfile;
    archives made on Chinese Windows use GBK, so try to recover those."""
    name = info.filename
    if info.flag_bits & 0x800:
        return name
    try:
        raw = name.encode("cp437")
    except UnicodeEncodeError:
        return name
    for encoding in ("utf-8", "gbk"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return name


def unsafe_name(name: str) -> bool:
    """Absolute paths, drive letters and ``..`` components."""
    normalised = name.replace("\\", "/")
    if normalised.startswith("/") or (len(normalised) > 1 and normalised[1] == ":"):
        return True
    return any(part == ".." for part in normalised.split("/"))


def _ignored(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return name.startswith(IGNORED_PREFIXES) or base in IGNORED_NAMES or base.startswith("._")


def _looks_nested(name: str, head: bytes) -> bool:
    if name.lower().endswith(NESTED_EXTENSIONS):
        return True
    if head.startswith(NESTED_MAGIC):
        return True
    return len(head) > 262 and head[257:262] == b"ustar"


def _refused(name: str, message: str, code: str) -> Entry:
    return Entry(name, error=EntryRejected(message, code))


def open_archive(fileobj: IO[bytes], limits: ZipLimits) -> zipfile.ZipFile:
    """Open the archive and check its entry count (from the central directory,
    which is what we would iterate over, so it cannot lie about the count)."""
    try:
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise ArchiveRejected("The file is not a readable ZIP archive.") from None
    files = [i for i in archive.infolist() if not i.is_dir()]
    if len(files) > limits.max_entries:
        archive.close()
        raise ArchiveRejected(f"The archive has {len(files)} files; at most {limits.max_entries} are accepted.",
                              "too_many_files")
    return archive


def _read_capped(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> tuple[bytes, bool]:
    """Decompress up to ``cap`` bytes; True when the entry holds more."""
    chunks, size = [], 0
    with archive.open(info) as stream:
        while size <= cap:
            chunk = stream.read(min(CHUNK, cap + 1 - size))
            if not chunk:
                return b"".join(chunks), False
            chunks.append(chunk)
            size += len(chunk)
    return b"".join(chunks)[:cap], True


def scan(archive: zipfile.ZipFile, limits: ZipLimits) -> Iterator[Entry]:
    """Every file entry with its bytes or its error, in archive order.

    Raises ``ArchiveRejected`` (``archive_too_large``) as soon as the decompressed total passes
    the limit.
    """
    total = 0
    for info in archive.infolist():
        if info.is_dir():
            continue
        name = _display_name(info)
        if _ignored(name):
            continue
        if unsafe_name(name):
            yield _refused(name, "The entry's path is absolute or leaves the archive; it was not imported.", "unsafe_entry")
            continue
        if info.flag_bits & 0x1:
            yield _refused(name, "The entry is encrypted.", "encrypted_entry")
            continue
        if name.lower().endswith(NESTED_EXTENSIONS):
            yield _refused(name, "Archives inside archives are not imported.", "nested_archive")
            continue
        remaining = limits.max_total_bytes - total
        cap = min(limits.max_entry_bytes, remaining)
        try:
            data, more = _read_capped(archive, info, cap)
        except NotImplementedError:
            yield _refused(name, "The entry uses an unsupported compression method.", "unsupported_compression")
            continue
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, RuntimeError):
            yield _refused(name, "The entry is damaged and cannot be read.", "damaged_entry")
            continue
        total += len(data)
        if more and cap == remaining:
            # The total budget, not the per-file limit, ran out: refuse it all.
            raise ArchiveRejected(
                f"The archive's contents are larger than {_mb(limits.max_total_bytes)} when unpacked.", "archive_too_large"
            )
        if more:
            yield _refused(name, f"The file is larger than {_mb(limits.max_entry_bytes)}.", "entry_too_large")
            continue
        if _looks_nested(name, data[:512]):
            yield _refused(name, "Archives inside archives are not imported.", "nested_archive")
            continue
        yield Entry(name, data=data)


def check_archive(fileobj: IO[bytes], limits: ZipLimits) -> int:
    """First pass: read everything once, discarding the bytes, so an archive
    over a whole-archive limit is refused before anything is stored.
    Returns the number of entries that will be looked at."""
    with open_archive(fileobj, limits) as archive:
        return sum(1 for _ in scan(archive, limits))


def incoming(team: Team, user, entries: Iterable[Entry], profile: str | None = None,
             source: Source = Source.ZIP, tags: tuple[str, ...] = ()) -> Iterator[Incoming]:
    """The archive's entries as items for ``ingest.ingest_each``."""
    for entry in entries:
        yield Incoming(source, team, user, entry.name, entry.data or b"", profile, tags=tuple(tags),
                       refused=entry.error)


def is_zip(head: bytes) -> bool:
    """A ZIP archive, from its first bytes (an empty archive starts with its end record)."""
    return head.startswith((b"PK\x03\x04", b"PK\x05\x06"))


def import_archive(team: Team, user, fileobj: IO[bytes], limits: ZipLimits | None = None,
                   profile: str | None = None, source: Source = Source.ZIP, tags: tuple[str, ...] = ()) -> list[ItemResult]:
    """Check, then import every image in the archive (see module docstring)."""
    limits = limits or ZipLimits.from_settings()
    check_archive(fileobj, limits)
    fileobj.seek(0)
    with open_archive(fileobj, limits) as archive:
        return ingest_each(incoming(team, user, scan(archive, limits), profile, source, tags=tags))
