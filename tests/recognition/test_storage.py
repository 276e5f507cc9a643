"""Atomic writes in the media directory: what a stopping worker leaves behind."""


def test_a_stopping_process_discards_only_its_own_unfinished_writes(settings):
    import os
    from pathlib import Path

    from recognition import storage

    root = Path(settings.MEDIA_ROOT)
    mine = root / "ab" / f".incoming-{os.getpid()}-x1"
    theirs = root / "thumbs" / "ab" / ".incoming-1-x2"
    for path in (mine, theirs):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"partial")
    storage.discard_own_temporary_files()
    assert not mine.exists() and theirs.exists()
