"""Fair lanes (``recognition.lanes``): interactive uploads go to the queue at
once, bulk ones wait and are handed out a few at a time, teams taking turns."""

from __future__ import annotations

import pytest

from recognition import lanes, maintenance, processing, services
from recognition.ingest import Incoming, Source, ingest
from recognition.models import Lane, Upload, UploadStatus
from teams import services as team_services
from tests.support import make_png

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_team(owner):
    return team_services.create_team(owner, "Second Team")


def bulk(team, user, count: int, prefix: str) -> list[Upload]:
    return [ingest(Incoming(Source.ZIP, team, user, f"{prefix}{n}.png", make_png())).upload for n in range(count)]


def finish(upload_id: int) -> None:
    """What a worker does with a task: claim, complete, hand out the next."""
    upload = processing.claim(upload_id, stale_after_seconds=300)
    processing.complete(upload, text="t", confidence=1.0, lines=[], engine_version="t/1", timings={})
    lanes.dispatch()


def test_sources_choose_their_lane(team, owner, queued, settings):
    assert settings.OCRSPACE_BULK_IN_FLIGHT == 1
    for source, lane in ((Source.BROWSER, Lane.INTERACTIVE), (Source.API, Lane.INTERACTIVE),
                         (Source.RECOGNIZE, Lane.INTERACTIVE), (Source.SHARE, Lane.INTERACTIVE),
                         (Source.ZIP, Lane.BULK), (Source.HOT_FOLDER, Lane.BULK), (Source.BULK, Lane.BULK)):
        upload = ingest(Incoming(source, team, owner, f"{source.value}.png", make_png())).upload
        assert upload.lane == lane, source


def test_a_single_upload_goes_first_while_a_bulk_import_waits(team, owner, second_team, queued,
                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        imported = bulk(team, owner, 20, "archive-")
        single = ingest(Incoming(Source.BROWSER, second_team, owner, "now.png", make_png())).upload
    # One bulk image in the queue (one worker) and the single upload: it is
    # read as soon as that one image is.
    assert sorted(queued) == sorted([imported[0].pk, single.pk])
    waiting = Upload.objects.filter(pk__in=[u.pk for u in imported[1:]])
    assert all(u.enqueued_at is None and u.status == UploadStatus.QUEUED for u in waiting)


def test_bulk_jobs_of_teams_take_turns(team, owner, second_team, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = bulk(team, owner, 5, "a")
        second = bulk(second_team, owner, 2, "b")
    names = {u.pk: u.original_name.removesuffix(".png") for u in first + second}
    while len(queued) < 7:
        with django_capture_on_commit_callbacks(execute=True):
            finish(queued[-1])
    assert [names[pk] for pk in queued] == ["a0", "b0", "a1", "b1", "a2", "a3", "a4"]
    assert lanes.in_flight() == 1 and not lanes.waiting().exists()


def test_more_workers_take_more_bulk_work_at_once(team, owner, queued, settings, django_capture_on_commit_callbacks):
    settings.OCRSPACE_BULK_IN_FLIGHT = 3
    with django_capture_on_commit_callbacks(execute=True):
        imported = bulk(team, owner, 5, "x")
    assert queued == [u.pk for u in imported[:3]]


def test_the_sweeper_and_a_starting_cluster_leave_the_waiting_lane_alone(team, owner, queued, settings,
                                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        imported = bulk(team, owner, 4, "s")
    assert queued == [imported[0].pk]
    # Much later: the waiting uploads are not "stale", they were never sent.
    later = Upload.objects.get(pk=imported[0].pk).created_at + __import__("datetime").timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        counts = maintenance.sweep_stale(now=later)
    assert counts["requeued"] == 1  # the one in the queue whose message may be lost
    assert counts["dispatched"] == 0
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert maintenance.requeue_waiting() == 1
    assert queued == [imported[0].pk]


def test_a_rerun_is_interactive(team, owner, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upload = bulk(team, owner, 1, "r")[0]
    finish(upload.pk)
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = services.rerun(Upload.objects.get(pk=upload.pk), owner)
    assert again.lane == Lane.INTERACTIVE and queued == [upload.pk]


def test_queue_depth_per_team_and_lane(team, owner, second_team, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        bulk(team, owner, 3, "d")
        ingest(Incoming(Source.API, second_team, owner, "i.png", make_png()))
    rows = {(r["team__slug"], r["lane"]): r["waiting"] for r in lanes.depth()}
    assert rows == {(team.slug, "bulk"): 3, (second_team.slug, "interactive"): 1}
