"""The hot folder's tag option: every upload of the folder carries the tags."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from integrations.hotfolder import HotFolder, Ingestor
from recognition.models import Upload


def test_every_upload_of_the_folder_gets_the_tags(team, member, tmp_path, png, queued):
    (tmp_path / "a.png").write_bytes(png())
    (tmp_path / "b.png").write_bytes(png())
    folder = HotFolder(tmp_path, Ingestor(team, member, tmp_path, tags=("scanner", "inbox")),
                       settle_seconds=1.0, rescan_seconds=30.0)
    folder.step(now=0.0)
    assert sorted(o.status for o in folder.step(now=1.0)) == ["new", "new"]
    for upload in Upload.objects.all():
        assert sorted(upload.tags.values_list("name", flat=True)) == ["inbox", "scanner"]


@pytest.mark.django_db
def test_a_bad_tag_name_stops_the_command_before_it_watches(team, member, tmp_path):
    with pytest.raises(CommandError, match="longer than 40"):
        call_command("watch_folder", str(tmp_path), "--team", team.slug, "--as", member.username, "--tag", "x" * 41)
