"""The hot folder's view of its files: which to ignore, when one has stopped
changing, and which ``--after leave`` already took (``integrations.hotfolder``
turns them into uploads)."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

DONE, FAILED = "done", "failed"
STATE_FILE = ".ocrspace-hotfolder.json"
IGNORED_SUFFIXES = (".tmp", ".part", ".crdownload", ".error.txt", ".partial", ".download")

FileKey = tuple[int, int]   # (size, mtime in ns): "the same file, unchanged"


def is_ignored(path: Path, root: Path) -> bool:
    """Hidden files and folders, office lock files (``~$``), downloads in
    progress, and everything under ``done/`` and ``failed/``."""
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return True
    if not parts or parts[0] in (DONE, FAILED):
        return True
    if any(part.startswith(".") for part in parts):
        return True
    name = parts[-1]
    return name.startswith("~$") or name.lower().endswith(IGNORED_SUFFIXES)


def identity(path: Path) -> tuple[int, int, int] | None:
    """Size, mtime and ctime: ctime also changes on chmod, so a file that
    was unreadable is tried again once its permissions are fixed."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns


def file_key(path: Path) -> FileKey | None:
    """Size and mtime of a regular file; None when it is gone or not a file."""
    try:
        st = path.stat()
    except OSError:
        return None
    if not os.path.isfile(path):
        return None
    return st.st_size, st.st_mtime_ns


class Settler:
    """Files waiting until they stop changing."""

    def __init__(self, settle_seconds: float):
        self.settle = settle_seconds
        self._pending: dict[Path, tuple[FileKey, float]] = {}

    def __len__(self) -> int:
        return len(self._pending)

    def touch(self, path: Path, now: float) -> None:
        key = file_key(path)
        if key is None:
            self._pending.pop(path, None)
            return
        known = self._pending.get(path)
        if known is None or known[0] != key:
            self._pending[path] = (key, now)

    def ready(self, now: float) -> list[tuple[Path, FileKey]]:
        """Files unchanged for ``settle`` seconds, re-checked now; they leave
        the waiting list."""
        done = []
        for path, (key, since) in list(self._pending.items()):
            current = file_key(path)
            if current is None:
                del self._pending[path]
            elif current != key:
                self._pending[path] = (current, now)
            elif now - since >= self.settle:
                del self._pending[path]
                done.append((path, key))
        return done


class SeenState:
    """What ``--after leave`` already ingested: relative path → (size, mtime),
    in a small JSON file, so a restart does not upload everything again."""

    def __init__(self, path: Path):
        self.path = path
        self._seen: dict[str, list[int]] = {}
        try:
            self._seen = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            pass
        except (OSError, ValueError):
            log.warning("State file %s is unreadable; starting afresh", path)

    def contains(self, rel: str, key: FileKey) -> bool:
        return self._seen.get(rel) == list(key)

    def remember(self, rel: str, key: FileKey) -> None:
        self._seen[rel] = list(key)
        temp = self.path.with_name(self.path.name + ".new")
        try:
            temp.write_text(json.dumps(self._seen, ensure_ascii=False), encoding="utf-8")
            os.replace(temp, self.path)
        except OSError:
            log.warning("Could not write state file %s", self.path, exc_info=True)
