"""The watchdog side of the hot folder: file system events → paths.

Runs in watchdog's own thread and only hands paths to a callback (which
queues them); reading, uploading and moving happen in the watcher's thread.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer


class _Forward(FileSystemEventHandler):
    def __init__(self, notice: Callable[[str], None]):
        self.notice = notice

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory and event.event_type not in ("created", "moved"):
            return  # a folder "modified" just means a file inside changed
        if event.event_type in ("created", "modified", "closed"):
            self.notice(event.src_path)
        elif event.event_type == "moved":
            # A download renamed from "x.crdownload" to "x.png" arrives here.
            self.notice(event.dest_path)


def start_observer(root: Path, notice: Callable[[str], None]):
    """Start watching ``root`` recursively; the caller stops and joins it."""
    observer = Observer()
    observer.schedule(_Forward(notice), str(root), recursive=True)
    observer.daemon = True
    observer.start()
    return observer
