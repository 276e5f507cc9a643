"""The filesystem backend of the image storage (the embedded default).

Django's ``FileSystemStorage`` writes a file in place: a crash or a full
disk mid-write would leave a half-written image under its real name, and a
content-addressed name is never written again. This one writes to a
temporary name in the same directory, syncs it and renames it, so a name
either holds the whole image or does not exist. The temporary names carry
the writer's process id, so a stopping worker can remove exactly its own.
S3-compatible stores need nothing of the kind: an object appears whole or
not at all.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.core.files.storage import FileSystemStorage

TEMPORARY_PREFIX = ".incoming-"


def temporary_prefix(pid: int | None = None) -> str:
    return f"{TEMPORARY_PREFIX}{os.getpid() if pid is None else pid}-"


class ContentAddressedFileSystemStorage(FileSystemStorage):
    def __init__(self, **kwargs):
        # A name is a digest of the bytes: writing it again writes the same
        # bytes, so it is never renamed to a "free" variant.
        kwargs.setdefault("allow_overwrite", True)
        kwargs.setdefault("file_permissions_mode", 0o640)
        super().__init__(**kwargs)

    def _save(self, name: str, content) -> str:
        target = Path(self.path(name))
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=temporary_prefix())
        try:
            with os.fdopen(fd, "wb") as handle:
                for chunk in content.chunks():
                    handle.write(chunk)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temp_name, self.file_permissions_mode or 0o640)
            os.replace(temp_name, target)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        return name
