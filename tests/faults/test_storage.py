"""Fault: the media directory is full (ENOSPC) or cannot be written
(read-only file system) while the live platform takes uploads.

The media directory lives on a tiny tmpfs mounted for the test (root only;
``chmod`` would not stop root): filled up for "full", remounted read-only for
"unwritable". It is unmounted afterwards whatever happens.
"""

from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path

import pytest

from recognition.models import Sighting, Upload, UploadStatus
from tests.faults.helpers import ApiClient, accepted_ids, text_png
from tests.support import assert_nothing_lost, wait_until_settled

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def small_disk(tmp_path):
    """A 256 KiB tmpfs; the media directory is a folder inside it, so a
    filler file can take the space without being inside the media root."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs to fill up needs root")
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(disk)], check=True, capture_output=True)
    try:
        (disk / "media").mkdir()
        yield disk
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(disk)], capture_output=True)
        if subprocess.run(["umount", str(disk)], capture_output=True).returncode:
            subprocess.run(["umount", "-l", str(disk)], check=True)


def fill(path: Path) -> None:
    """Write ``path`` until the file system is full."""
    with open(path, "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError as error:
            assert error.errno == errno.ENOSPC, error


def assert_refused_cleanly(response, status: int, media: Path) -> None:
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["detail"] and body["results"][0]["error"], body
    assert body["results"][0]["upload"] is None
    # Nothing half-written: no row, no sighting, no file (temporary or not).
    assert not Upload.objects.exists() and not Sighting.objects.exists()
    assert [p for p in media.rglob("*") if p.is_file()] == []


def assert_upload_recovers(client, image: bytes, name: str, media) -> None:
    """Once the disk is usable again the same upload is accepted and read."""
    response = client.upload(image, name)
    assert response.status_code == 201, response.text
    ids = accepted_ids(response)
    wait_until_settled(timeout=180)
    counts = assert_nothing_lost(media, ids, allow_failed=False)
    assert counts == {UploadStatus.DONE: 1}, counts


def test_full_media_disk_answers_507_and_recovers(small_disk, start_platform, team, member):
    media = small_disk / "media"
    platform = start_platform(media_root=media)
    client = ApiClient(platform, member, team)
    image = text_png("Disk full test 507")

    fill(small_disk / "filler")
    assert_refused_cleanly(client.upload(image, "full.png"), 507, media)
    # The same again: still a clean refusal, and the web server is fine.
    assert_refused_cleanly(client.upload(image, "full.png"), 507, media)

    (small_disk / "filler").unlink()
    assert_upload_recovers(client, image, "full.png", media)


def test_read_only_media_disk_answers_503_and_recovers(small_disk, start_platform, team, member):
    media = small_disk / "media"
    platform = start_platform(media_root=media)
    client = ApiClient(platform, member, team)
    image = text_png("Read only test 503")

    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True, capture_output=True)
    assert_refused_cleanly(client.upload(image, "ro.png"), 503, media)

    subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True, capture_output=True)
    assert_upload_recovers(client, image, "ro.png", media)
