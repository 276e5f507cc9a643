"""Engine profiles on the platform: the team's default, a per-upload choice,
re-reading with another profile, and what each result records."""
from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from recognition import services
from recognition.models import Upload
from teams import services as team_services
from teams.services import TeamRuleError

pytestmark = pytest.mark.django_db


def test_uploads_use_the_server_default_until_the_team_chooses(team, owner, member, png, settings):
    first = services.create_upload(team, member, png(), "a.png").upload
    assert first.profile == settings.OCRSPACE_DEFAULT_PROFILE
    team_services.update_team(team, owner, ocr_profile="fast")
    second = services.create_upload(team, member, png(), "b.png").upload
    assert second.profile == "fast"
    third = services.create_upload(team, member, png(), "c.png", profile="v4").upload
    assert third.profile == "v4"


def test_unknown_profiles_are_refused_with_the_choices(team, owner, member, png):
    with pytest.raises(services.UploadRejected, match="accurate"):
        services.create_upload(team, member, png(), "a.png", profile="turbo")
    assert not Upload.objects.exists()
    with pytest.raises(TeamRuleError, match="turbo"):
        team_services.update_team(team, owner, ocr_profile="turbo")


@pytest.mark.django_db(transaction=True)
def test_the_worker_reads_with_the_uploads_profile_and_the_result_records_it(team, member, png, fake_engine, sync_queue):
    upload = services.create_upload(team, member, png(), "a.png", profile="fast").upload
    upload.refresh_from_db()
    assert fake_engine.requested_profiles == ["fast"]
    assert upload.result.profile == "fast"


@pytest.mark.django_db(transaction=True)
def test_rerun_with_another_profile(team, member, png, fake_engine, sync_queue):
    upload = services.create_upload(team, member, png(), "a.png", profile="fast").upload
    services.rerun(Upload.objects.get(pk=upload.pk), member, "v4")
    upload.refresh_from_db()
    assert upload.profile == "v4" and upload.result.profile == "v4"
    assert fake_engine.requested_profiles == ["fast", "v4"]
    with pytest.raises(services.UploadRejected):
        services.rerun(upload, member, "turbo")


def test_ocr_command_refuses_an_unknown_profile():
    with pytest.raises(CommandError, match="turbo"):
        call_command("ocr", "x.png", "--profile", "turbo")
