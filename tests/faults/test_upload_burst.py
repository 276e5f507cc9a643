"""Fault: a burst of 200 uploads from 20 concurrent API clients, 50 of them
the same bytes as another upload of the burst (so duplicates race their
originals through the web server)."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor

import pytest

from recognition.models import Sighting, Upload, UploadStatus
from tests.faults.helpers import ApiClient, text_png
from tests.support import assert_nothing_lost, wait_until_settled

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CLIENTS = 20
DISTINCT = 150
DUPLICATES = 50


def test_200_uploads_from_20_clients_with_50_duplicates(start_platform, team, team_members):
    platform = start_platform()
    users = team_members("burst", CLIENTS)

    images = {n: text_png(f"No {n} paid {n * 13}") for n in range(DISTINCT)}
    assert len(set(images.values())) == DISTINCT
    rng = random.Random(20)
    jobs = list(range(DISTINCT)) + rng.sample(range(DISTINCT), DUPLICATES)
    rng.shuffle(jobs)
    # Every client sends its share one after the other; the clients run at once.
    shares = [jobs[i::CLIENTS] for i in range(CLIENTS)]

    def send(index: int) -> list[tuple[int, int, dict | str]]:
        client = ApiClient(platform, users[index], team)
        answers = []
        for n in shares[index]:
            response = client.upload(images[n], f"burst-{n}.png")
            try:
                body = response.json()
            except ValueError:
                body = response.text
            answers.append((n, response.status_code, body))
        return answers

    with ThreadPoolExecutor(CLIENTS) as pool:
        answers = [a for share in pool.map(send, range(CLIENTS)) for a in share]

    assert len(answers) == DISTINCT + DUPLICATES
    statuses = Counter(code for _, code, _ in answers)
    assert set(statuses) <= {200, 201}, (statuses, [a for a in answers if a[1] not in (200, 201)][:3], platform.log("web"))
    # One 201 per image; the other upload of a duplicated image is answered
    # 200 "deduplicated" with the same upload, whichever of the two came first.
    assert statuses == {201: DISTINCT, 200: DUPLICATES}, statuses
    ids_by_image = defaultdict(set)
    for n, code, body in answers:
        (result,) = body["results"]
        assert result["ok"] and result["deduplicated"] == (code == 200), body
        ids_by_image[n].add(result["upload"]["id"])
    assert all(len(ids) == 1 for ids in ids_by_image.values()), ids_by_image
    accepted = {next(iter(ids)) for ids in ids_by_image.values()}
    assert len(accepted) == DISTINCT
    assert Upload.objects.count() == DISTINCT
    assert Sighting.objects.count() == DUPLICATES

    wait_until_settled(timeout=400)
    counts = assert_nothing_lost(platform.env["MEDIA_ROOT"], accepted, allow_failed=False)
    assert counts == {UploadStatus.DONE: DISTINCT}, counts
    misread = []
    for n, ids in ids_by_image.items():
        text = Upload.objects.select_related("result").get(pk=next(iter(ids))).result.text
        if f"No {n} paid {n * 13}" not in text:
            misread.append((n, text))
    assert not misread, misread
