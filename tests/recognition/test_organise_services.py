"""Tags, notes with mentions, notifications, saved searches and bulk actions:
their rules, events and audit entries (recognition.tags, .notes,
.saved_searches, .bulk)."""

from __future__ import annotations

import pytest

from ocrspace.errors import Forbidden, NotFound
from recognition import bulk, export, ingest, processing, services
from recognition.ingest import Incoming, Source
from recognition.models import Event, EventKind, Note, Notification, Tag, Upload, UploadStatus
from recognition.notes import mail
from recognition.notes import selectors as note_selectors
from recognition.notes import services as note_services
from recognition.saved_searches import selectors as saved_selectors
from recognition.saved_searches import services as saved_services
from recognition.tags import services as tag_services
from teams.models import AuditEntry
from teams.roles import Role


@pytest.fixture
def enqueued(monkeypatch):
    ids = []
    monkeypatch.setattr(services, "enqueue", ids.append)
    return ids


@pytest.fixture
def upload(team, member, png, enqueued):
    return services.create_upload(team, member, png(), "a.png").upload


def done(upload: Upload, text: str = "some text") -> Upload:
    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.PROCESSING)
    upload.refresh_from_db()
    processing.complete(upload, text=text, confidence=0.9, lines=[], engine_version="t/1", timings={})
    upload.refresh_from_db()
    return upload


# --- Tags -----------------------------------------------------------------------

def test_members_tag_and_the_feed_hears_of_it(team, member, upload):
    tags = tag_services.set_tags(upload, member, ["Invoice", "  2026  ", "invoice"])
    assert [t.name for t in tags] == ["2026", "Invoice"]
    event = Event.objects.filter(kind=EventKind.TAGGED).get()
    assert [t["name"] for t in event.payload["tags"]] == ["2026", "Invoice"]
    # The same names in another case find the same tags; nothing changes, no event.
    tag_services.set_tags(upload, member, ["invoice", "2026"])
    assert Tag.objects.filter(team=team).count() == 2 and Event.objects.filter(kind=EventKind.TAGGED).count() == 1
    tag_services.set_tags(upload, member, [])
    assert not upload.tags.exists()


def test_viewers_cannot_tag_and_admins_alone_rename_or_delete(team, member, viewer, admin_user, upload):
    with pytest.raises(Forbidden):
        tag_services.set_tags(upload, viewer, ["x"])
    tag = tag_services.create_tag(team, member, "draft", "red")
    with pytest.raises(Forbidden):
        tag_services.update_tag(team, member, tag.pk, name="final")
    assert tag_services.update_tag(team, admin_user, tag.pk, name="final", colour="green").name == "final"
    with pytest.raises(tag_services.TagRefused):
        tag_services.create_tag(team, member, "FINAL")
    tag_services.delete_tag(team, admin_user, tag.pk)
    assert not Tag.objects.exists()


@pytest.mark.parametrize("name", ["", "   ", "x" * 41, "\x00\x07", "\u2028\u3000\u202e", "\x85"])
def test_bad_tag_names_are_refused(team, member, name):
    with pytest.raises(tag_services.TagRefused):
        tag_services.create_tag(team, member, name)
    assert not Tag.objects.exists()


def test_characters_that_do_not_print_are_dropped_from_tag_names(team, member):
    assert tag_services.create_tag(team, member, "bad\x00name\u200b ok\x07").name == "bad name ok"
    assert tag_services.create_tag(team, member, "★ 发票").name == "★ 发票"


def test_unknown_colour_is_refused(team, member):
    with pytest.raises(tag_services.TagRefused):
        tag_services.create_tag(team, member, "ok", "#ff0000;background:url(x)")


def test_tags_given_on_ingest_go_on_new_and_known_images(team, member, png, enqueued):
    data = png()
    first = ingest.ingest(Incoming(Source.HOT_FOLDER, team, member, "a.png", data, tags=("scans",))).upload
    again = ingest.ingest(Incoming(Source.ZIP, team, member, "b.png", data, tags=("archive",))).upload
    assert first.pk == again.pk
    assert sorted(first.tags.values_list("name", flat=True)) == ["archive", "scans"]


def test_a_tag_of_another_team_is_never_put_on_an_upload(team, member, other_team, outsider, upload):
    theirs = tag_services.create_tag(other_team, outsider, "secret")
    assert not tag_services.change_tags(upload, member, add=[theirs])
    assert not upload.tags.exists()


# --- Notes, mentions, notifications ---------------------------------------------

def test_a_mention_notifies_the_member_and_mails_them(team, member, viewer, outsider, upload, mailbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        note = note_services.add_note(upload, member, "@viewer please check, and @outsider, @member and @nobody.")
    # Only team members other than the author are notified.
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["viewer"]
    assert note_selectors.unread_count(viewer) == 1 and note_selectors.unread_count(outsider) == 0
    event = Event.objects.filter(kind=EventKind.NOTED).get()
    assert event.payload["mentioned"] == ["viewer"] and event.payload["note_id"] == note.pk
    [message] = mailbox.messages
    assert message.envelope_to == [viewer.email] and "@viewer please check" in message.get_content()
    assert f"/uploads/{upload.pk}/#notes" in message.get_content()
    assert note_services.mark_read(viewer) == 1 and note_selectors.unread_count(viewer) == 0


def test_without_a_mail_backend_the_notification_list_has_it_alone(team, member, viewer, upload, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    note = note_services.add_note(upload, member, "for @viewer")
    assert mail.send_mentions(note.pk) == 0
    assert note_selectors.notifications_of(viewer).get().note == note


def test_mention_names_end_at_punctuation_and_ignore_mail_addresses():
    assert note_services.mentioned_names("@ann, @bob. mail@example.com (@c.d) @ann") == ["ann", "bob", "c.d"]


@pytest.mark.parametrize("body", ["", "   \n ", "a\x00b", "x" * 4001])
def test_bad_notes_are_refused_and_nothing_is_written(member, upload, body):
    with pytest.raises(note_services.NoteRefused):
        note_services.add_note(upload, member, body)
    assert not Note.objects.exists() and not Event.objects.filter(kind=EventKind.NOTED).exists()


def test_viewers_read_notes_but_may_not_write_or_delete_them(member, viewer, admin_user, upload, add_member, team):
    with pytest.raises(Forbidden):
        note_services.add_note(upload, viewer, "hi")
    note = note_services.add_note(upload, member, "mine")
    other = add_member(team, Role.MEMBER, "other")
    with pytest.raises(Forbidden):
        note_services.delete_note(upload, other, note.pk)
    with pytest.raises(Forbidden):
        note_services.delete_note(upload, viewer, note.pk)
    note_services.delete_note(upload, admin_user, note.pk)
    assert not Note.objects.exists()
    assert AuditEntry.objects.get(action="note.delete").actor == admin_user


def test_notes_and_notifications_go_with_their_upload(member, viewer, upload):
    note_services.add_note(upload, member, "@viewer look")
    services.delete_upload(upload, member)
    assert not Note.objects.exists() and not Notification.objects.exists()


def test_notifications_of_a_team_left_are_not_shown(team, member, viewer, upload):
    note_services.add_note(upload, member, "@viewer look")
    viewer.memberships.filter(team=team).delete()
    assert note_selectors.unread_count(viewer) == 0


def test_notes_and_tags_are_exported(team, member, upload):
    upload = done(upload, "=SUM(A1)")
    tag_services.set_tags(upload, member, ["finance"])
    note_services.add_note(upload, member, "<script>alert(1)</script> checked")
    uploads = export.select(team, export.Selection())
    data, _ = export.render(list(uploads), "json")
    assert b'"notes"' in data and b"<script>alert(1)</script> checked" in data and b'"finance"' in data
    csv_text = export.render(list(export.select(team, export.Selection())), "csv")[0].decode("utf-8-sig")
    assert "finance" in csv_text and "member (" in csv_text
    txt = export.render(list(export.select(team, export.Selection())), "txt")[0].decode()
    assert "Tags: finance" in txt and "checked" in txt


# --- Saved searches -------------------------------------------------------------

def test_saved_searches_are_personal_unless_an_admin_shares_them(team, member, viewer, admin_user):
    mine = saved_services.save_search(team, viewer, "My failures", "status=failed&tag=x&page=3")
    assert mine.query == "status=failed&tag=x"  # canonical, only the filter
    with pytest.raises(Forbidden):
        saved_services.save_search(team, member, "For all", "status=done", shared=True)
    shared = saved_services.save_search(team, admin_user, "For all", "status=done", shared=True)
    assert list(saved_selectors.searches_for(team, member)) == [shared]
    assert set(saved_selectors.searches_for(team, viewer)) == {shared, mine}
    with pytest.raises(NotFound):
        saved_services.delete_search(team, member, mine.pk)
    with pytest.raises(Forbidden):
        saved_services.delete_search(team, member, shared.pk)
    saved_services.delete_search(team, viewer, mine.pk)
    saved_services.delete_search(team, admin_user, shared.pk)


@pytest.mark.parametrize("name,query", [("", "status=done"), ("ok", ""), ("ok", "pinned=perhaps"), ("x" * 81, "q=a")])
def test_bad_saved_searches_are_refused(team, member, name, query):
    with pytest.raises(saved_services.SavedSearchRefused):
        saved_services.save_search(team, member, name, query)


# --- Bulk actions ---------------------------------------------------------------

def test_bulk_tag_pin_and_untag_by_ids_and_by_filter(team, member, png, enqueued):
    uploads = [services.create_upload(team, member, png(), f"{n}.png").upload for n in range(3)]
    selection = bulk.select(team, member, ids=[u.pk for u in uploads[:2]])
    summary = bulk.run(team, member, "tag", selection, tags=["batch"])
    assert summary.as_dict() == {"action": "tag", "selected": 2, "changed": 2, "unchanged": 0, "refused": []}
    matching = bulk.select(team, member, matching="tag=batch")
    assert bulk.run(team, member, "pin", matching).changed == 2
    everything = bulk.run(team, member, "tag", bulk.select(team, member, matching=""), tags=["batch"])
    assert (everything.changed, everything.unchanged) == (1, 2)
    assert bulk.run(team, member, "untag", bulk.select(team, member, matching="pinned=true"), tags=["batch"]).changed == 2
    assert bulk.run(team, member, "untag", bulk.select(team, member, matching="tag=batch"), tags=["batch"]).changed == 1
    assert not Upload.objects.filter(tags__name="batch").exists()
    with pytest.raises(tag_services.TagRefused):
        bulk.run(team, member, "untag", bulk.select(team, member, matching=""), tags=["never-made"])


def test_bulk_delete_keeps_other_members_uploads_and_reports_them(team, member, add_member, admin_user, png, enqueued):
    other = add_member(team, Role.MEMBER, "other")
    own = services.create_upload(team, member, png(), "own.png").upload
    theirs = services.create_upload(team, other, png(), "theirs.png").upload
    summary = bulk.run(team, member, "delete", bulk.select(team, member, ids=[own.pk, theirs.pk]))
    assert summary.changed == 1 and [r["id"] for r in summary.refused] == [theirs.pk]
    assert list(Upload.objects.values_list("pk", flat=True)) == [theirs.pk]
    # An admin deletes anyone's; every deletion is in the audit log.
    assert bulk.run(team, admin_user, "delete", bulk.select(team, admin_user, matching="")).changed == 1
    entries = AuditEntry.objects.filter(action="upload.delete").order_by("created_at")
    assert [(e.actor, e.target_id) for e in entries] == [(member, str(own.pk)), (admin_user, str(theirs.pk))]


def test_bulk_rerun_uses_the_rerun_service_and_its_profile_check(team, member, viewer, png, enqueued):
    upload = done(services.create_upload(team, member, png(), "a.png").upload)
    queued = services.create_upload(team, member, png(), "b.png").upload
    with pytest.raises(services.UploadRejected):
        bulk.run(team, member, "rerun", bulk.select(team, member, matching=""), profile="nope")
    summary = bulk.run(team, member, "rerun", bulk.select(team, member, matching=""), profile="fast")
    assert (summary.changed, summary.unchanged) == (1, 1)
    upload.refresh_from_db()
    assert upload.status == UploadStatus.QUEUED and upload.profile == "fast"
    queued.refresh_from_db()
    assert queued.status == UploadStatus.QUEUED and queued.profile != "fast"  # already waiting: left alone
    with pytest.raises(Forbidden):
        bulk.run(team, viewer, "rerun", bulk.select(team, viewer, matching=""))


def test_bulk_selection_must_be_of_the_team(team, member, other_team, outsider, png, enqueued):
    theirs = services.create_upload(other_team, outsider, png(), "x.png").upload
    with pytest.raises(export.UnknownUploads):
        bulk.select(team, member, ids=[theirs.pk])
    with pytest.raises(NotFound):
        bulk.select(other_team, member, matching="")
    with pytest.raises(bulk.BulkRefused):
        bulk.select(team, member)
    with pytest.raises(bulk.BulkRefused):
        bulk.run(team, member, "explode", bulk.select(team, member, matching=""))
