"""Fair lanes with the real worker: another team's single upload is read
right after the image in flight, not after a whole bulk import."""

from __future__ import annotations

import time

import pytest

from recognition.ingest import Incoming, Source, ingest
from recognition.models import Upload, UploadStatus
from tests.support import make_png

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
BULK = 12


def wait_for(check, timeout: float = 240):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out: {Upload.objects.values_list('original_name', 'status', 'lane')}")


def test_a_single_upload_overtakes_another_teams_bulk_import(live_platform, live_media, team, member, other_team):
    stranger = other_team.memberships.get().user
    for n in range(BULK):
        ingest(Incoming(Source.ZIP, team, member, f"archive-{n}.png", make_png((240, 60), text=f"archived page {n}")))
    single = ingest(Incoming(Source.API, other_team, stranger, "urgent.png", make_png((240, 60), text="urgent"))).upload
    wait_for(lambda: Upload.objects.get(pk=single.pk).status == UploadStatus.DONE)
    finished = Upload.objects.get(pk=single.pk).finished_at
    ahead = Upload.objects.filter(team=team, status=UploadStatus.DONE, finished_at__lt=finished).count()
    # One worker, one bulk image in flight when the single upload arrived;
    # while it was read, the next bulk image could at most be handed out.
    assert ahead <= 2, f"{ahead} of {BULK} bulk images were read first"
    # The worker keeps handing out the rest of the lane by itself.
    wait_for(lambda: Upload.objects.filter(team=team, status=UploadStatus.DONE).count() == BULK)
