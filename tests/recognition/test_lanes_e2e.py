"""Fair lanes with the real worker: another team's single upload is read
right after the image in flight, not after a whole bulk import."""

from __future__ import annotations

import time

import pytest
from django.db import transaction

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
    # One transaction: the whole import and then the single upload reach the
    # queue at its commit, so the worker never drains part of the import
    # before the single upload exists, however slow the ingestion is.
    with transaction.atomic():
        for n in range(BULK):
            ingest(Incoming(Source.ZIP, team, member, f"archive-{n}.png",
                            make_png((240, 60), text=f"archived page {n}")))
        single = ingest(Incoming(Source.API, other_team, stranger, "urgent.png",
                                 make_png((240, 60), text="urgent"))).upload
    wait_for(lambda: Upload.objects.get(pk=single.pk).status == UploadStatus.DONE)
    single.refresh_from_db()
    # Bulk images the worker finished while the single upload waited (those
    # read before it was even created took no turn from it): one in flight
    # when it arrived and, while that was read, at most the next handed out.
    ahead = Upload.objects.filter(team=team, status=UploadStatus.DONE,
                                  finished_at__gt=single.created_at, finished_at__lt=single.finished_at).count()
    assert ahead <= 2, f"{ahead} of {BULK} bulk images were read while the single upload waited"
    # The worker keeps handing out the rest of the lane by itself.
    wait_for(lambda: Upload.objects.filter(team=team, status=UploadStatus.DONE).count() == BULK)
