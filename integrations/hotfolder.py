"""The hot folder: images dropped into a directory become uploads of a team.

Pieces, each usable without threads (the tests drive them with a fake clock):

* ``is_ignored`` — temporary, hidden and already-handled files, and
* ``Settler`` — a file is read only once its size and mtime have stayed the
  same for ``settle`` seconds, so a file still being copied or downloaded is
  never read half-written (both in ``integrations.hotfolder_files``);
* ``Ingestor`` — reads one file, hands it to ``recognition.ingest`` and
  then moves it to ``done/`` or ``failed/`` (with ``<name>.error.txt``), or
  leaves it and remembers it in a small state file;
* ``HotFolder`` — scans the tree (files already there at start, and every
  ``rescan`` seconds in case the OS dropped events), takes watchdog events
  and runs the above in one thread, the caller's.

A file is moved away only after ``create_upload`` has stored and committed
it, and only by rename, so the user's copy exists somewhere at every moment.
"""

from __future__ import annotations

import logging
import os
import queue
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection

from integrations.hotfolder_files import (
    DONE, FAILED, STATE_FILE, FileKey, SeenState, Settler, file_key, identity, is_ignored,
)
from ocrspace.errors import Forbidden, NotFound
from recognition import quotas, services, storage
from recognition.ingest import Incoming, Source, ingest
from teams.models import Team

log = logging.getLogger(__name__)

class NotAllowed(RuntimeError):
    """The user may no longer upload to the team; the watcher stops."""


@dataclass
class Outcome:
    status: str          # new, duplicate, failed, vanished, unreadable, retry, skipped
    detail: str = ""


def _free_name(target: Path) -> Path:
    """``target``, or ``name-1.ext``, ``name-2.ext``… when it exists."""
    candidate, n = target, 0
    while candidate.exists():
        n += 1
        candidate = target.with_name(f"{target.stem}-{n}{target.suffix}")
    return candidate


class Ingestor:
    def __init__(self, team: Team, user, root: Path, after: str = DONE, tags: tuple[str, ...] = ()):
        if after not in (DONE, "leave"):
            raise ValueError(f"after must be 'done' or 'leave', not {after!r}")
        self.team, self.user, self.root, self.after = team, user, root, after
        self.tags = tuple(tags)  # put on every upload of the folder
        self.state = SeenState(root / STATE_FILE) if after == "leave" else None

    def ingest(self, path: Path, key: FileKey | None = None) -> Outcome:
        rel = path.relative_to(self.root).as_posix()
        key = key or file_key(path)
        if key is None:
            log.info("%s vanished before it could be read", rel)
            return Outcome("vanished")
        if self.state is not None and self.state.contains(rel, key):
            return Outcome("skipped")
        if key[0] > settings.OCRSPACE_MAX_UPLOAD_BYTES:
            # Refused without reading gigabytes into memory first.
            limit = settings.OCRSPACE_MAX_UPLOAD_BYTES // (1024 * 1024)
            return self._failed(path, rel, key, f"The file is larger than {limit} MB.")
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            log.info("%s vanished before it could be read", rel)
            return Outcome("vanished")
        except OSError as error:
            log.error("Cannot read %s: %s", rel, error.strerror or error)
            return Outcome("unreadable", str(error.strerror or error))

        if not connection.in_atomic_block:
            # A long-running watcher outlives database connections (server
            # restarts, idle timeouts); never drop a caller's transaction.
            close_old_connections()
        try:
            outcome = ingest(Incoming(Source.HOT_FOLDER, self.team, self.user, path.name, data, tags=self.tags))
        except quotas.QuotaExceeded as error:
            # The team's queue is full (it drains) or its storage is (an
            # administrator may delete or raise it): the file is not at
            # fault, so it stays in place and is tried again at a rescan.
            log.warning("%s stays in place for a later try: %s", rel, error)
            return Outcome("retry", str(error))
        except services.UploadRejected as error:
            return self._failed(path, rel, key, str(error))
        except storage.StorageUnavailable as error:
            log.error("Server storage unavailable, %s stays in place for a later try: %s", rel, error)
            return Outcome("retry", str(error))
        except (Forbidden, NotFound) as error:
            raise NotAllowed(f"{self.user} may no longer upload to team {self.team.slug}") from error

        upload = outcome.upload
        status = "duplicate" if outcome.deduplicated else "new"
        log.info("%s → upload %s (%s%s)", rel, upload.pk, status,
                 f", status {upload.status}" if outcome.deduplicated else "")
        self._settle(path, rel, key, DONE)
        return Outcome(status, str(upload.pk))

    def _failed(self, path: Path, rel: str, key: FileKey, reason: str) -> Outcome:
        log.warning("%s rejected: %s", rel, reason)
        target = self._settle(path, rel, key, FAILED)
        if target is not None:
            try:
                target.with_name(target.name + ".error.txt").write_text(reason + "\n", encoding="utf-8")
            except OSError:
                log.warning("Could not write the error note for %s", rel, exc_info=True)
        return Outcome("failed", reason)

    def _settle(self, path: Path, rel: str, key: FileKey, folder: str) -> Path | None:
        """Move the file into ``folder`` (keeping its sub-path), or remember
        it when files are left in place. Returns where it went."""
        if self.state is not None:
            self.state.remember(rel, key)
            return None
        target = _free_name(self.root / folder / rel)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(path), str(target))
        except OSError as error:
            log.error("Could not move %s to %s/: %s", rel, folder, error.strerror or error)
            return None
        return target


class HotFolder:
    """The watcher loop; ``step`` does one round and is what tests call."""

    def __init__(self, root: Path, ingestor: Ingestor, settle_seconds: float = 2.0,
                 rescan_seconds: float = 30.0, clock: Callable[[], float] = time.monotonic):
        self.root = root
        self.ingestor = ingestor
        self.settler = Settler(settle_seconds)
        self.rescan_seconds = rescan_seconds
        self.clock = clock
        self.events: queue.SimpleQueue[Path] = queue.SimpleQueue()
        # Files handled (or unreadable) in this run, by key: not tried again
        # unless they change, so a file that cannot be moved is not uploaded
        # over and over, and an unreadable one does not flood the log.
        self.handled: dict[Path, tuple[int, int, int]] = {}
        self.counts: dict[str, int] = {}
        self._last_scan: float | None = None

    def candidate(self, path: Path) -> bool:
        return not is_ignored(path, self.root)

    def scan(self, now: float) -> None:
        """Queue every file of the tree (skipping done/, failed/, hidden)."""
        self._last_scan = now
        for directory, dirnames, filenames in os.walk(self.root, onerror=self._walk_error):
            base = Path(directory)
            dirnames[:] = [d for d in dirnames if self.candidate(base / d)]
            for name in filenames:
                self._consider(base / name, now)

    def _walk_error(self, error: OSError) -> None:
        log.warning("Cannot list %s: %s", error.filename, error.strerror)

    def _consider(self, path: Path, now: float) -> None:
        if not self.candidate(path):
            return
        if path in self.handled and self.handled[path] == identity(path):
            return
        self.settler.touch(path, now)

    def notice(self, path: str | os.PathLike) -> None:
        """Called from the watchdog thread: only queues the path."""
        self.events.put(Path(os.fsdecode(path)))

    def step(self, now: float | None = None) -> list[Outcome]:
        now = self.clock() if now is None else now
        if self._last_scan is None or now - self._last_scan >= self.rescan_seconds:
            self.scan(now)
        while True:
            try:
                path = self.events.get_nowait()
            except queue.Empty:
                break
            if path.is_dir() and self.candidate(path):
                # A folder moved in brings files that raise no events of their own.
                self._scan_dir(path, now)
            else:
                self._consider(path, now)
        outcomes = []
        for path, key in self.settler.ready(now):
            outcome = self.ingestor.ingest(path, key)
            current = identity(path)
            if outcome.status != "retry" and current is not None:
                self.handled[path] = current
            else:
                self.handled.pop(path, None)
            self.counts[outcome.status] = self.counts.get(outcome.status, 0) + 1
            outcomes.append(outcome)
        return outcomes

    def _scan_dir(self, directory: Path, now: float) -> None:
        for sub, dirnames, filenames in os.walk(directory, onerror=self._walk_error):
            base = Path(sub)
            dirnames[:] = [d for d in dirnames if self.candidate(base / d)]
            for name in filenames:
                self._consider(base / name, now)

    def run(self, stop: threading.Event, poll_seconds: float = 0.5) -> None:
        """Watch until ``stop`` is set (by a signal handler or a test)."""
        from integrations.watch import start_observer

        observer = start_observer(self.root, self.notice)
        log.info("Watching %s for team %s as %s (after ingest: %s)", self.root, self.ingestor.team.slug,
                 self.ingestor.user.get_username(), self.ingestor.after)
        try:
            while not stop.is_set():
                try:
                    self.step()
                except NotAllowed as error:
                    log.error("%s; stopping.", error)
                    break
                except Exception:  # noqa: BLE001 - one bad round must not end the watcher
                    log.exception("Unexpected error in the hot folder loop; going on")
                stop.wait(poll_seconds)
        finally:
            observer.stop()
            observer.join(timeout=5)
            connection.close()
            summary = ", ".join(f"{n} {k}" for k, n in sorted(self.counts.items())) or "nothing ingested"
            log.info("Stopped watching %s (%s)", self.root, summary)
