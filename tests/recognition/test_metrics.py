"""``/metrics``: Prometheus text for staff and the scraper's token only."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from recognition import processing
from recognition.ingest import Incoming, Source, ingest
from tests.support import make_png

pytestmark = pytest.mark.django_db


def samples(response) -> dict:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    out = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def test_queue_depth_per_lane_uploads_and_latencies(client_for, make_user, team, owner, queued,
                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            ingest(Incoming(Source.ZIP, team, owner, f"z{n}.png", make_png()))
        single = ingest(Incoming(Source.API, team, owner, "one.png", make_png())).upload
    upload = processing.claim(single.pk, stale_after_seconds=300)
    processing.complete(upload, text="t", confidence=1.0, lines=[], engine_version="t/1",
                        timings={"total": 1500.0})
    staff = make_user("ops", is_staff=True)
    got = samples(client_for(staff).get("/metrics"))
    depth = lambda lane, state: got[("ocrspace_queue_depth", (("lane", lane), ("state", state)))]  # noqa: E731
    assert (depth("bulk", "waiting"), depth("bulk", "queued"), depth("interactive", "queued")) == (2, 1, 0)
    assert got[("ocrspace_uploads", (("status", "done"),))] == 1
    assert got[("ocrspace_uploads", (("status", "queued"),))] == 3
    assert got[("ocrspace_uploads_created_total", ())] == single.pk
    assert got[("ocrspace_engine_seconds_count", ())] == 1
    assert got[("ocrspace_engine_seconds", (("quantile", "0.5"),))] == 1.5


def test_only_staff_and_the_scraper_token_may_read_it(client, client_for, owner, settings, make_user):
    settings.OCRSPACE_METRICS_TOKEN = "s3cret-scraper-token"
    assert client.get("/metrics").status_code == 404
    assert client_for(owner).get("/metrics").status_code == 404  # a team owner is not the operator
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scraper-token").status_code == 200
    settings.OCRSPACE_METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404
    assert client_for(make_user("ops2", is_staff=True)).get("/metrics").status_code == 200
