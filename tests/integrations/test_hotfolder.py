"""The hot folder: the loop driven step by step with a fake clock, then the
real watchdog thread and the real command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from integrations.hotfolder import HotFolder, Ingestor
from integrations.hotfolder_files import STATE_FILE, Settler, is_ignored
from recognition import lanes
from recognition.models import Sighting, Upload
from teams.roles import Role

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def inbox(tmp_path) -> Path:
    path = tmp_path / "inbox"
    path.mkdir()
    return path


def files_under(path: Path) -> list[str]:
    return sorted(p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file())


def watcher(team, user, root: Path, after: str = "done") -> HotFolder:
    return HotFolder(root, Ingestor(team, user, root, after), settle_seconds=2.0, rescan_seconds=30.0)


@pytest.mark.parametrize("name,ignored", [
    ("a.png", False), ("sub/dir/a.png", False), (".hidden.png", True), ("sub/.git/a.png", True),
    ("~$report.png", True), ("a.png.tmp", True), ("a.png.part", True), ("a.png.crdownload", True),
    ("done/a.png", True), ("failed/a.png", True), ("failed/a.png.error.txt", True), ("sub/done/a.png", False),
    (STATE_FILE, True),
])
def test_ignored_names(name, ignored, tmp_path):
    assert is_ignored(tmp_path / name, tmp_path) is ignored


def test_settler_waits_until_a_growing_file_is_complete(tmp_path, png):
    data = png((300, 100))
    path = tmp_path / "big.png"
    path.write_bytes(data[:50])
    settler = Settler(2.0)
    settler.touch(path, now=0.0)
    assert settler.ready(now=1.0) == []
    with path.open("ab") as handle:          # still being written
        handle.write(data[50:100])
    os.utime(path, ns=(1, 1_000_000_000))
    assert settler.ready(now=2.5) == [], "changed since the last look: the clock starts again"
    with path.open("ab") as handle:
        handle.write(data[100:])
    os.utime(path, ns=(1, 2_000_000_000))
    assert settler.ready(now=3.0) == []
    assert settler.ready(now=4.9) == []
    ready = settler.ready(now=5.0)
    assert [p for p, _ in ready] == [path] and ready[0][1][0] == len(data)
    assert len(settler) == 0


@pytest.mark.django_db
def test_files_present_at_start_and_in_subfolders_are_ingested_and_moved(team, member, inbox, png, queued):
    (inbox / "scans" / "2024").mkdir(parents=True)
    (inbox / "a.png").write_bytes(png())
    (inbox / "scans" / "2024" / "b.png").write_bytes(png())
    (inbox / ".hidden.png").write_bytes(png())
    (inbox / "c.png.part").write_bytes(b"half")
    folder = watcher(team, member, inbox)

    assert folder.step(now=0.0) == [], "nothing is read before it has settled"
    outcomes = folder.step(now=2.0)

    assert sorted(o.status for o in outcomes) == ["new", "new"]
    assert Upload.objects.filter(team=team).count() == 2
    assert files_under(inbox) == [".hidden.png", "c.png.part", "done/a.png", "done/scans/2024/b.png"]
    assert set(Upload.objects.values_list("original_name", flat=True)) == {"a.png", "b.png"}
    assert folder.step(now=40.0) == [], "done/ is never ingested again, not even by a rescan"


@pytest.mark.django_db
def test_corrupt_file_goes_to_failed_with_a_note(team, member, inbox, png, queued):
    (inbox / "broken.png").write_bytes(png()[:60])        # a truncated PNG
    (inbox / "notes.png").write_bytes(b"this is not an image at all")
    folder = watcher(team, member, inbox)
    folder.step(now=0.0)
    outcomes = folder.step(now=2.0)
    assert [o.status for o in outcomes] == ["failed", "failed"]
    assert files_under(inbox) == ["failed/broken.png", "failed/broken.png.error.txt",
                                  "failed/notes.png", "failed/notes.png.error.txt"]
    note = (inbox / "failed" / "notes.png.error.txt").read_text()
    assert "notes.png" in note and note.strip()
    assert not Upload.objects.exists()


@pytest.mark.django_db
def test_duplicate_is_recorded_once_and_both_copies_kept(team, member, inbox, png, queued):
    data = png()
    (inbox / "one.png").write_bytes(data)
    (inbox / "copy.png").write_bytes(data)
    folder = watcher(team, member, inbox)
    folder.step(now=0.0)
    outcomes = folder.step(now=2.0)
    assert sorted(o.status for o in outcomes) == ["duplicate", "new"]
    assert Upload.objects.count() == 1 and Sighting.objects.count() == 1
    assert files_under(inbox) == ["done/copy.png", "done/one.png"]
    # A third copy with a name already in done/ does not overwrite it.
    (inbox / "one.png").write_bytes(data)
    folder.notice(inbox / "one.png")         # what the watchdog thread does
    folder.step(now=3.0)
    folder.step(now=5.0)
    assert files_under(inbox) == ["done/copy.png", "done/one-1.png", "done/one.png"]


@pytest.mark.django_db
def test_leave_mode_remembers_files_across_restarts(team, member, inbox, png, queued):
    path = inbox / "keep.png"
    path.write_bytes(png())
    first = watcher(team, member, inbox, after="leave")
    first.step(now=0.0)
    assert [o.status for o in first.step(now=2.0)] == ["new"]
    assert path.exists() and (inbox / STATE_FILE).exists()

    restarted = watcher(team, member, inbox, after="leave")   # a new process, same folder
    restarted.step(now=0.0)
    assert [o.status for o in restarted.step(now=2.0)] == ["skipped"]
    assert Sighting.objects.count() == 0, "a restart does not spam sightings"

    path.write_bytes(png())          # the file changed: it is a new image
    os.utime(path, ns=(1, 5_000_000_000))
    restarted.step(now=31.0)         # the periodic rescan notices it
    assert [o.status for o in restarted.step(now=33.0)] == ["new"]
    assert Upload.objects.count() == 2


@pytest.mark.django_db
def test_vanished_and_unreadable_files_are_logged_and_skipped(team, member, inbox, png, queued, monkeypatch, caplog):
    gone = inbox / "gone.png"
    gone.write_bytes(png())
    locked = inbox / "locked.png"
    locked.write_bytes(png())
    good = inbox / "good.png"
    good.write_bytes(png())
    folder = watcher(team, member, inbox)
    folder.step(now=0.0)
    gone.unlink()
    real_read = Path.read_bytes

    def read_bytes(self):
        if self.name == "locked.png":
            raise PermissionError(13, "Permission denied")
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    outcomes = folder.step(now=2.0)
    assert sorted(o.status for o in outcomes) == ["new", "unreadable"]
    assert "Cannot read locked.png: Permission denied" in caplog.text
    assert files_under(inbox) == ["done/good.png", "locked.png"]
    # Not retried (nor logged again) until the file changes.
    caplog.clear()
    folder.step(now=31.0)
    assert folder.step(now=33.0) == [] and "locked.png" not in caplog.text


@pytest.mark.django_db
def test_watcher_stops_when_the_user_loses_the_upload_role(team, member, inbox, png, queued):
    from teams.models import Membership

    (inbox / "a.png").write_bytes(png())
    folder = watcher(team, member, inbox)
    folder.step(now=0.0)
    Membership.objects.filter(user=member, team=team).update(role=Role.VIEWER)
    member.__dict__.pop("_ocrspace_memberships", None)
    from integrations.hotfolder import NotAllowed

    with pytest.raises(NotAllowed):
        folder.step(now=2.0)
    assert files_under(inbox) == ["a.png"], "the user's file stays where it was"


# --- The real watchdog thread ------------------------------------------------------

def wait_until(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def start(team, user, root: Path) -> tuple[threading.Thread, threading.Event]:
    folder = HotFolder(root, Ingestor(team, user, root), settle_seconds=0.3, rescan_seconds=30.0)
    stop = threading.Event()
    thread = threading.Thread(target=folder.run, args=(stop,), kwargs={"poll_seconds": 0.05}, daemon=True)
    thread.start()
    return thread, stop


@pytest.mark.django_db(transaction=True)
def test_watching_for_real_while_running_and_after_a_restart(team, member, inbox, png, queued):
    (inbox / "before.png").write_bytes(png())
    thread, stop = start(team, member, inbox)
    assert wait_until(lambda: (inbox / "done" / "before.png").exists())

    # Dropped while running, into a new subfolder, written in two parts.
    data = png((400, 120))
    (inbox / "new" / "deep").mkdir(parents=True)
    target = inbox / "new" / "deep" / "slow.png"
    with target.open("wb") as handle:
        handle.write(data[: len(data) // 2])
        handle.flush()
        time.sleep(0.1)
        handle.write(data[len(data) // 2:])
    (inbox / "bad.png").write_bytes(b"garbage")
    assert wait_until(lambda: (inbox / "done" / "new" / "deep" / "slow.png").exists()
                      and (inbox / "failed" / "bad.png.error.txt").exists())
    stop.set()
    thread.join(10)
    assert not thread.is_alive()

    # Dropped while nobody watched: picked up at the next start.
    (inbox / "while-down.png").write_bytes(png())
    thread, stop = start(team, member, inbox)
    assert wait_until(lambda: (inbox / "done" / "while-down.png").exists())
    stop.set()
    thread.join(10)
    # The hot folder is a bulk source: one image in the queue (one worker),
    # the others wait in the bulk lane (recognition.lanes).
    assert Upload.objects.count() == 3 and len(queued) == 1
    assert lanes.waiting().count() == 2
    assert Upload.objects.get(original_name="slow.png").byte_size == len(data), "read only once complete"


# --- The command ------------------------------------------------------------------------

@pytest.mark.django_db
def test_command_errors_are_clear(team, member, viewer, inbox, tmp_path):
    cases = [
        ([str(tmp_path / "missing"), "--team", team.slug, "--as", member.username], "does not exist"),
        ([str(inbox), "--team", "nope", "--as", member.username], "No team with the slug 'nope'"),
        ([str(inbox), "--team", team.slug, "--as", "ghost"], "No user named 'ghost'"),
        ([str(inbox), "--team", team.slug, "--as", viewer.username], "is only a viewer"),
    ]
    for args, message in cases:
        with pytest.raises(CommandError, match=message):
            call_command("watch_folder", *args)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_command_ingests_and_stops_cleanly_on_sigterm(team, member, inbox, png, settings):
    from tests.live import database_url

    (inbox / "a.png").write_bytes(png())
    env = {**os.environ, "DATABASE_URL": database_url(), "SECRET_KEY": settings.SECRET_KEY,
           "MEDIA_ROOT": str(settings.MEDIA_ROOT), "DJANGO_SETTINGS_MODULE": "ocrspace.settings"}
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    process = subprocess.Popen(
        [sys.executable, "manage.py", "watch_folder", str(inbox), "--team", team.slug, "--as", member.username,
         "--settle", "0.3"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        assert wait_until(lambda: (inbox / "done" / "a.png").exists(), timeout=60)
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output
    assert "Traceback" not in output
    assert "a.png → upload" in output and "Stopped watching" in output
    assert Upload.objects.filter(team=team, original_name="a.png").exists()
