"""Migration 0005 turns every stored result into version 1 of its text."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("recognition", "0004_ocr_profile")]
AFTER = [("recognition", "0005_text_versions")]


def test_existing_results_become_their_first_reading(team):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Upload, Result = old.get_model("recognition", "Upload"), old.get_model("recognition", "Result")
    texts = {}
    for n in range(3):
        upload = Upload.objects.create(team_id=team.pk, file_path=f"ab/{n}.png", md5=f"{n:032d}", sha256=f"{n:064d}",
                                       original_name=f"{n}.png", byte_size=1, width=1, height=1, image_type="png",
                                       status="done")
        Result.objects.create(upload=upload, text=f"old text {n}", confidence=0.9, lines=[], engine_version="e/1",
                              profile="fast")
        texts[upload.pk] = f"old text {n}"

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    for result in new.get_model("recognition", "Result").objects.all():
        assert (result.text, result.engine_text, result.version) == (texts[result.upload_id],) * 2 + (1,)
    versions = new.get_model("recognition", "TextVersion").objects.order_by("upload_id")
    assert [(v.upload_id, v.number, v.kind, v.text, v.profile, v.author_id) for v in versions] == [
        (pk, 1, "read", text, "fast", None) for pk, text in sorted(texts.items())]

    # Back to the latest state for the rest of the suite.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
