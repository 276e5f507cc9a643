"""Moderation from the admin console: every action audited."""

import pytest
from django.test import Client
from django.urls import reverse

from recognition import processing, services, storage
from recognition.models import Event, Upload
from teams.models import AuditEntry

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def staff(make_user):
    user = make_user("moderator", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return user, client




def act(client, action: str, uploads) -> None:
    response = client.post(
        reverse("admin:recognition_upload_changelist"),
        {"action": action, "_selected_action": [u.pk for u in uploads]},
    )
    assert response.status_code == 302


def test_changelist_search_and_detail_with_preview(staff, team, member, png, queued):
    _, client = staff
    upload = services.create_upload(team, member, png(), "invoice.png").upload
    listing = client.get(reverse("admin:recognition_upload_changelist") + "?q=invoice")
    assert listing.status_code == 200 and "invoice.png" in listing.content.decode()
    detail = client.get(reverse("admin:recognition_upload_change", args=[upload.pk]))
    assert reverse("admin:recognition_upload_image", args=[upload.pk]) in detail.content.decode()
    image = client.get(reverse("admin:recognition_upload_image", args=[upload.pk]))
    assert image.status_code == 200 and image["X-Content-Type-Options"] == "nosniff"


def test_hide_and_unhide_are_audited_and_hide_the_upload(staff, team, member, png, queued):
    moderator, client = staff
    upload = services.create_upload(team, member, png(), "a.png").upload
    act(client, "hide", [upload])
    assert Upload.objects.get(pk=upload.pk).hidden
    assert not Upload.objects.for_user(member).exists()
    assert Event.objects.filter(kind="upload.hidden", upload_id=upload.pk).exists()
    act(client, "unhide", [upload])
    assert Upload.objects.for_user(member).exists()
    actions = list(AuditEntry.objects.filter(actor=moderator, action__startswith="upload.").order_by("created_at").values_list("action", flat=True))
    assert actions == ["upload.hide", "upload.unhide"]


def test_delete_with_files_asks_first_then_deletes_and_audits(staff, team, member, png, queued):
    moderator, client = staff
    upload = services.create_upload(team, member, png(), "a<script>.png").upload
    path = upload.file_path
    selected = {"action": "delete_with_files", "_selected_action": [upload.pk]}
    page = client.post(reverse("admin:recognition_upload_changelist"), selected)
    # A confirmation page; nothing deleted yet.
    assert page.status_code == 200
    html = page.content.decode()
    from django.utils.html import escape

    assert "<script>" in upload.original_name and escape(upload.original_name) in html and 'name="post" value="yes"' in html
    assert Upload.objects.filter(pk=upload.pk).exists() and storage.exists(path)
    assert not AuditEntry.objects.filter(action="upload.delete").exists()
    confirmed = client.post(reverse("admin:recognition_upload_changelist"), {**selected, "post": "yes"})
    assert confirmed.status_code == 302
    assert not Upload.objects.exists() and not storage.exists(path)
    entry = AuditEntry.objects.get(action="upload.delete")
    assert entry.actor == moderator and entry.details["name"] == upload.original_name and entry.team == team


def test_rerun_requeues_and_is_audited(staff, team, member, png, queued):
    _, client = staff
    upload = services.create_upload(team, member, png(), "a.png").upload
    processing.fail(upload.pk, "boom")
    queued.clear()
    act(client, "rerun", [upload])
    upload.refresh_from_db()
    assert upload.status == "queued" and upload.error == "" and queued == [upload.pk]
    assert AuditEntry.objects.filter(action="upload.rerun", target_id=str(upload.pk)).exists()


def test_plain_delete_is_not_offered(staff, team, member, png, queued):
    _, client = staff
    services.create_upload(team, member, png(), "a.png")
    page = client.get(reverse("admin:recognition_upload_changelist")).content.decode()
    assert "delete_with_files" in page and 'value="delete_selected"' not in page


def test_corrections_show_in_the_upload_history_and_the_audit_log(staff, team, member, png, queued):
    from recognition import corrections
    from recognition.models import UploadStatus

    _, client = staff
    upload = services.create_upload(team, member, png(), "a.png").upload
    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.PROCESSING)
    upload.refresh_from_db()
    processing.complete(upload, text="Invoce", confidence=0.9, lines=[], engine_version="t/1", timings={})
    corrections.correct_text(upload, member, "Invoice <b>fixed</b>", 1)
    corrections.revert(upload, member, 1)

    detail = client.get(reverse("admin:recognition_upload_change", args=[upload.pk])).content.decode()
    assert "Invoice &lt;b&gt;fixed&lt;/b&gt;" in detail and "<b>fixed</b>" not in detail
    log = client.get(reverse("admin:teams_auditentry_changelist") + "?action=upload.correct").content.decode()
    assert "upload.correct" in log and "member" in log
    log = client.get(reverse("admin:teams_auditentry_changelist") + "?action=upload.revert").content.decode()
    assert "upload.revert" in log
    assert list(AuditEntry.objects.filter(target_id=str(upload.pk), target_type="recognition.upload")
                .order_by("created_at", "pk").values_list("action", flat=True)) == ["upload.correct", "upload.revert"]
