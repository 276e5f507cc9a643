"""Bulk import from the command line: files, folders and ZIP archives.

Every image goes through ``recognition.ingest`` (source ``bulk``); archives
are read by ``recognition.zip_import`` (same limits, same per-entry results
as the API).
The command adds progress bars and the summary; everything else is here.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ocrspace.errors import DomainError, NotFound
from recognition import export, selectors, zip_import
from recognition.ingest import Incoming, ItemResult, ingest_each
from recognition.ingest import Source as IngestSource
from recognition.models import Upload, UploadStatus
from recognition.zip_import import Entry
from teams.models import Team


class Unreadable(DomainError):
    """A file or archive named on the command line cannot be read."""

    code = "unreadable_source"


BULK = IngestSource.BULK  # this module's ``Source`` is a path to import
TEMP_SUFFIXES = (".tmp", ".part", ".crdownload")
SKIPPED_NAMES = ("Thumbs.db", "desktop.ini", ".DS_Store")


@dataclass(frozen=True)
class Source:
    path: Path
    label: str          # how the report names it
    archive: bool
    units: int = 1      # steps on the progress bar (entries of an archive)


def _skipped(path: Path) -> bool:
    name = path.name
    return name.startswith((".", "~$")) or name.lower().endswith(TEMP_SUFFIXES) or name in SKIPPED_NAMES


def _archive_entries(path: Path) -> int:
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            return max(1, sum(1 for i in archive.infolist() if not i.is_dir()))
    except (OSError, zipfile.BadZipFile, ValueError):
        return 1


def _source(path: Path, label: str) -> Source:
    if path.suffix.lower() == ".zip":
        return Source(path, label, True, _archive_entries(path))
    return Source(path, label, False)


def collect(paths: Iterable[Path]) -> tuple[list[Source], list[ItemResult]]:
    """Files to import (folders walked recursively, hidden and temporary
    files skipped, in name order) and a result for each path not found."""
    sources: list[Source] = []
    missing: list[ItemResult] = []
    for given in paths:
        if given.is_dir():
            for directory, dirnames, filenames in os.walk(given):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    path = Path(directory) / name
                    if not _skipped(path):
                        sources.append(_source(path, str(path)))
        elif given.is_file():
            sources.append(_source(given, str(given)))
        else:
            missing.append(ItemResult(str(given), error=NotFound("No such file or directory.")))
    return sources, missing


def _file_item(team: Team, user, source: Source) -> Incoming:
    try:
        return Incoming(BULK, team, user, source.label, source.path.read_bytes())
    except OSError as error:
        return Incoming(BULK, team, user, source.label,
                        refused=Unreadable(f"Cannot read the file: {error.strerror or error}."))


def _archive_results(team: Team, user, source: Source, tick: Callable[[int], None]) -> list[ItemResult]:
    limits = zip_import.ZipLimits.from_settings()
    try:
        with source.path.open("rb") as handle:
            zip_import.check_archive(handle, limits)
            handle.seek(0)
            with zip_import.open_archive(handle, limits) as archive:
                def entries() -> Iterator[Entry]:
                    for entry in zip_import.scan(archive, limits):
                        # "album.zip/scans/a.png": the report shows where it
                        # came from, the upload keeps the entry's base name.
                        entry.name = f"{source.label}/{entry.name}"
                        yield entry
                        tick(1)
                return ingest_each(zip_import.incoming(team, user, entries(), source=BULK))
    except zip_import.ArchiveRejected as error:
        return [ItemResult(source.label, error=error)]
    except OSError as error:
        return [ItemResult(source.label, error=Unreadable(f"Cannot read the archive: {error.strerror or error}."))]


def import_sources(team: Team, user, sources: list[Source],
                   tick: Callable[[int], None] = lambda n: None) -> list[ItemResult]:
    """Import everything; one result per image (or per refused archive)."""
    results: list[ItemResult] = []
    for source in sources:
        if source.archive:
            before = len(results)
            results.extend(_archive_results(team, user, source, tick))
            # Entries skipped inside the archive still count on the bar.
            tick(max(0, source.units - (len(results) - before)))
        else:
            results.extend(ingest_each([_file_item(team, user, source)]))
            tick(1)
    return results


@dataclass
class Summary:
    new: int = 0
    duplicates: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)   # OCR failed (with --wait)
    upload_ids: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected and not self.failed


def summarise(results: list[ItemResult]) -> Summary:
    summary = Summary()
    for result in results:
        if not result.ok:
            summary.rejected.append((result.name, result.message))
        elif result.deduplicated:
            summary.duplicates += 1
        else:
            summary.new += 1
        if result.upload is not None and result.upload.pk not in summary.upload_ids:
            summary.upload_ids.append(result.upload.pk)
    return summary


def wait_for(upload_ids: list[int], tick: Callable[[int], None] = lambda n: None, poll_seconds: float = 1.0,
             timeout: float | None = None, sleep: Callable[[float], None] = time.sleep) -> list[Upload]:
    """Poll the database until every upload is done or failed (or the
    timeout passes); the uploads, with results, in the given order."""
    deadline = None if timeout is None else time.monotonic() + timeout
    finished: set[int] = set()
    while True:
        now_finished = selectors.finished_ids(upload_ids)
        # Uploads deleted meanwhile count as finished, or we would wait forever.
        present = set(Upload.objects.filter(pk__in=upload_ids).values_list("pk", flat=True))
        now_finished |= set(upload_ids) - present
        tick(len(now_finished - finished))
        finished = now_finished
        if len(finished) >= len(set(upload_ids)) or (deadline is not None and time.monotonic() >= deadline):
            break
        sleep(poll_seconds)
    uploads = Upload.objects.filter(pk__in=upload_ids).select_related("team", "uploaded_by", "result")
    by_id = {u.pk: u for u in uploads}
    return [by_id[i] for i in upload_ids if i in by_id]


def _file_stem(upload: Upload) -> str:
    stem = Path(upload.original_name).stem or "image"
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in stem)[:80]
    return f"{upload.pk}-{safe}"


def write_outputs(uploads: Iterable[Upload], directory: Path) -> list[Path]:
    """``<id>-<name>.txt`` (the text) and ``.json`` (export fields plus the
    lines with boxes) per recognised upload."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for upload in uploads:
        if upload.status != UploadStatus.DONE:
            continue
        stem = _file_stem(upload)
        row = json.loads(export.to_json([upload]))["uploads"][0]
        row["lines"] = upload.result.lines
        text_path, json_path = directory / f"{stem}.txt", directory / f"{stem}.json"
        text_path.write_text(upload.result.text.rstrip("\n") + "\n", encoding="utf-8")
        json_path.write_text(json.dumps(row, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written += [text_path, json_path]
    return written
