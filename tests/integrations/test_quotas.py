"""Team quotas at the command-line ways in: the hot folder keeps a refused
file in place for a later try, the bulk import reports each refusal."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from integrations.hotfolder import HotFolder, Ingestor
from recognition import processing
from recognition.models import Upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbox(tmp_path) -> Path:
    path = tmp_path / "inbox"  # beside the test's MEDIA_ROOT, not around it
    path.mkdir()
    return path


def files_under(path: Path) -> list[str]:
    return sorted(p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file())


def test_the_hot_folder_leaves_a_file_over_the_queue_quota_for_a_later_try(team, member, inbox, png, queued):
    team.max_queued_uploads = 1
    team.save()
    (inbox / "a.png").write_bytes(png())
    (inbox / "b.png").write_bytes(png())
    folder = HotFolder(inbox, Ingestor(team, member, inbox), settle_seconds=2.0, rescan_seconds=30.0)
    folder.step(now=0.0)

    outcomes = folder.step(now=2.0)

    assert sorted(o.status for o in outcomes) == ["new", "retry"]
    assert "quota of 1" in next(o.detail for o in outcomes if o.status == "retry")
    left = [name for name in files_under(inbox) if not name.startswith("done/")]
    assert len(left) == 1 and not (inbox / "failed").exists()
    # The queue drains; the next rescan takes the file.
    upload = processing.claim(Upload.objects.get().pk, stale_after_seconds=300)
    processing.complete(upload, text="t", confidence=1.0, lines=[], engine_version="t/1", timings={})
    folder.step(now=40.0)
    assert [o.status for o in folder.step(now=42.0)] == ["new"]
    assert files_under(inbox) == ["done/a.png", "done/b.png"]


def test_the_hot_folder_keeps_a_file_over_the_storage_quota_in_place(team, member, inbox, png, queued):
    team.max_stored_bytes = 10
    team.save()
    (inbox / "a.png").write_bytes(png())
    folder = HotFolder(inbox, Ingestor(team, member, inbox), settle_seconds=2.0, rescan_seconds=30.0)
    folder.step(now=0.0)
    assert [o.status for o in folder.step(now=2.0)] == ["retry"]
    assert files_under(inbox) == ["a.png"] and not Upload.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_bulk_import_reports_files_over_the_quota(team, member, tmp_path, png, queued):
    team.max_queued_uploads = 2
    team.save()
    for name in ("a.png", "b.png", "c.png"):
        (tmp_path / name).write_bytes(png())
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 rejected"):
        call_command("ocr_import", str(tmp_path), "--team", team.slug, "--as", member.username, "--no-progress",
                     stdout=out, stderr=io.StringIO())
    assert "New: 2  Duplicates: 0  Rejected: 1" in out.getvalue()
    assert "c.png" in out.getvalue() and "quota of 2" in out.getvalue()
    assert Upload.objects.count() == 2
