"""Outgoing webhooks against a real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.models import Schedule

from integrations import delivery, netguard, services, signing, tasks
from integrations.models import Delivery, DeliveryOutcome, Webhook
from recognition import services as uploads
from recognition.models import Event, EventKind

pytestmark = pytest.mark.django_db(transaction=True)


def _public_dns(monkeypatch, *addresses: str):
    """Make every host name resolve to ``addresses`` (no network needed)."""
    def fake(host, port, *args, **kwargs):
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                for a in addresses]
    monkeypatch.setattr(netguard.socket, "getaddrinfo", fake)


# --- SSRF ------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "http://127.0.0.1/hook",
    "http://127.1.2.3:8080/hook",
    "http://10.0.0.5/hook",
    "http://192.168.1.20/hook",
    "http://172.16.0.1/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://localhost:8000/hook",
    "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://0.0.0.0/hook",
    "http://100.64.0.1/hook",
])
def test_internal_addresses_are_refused(url, settings):
    settings.OCRSPACE_WEBHOOKS_ALLOW_PRIVATE = False
    with pytest.raises(netguard.UnsafeURL, match="address"):
        netguard.check_url(url)


@pytest.mark.parametrize("url", [
    "ftp://example.com/hook", "file:///etc/passwd", "gopher://example.com/", "javascript:alert(1)",
    "example.com/hook", "http:///nohost", "https://user:pw@example.com/hook",
])
def test_non_http_and_malformed_urls_are_refused(url, monkeypatch):
    _public_dns(monkeypatch, "93.184.215.14")
    with pytest.raises(netguard.UnsafeURL):
        netguard.check_url(url)


def test_every_resolved_address_is_checked(monkeypatch, settings):
    settings.OCRSPACE_WEBHOOKS_ALLOW_PRIVATE = False
    _public_dns(monkeypatch, "93.184.215.14")
    netguard.check_url("https://hooks.example.com/x")          # public: accepted
    _public_dns(monkeypatch, "93.184.215.14", "127.0.0.1")     # one bad address is enough
    with pytest.raises(netguard.UnsafeURL, match="loopback"):
        netguard.check_url("https://hooks.example.com/x")


def test_setting_allows_private_receivers(settings):
    settings.OCRSPACE_WEBHOOKS_ALLOW_PRIVATE = True
    netguard.check_url("http://127.0.0.1:9/hook")


def test_rebinding_is_caught_at_connect_time(receiver, monkeypatch, settings):
    """Even when the name check is fooled (DNS answered a public address
    first), the connection to a loopback peer is refused before sending."""
    settings.OCRSPACE_WEBHOOKS_ALLOW_PRIVATE = False
    with netguard.guarded_session() as session, pytest.raises(Exception) as caught:
        session.post(receiver.url, data=b"{}", timeout=5)
    assert "loopback" in delivery._describe(caught.value)
    assert receiver.requests == []


def test_delivery_time_check_refuses_and_logs(team, owner, receiver, settings, allow_private):
    webhook = services.create_webhook(team, owner, receiver.url)
    settings.OCRSPACE_WEBHOOKS_ALLOW_PRIVATE = False
    row = delivery.deliver(webhook.pk, kind="ping")
    assert row.outcome == DeliveryOutcome.FAILED and "loopback" in row.error
    assert receiver.requests == []


def test_registration_refuses_internal_urls(team, owner, settings):
    settings.OCRSPACE_WEBHOOKS_ALLOW_PRIVATE = False
    for url in ("http://127.0.0.1/x", "http://localhost/x", "http://[::1]/x", "http://169.254.169.254/", "ftp://x/"):
        with pytest.raises(services.WebhookError):
            services.create_webhook(team, owner, url)
    assert not Webhook.objects.exists()


# --- Signatures -------------------------------------------------------------------

def test_signature_verifies_and_refuses_replays_and_tampering():
    body = '{"a":1}'
    sig = signing.sign("s3cret-s3cret-s3cret", 1_700_000_000, body)
    assert sig.startswith("sha256=") and len(sig) == 7 + 64
    assert signing.verify("s3cret-s3cret-s3cret", "1700000000", body, sig, now=1_700_000_100)
    assert not signing.verify("s3cret-s3cret-s3cret", "1700000000", body, sig, now=1_700_000_000 + 301)
    assert not signing.verify("s3cret-s3cret-s3cret", "1700000000", '{"a":2}', sig, now=1_700_000_000)
    assert not signing.verify("s3cret-s3cret-s3cret", "1700000001", body, sig, now=1_700_000_000)
    assert not signing.verify("another-secret-000", "1700000000", body, sig, now=1_700_000_000)


# --- Deliveries against the receiver ---------------------------------------------------

def test_done_upload_is_delivered_signed(team, owner, member, png, receiver, allow_private, fake_engine, sync_queue):
    webhook = services.create_webhook(team, owner, receiver.url)
    failed_only = services.create_webhook(team, owner, receiver.url + "?failed", events=["upload.failed"])

    upload = uploads.create_upload(team, member, png((200, 60)), "invoice.png").upload

    assert len(receiver.requests) == 1, "one delivery: the failed-only webhook is not called"
    got = receiver.requests[0]
    assert got.path == "/hooks/ocr"
    assert got.headers["x-ocrspace-event"] == "upload.done"
    assert signing.verify(webhook.secret, got.headers["x-ocrspace-timestamp"], got.body,
                          got.headers["x-ocrspace-signature"])
    assert not signing.verify(failed_only.secret, got.headers["x-ocrspace-timestamp"], got.body,
                              got.headers["x-ocrspace-signature"])
    payload = got.json()
    upload.refresh_from_db()
    assert payload["event"] == "upload.done" and payload["team"] == team.slug
    assert payload["delivery"] == got.headers["x-ocrspace-delivery"]
    assert payload["upload"]["id"] == upload.pk and payload["upload"]["md5"] == upload.md5
    assert payload["upload"]["name"] == "invoice.png"
    assert payload["upload"]["text"] == "发票 invoice 200x60\nTotal 42"
    assert payload["upload"]["confidence"] == 0.93 and len(payload["upload"]["lines"]) == 2
    assert payload["upload"]["api_url"].endswith(f"/api/uploads/{upload.pk}/")
    assert payload["upload"]["browser_url"].endswith(f"/uploads/{upload.pk}/")

    row = Delivery.objects.get(webhook=webhook)
    assert (row.outcome, row.status_code, row.attempt, row.event_kind) == ("success", 200, 1, "upload.done")
    assert row.upload_id == upload.pk and row.latency_ms is not None and '"received"' in row.response_excerpt
    assert not Delivery.objects.filter(webhook=failed_only).exists()


def test_failed_upload_event_is_delivered(team, owner, member, png, receiver, allow_private, fake_engine, sync_queue):
    services.create_webhook(team, owner, receiver.url, events=["upload.failed"])
    fake_engine.recognize = lambda data, **options: (_ for _ in ()).throw(RuntimeError("engine broke"))
    uploads.create_upload(team, member, png(), "bad.png")
    assert [r.headers["x-ocrspace-event"] for r in receiver.requests] == ["upload.failed"]
    assert "Recognition failed" in receiver.requests[0].json()["upload"]["error"]


def _done_event(team, member, png, monkeypatch) -> Event:
    """A committed upload.done event without running any delivery."""
    monkeypatch.setattr(uploads, "enqueue", lambda upload_id: None)
    upload = uploads.create_upload(team, member, png(), "x.png").upload
    return Event.objects.create(team=team, kind=EventKind.DONE, upload_id=upload.pk, payload={"id": upload.pk})


def test_retry_after_500_reuses_delivery_id_and_body(team, owner, member, png, receiver, allow_private, sync_queue,
                                                     monkeypatch):
    webhook = services.create_webhook(team, owner, receiver.url)
    receiver.answer(500)
    event = _done_event(team, member, png, monkeypatch)   # the receiver queues the first attempt (sync)

    first = Delivery.objects.get(webhook=webhook)
    assert (first.outcome, first.status_code, first.attempt) == ("retrying", 500, 1)
    assert first.next_attempt_at > timezone.now()
    retry = Schedule.objects.get(func="integrations.tasks.deliver")
    assert retry.schedule_type == Schedule.ONCE and retry.next_run == first.next_attempt_at

    # Let the cluster's scheduler find the retry due (it runs the task inline here).
    Schedule.objects.filter(pk=retry.pk).update(next_run=timezone.now() - timedelta(seconds=1))
    from django_q.scheduler import scheduler

    scheduler()

    second = Delivery.objects.filter(webhook=webhook).order_by("attempt").last()
    assert (second.outcome, second.status_code, second.attempt) == ("success", 200, 2)
    assert second.delivery_id == first.delivery_id and second.event_id == event.pk
    a, b = receiver.requests
    assert a.body == b.body and a.headers["x-ocrspace-delivery"] == b.headers["x-ocrspace-delivery"]
    assert signing.verify(webhook.secret, b.headers["x-ocrspace-timestamp"], b.body, b.headers["x-ocrspace-signature"])
    webhook.refresh_from_db()
    assert webhook.consecutive_failures == 0 and webhook.last_success_at is not None
    assert not Schedule.objects.filter(func="integrations.tasks.deliver").exists()


def test_backoff_doubles():
    assert 30 <= delivery.backoff_seconds(1) <= 33
    assert 60 <= delivery.backoff_seconds(2) <= 66
    assert 240 <= delivery.backoff_seconds(4) <= 264


def test_gives_up_after_max_attempts(team, owner, member, png, receiver, allow_private, settings, monkeypatch):
    settings.OCRSPACE_WEBHOOK_MAX_ATTEMPTS = 2
    webhook = services.create_webhook(team, owner, receiver.url)
    receiver.always = 503
    event = _done_event(team, member, png, monkeypatch)   # not sync: nothing delivered yet
    first = tasks.deliver(webhook.pk, kind="upload.done", event_id=event.pk)
    row = Delivery.objects.get()
    second = tasks.deliver(webhook.pk, kind="upload.done", event_id=event.pk, delivery_id=str(row.delivery_id), attempt=2)
    assert first.startswith("retrying") and second.startswith("failed")
    assert Delivery.objects.filter(outcome="failed", attempt=2, next_attempt_at__isnull=True).count() == 1


def test_disabled_after_consecutive_failures(team, owner, member, png, receiver, allow_private, settings, monkeypatch):
    settings.OCRSPACE_WEBHOOK_MAX_FAILURES = 3
    webhook = services.create_webhook(team, owner, receiver.url)
    receiver.always = 500
    event = _done_event(team, member, png, monkeypatch)
    for _ in range(3):
        delivery.deliver(webhook.pk, kind="upload.done", event_id=event.pk)
    webhook.refresh_from_db()
    assert not webhook.is_active and webhook.disabled_at is not None
    assert "3 failed deliveries in a row" in webhook.disabled_reason and "HTTP 500" in webhook.disabled_reason
    assert Delivery.objects.filter(webhook=webhook).count() == 3
    assert Delivery.objects.filter(webhook=webhook, outcome="failed").count() == 1, "no retry is scheduled once disabled"
    # Disabled: nothing more is sent, scheduled retries included.
    assert delivery.deliver(webhook.pk, kind="upload.done", event_id=event.pk, attempt=2) is None
    assert len(receiver.requests) == 3
    # Enabling again clears the streak.
    services.set_active(webhook, owner, True)
    webhook.refresh_from_db()
    assert webhook.is_active and webhook.consecutive_failures == 0 and webhook.disabled_reason == ""


def test_timeout_is_logged_as_failure(team, owner, allow_private, settings):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)      # accepts the connection, never answers
        settings.OCRSPACE_WEBHOOK_READ_TIMEOUT = 0.3
        webhook = services.create_webhook(team, owner, f"http://127.0.0.1:{listener.getsockname()[1]}/")
        row = delivery.deliver(webhook.pk, kind="ping")
    assert row.outcome == "failed" and row.status_code is None and "in time" in row.error


def test_redirects_are_not_followed(team, owner, receiver, allow_private):
    receiver.answer(302)
    webhook = services.create_webhook(team, owner, receiver.url)
    row = delivery.deliver(webhook.pk, kind="ping")
    assert row.status_code == 302 and row.outcome == "failed" and "Redirects" in row.error


def test_log_is_pruned(team, owner, receiver, allow_private, settings):
    settings.OCRSPACE_WEBHOOK_LOG_KEEP = 2
    webhook = services.create_webhook(team, owner, receiver.url)
    for _ in range(4):
        delivery.deliver(webhook.pk, kind="ping")
    assert Delivery.objects.filter(webhook=webhook).count() == 2


# --- Management: services, API, page ------------------------------------------------

def test_only_admins_and_owners_manage(team, owner, member, admin_user, outsider, receiver, allow_private):
    from ocrspace.errors import Forbidden
    from ocrspace.errors import NotFound

    with pytest.raises(Forbidden):
        services.create_webhook(team, member, receiver.url)
    with pytest.raises(NotFound):
        services.create_webhook(team, outsider, receiver.url)
    webhook = services.create_webhook(team, admin_user, receiver.url, secret="my-own-secret-123456")
    assert webhook.secret == "my-own-secret-123456"
    with pytest.raises(services.WebhookError):
        services.create_webhook(team, owner, receiver.url, secret="short")
    with pytest.raises(services.WebhookError):
        services.create_webhook(team, owner, receiver.url, events=["upload.deleted"])


@pytest.fixture
def api_for():
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import RefreshToken

    def make(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
        return client

    return make


def test_api_create_list_ping_deliveries_delete(team, owner, member, outsider, receiver, allow_private, api_for,
                                                sync_queue):
    base = f"/api/teams/{team.slug}/webhooks/"
    api = api_for(owner)
    created = api.post(base, {"url": receiver.url, "events": ["upload.done"], "description": "wiki"}, format="json")
    assert created.status_code == 201, created.content
    secret = created.json()["secret"]
    assert secret.startswith("whsec_")
    listed = api.get(base).json()
    assert [w["url"] for w in listed] == [receiver.url] and "secret" not in listed[0]
    hook_id = listed[0]["id"]

    assert api.post(f"{base}{hook_id}/ping/").status_code == 202
    got = receiver.requests[-1]
    assert got.headers["x-ocrspace-event"] == "ping"
    assert signing.verify(secret, got.headers["x-ocrspace-timestamp"], got.body, got.headers["x-ocrspace-signature"])
    log = api.get(f"{base}{hook_id}/deliveries/").json()
    assert log[0]["event_kind"] == "ping" and log[0]["status_code"] == 200 and "request_body" not in log[0]

    assert api_for(member).get(base).status_code == 403
    assert api_for(outsider).get(base).status_code == 404
    assert api_for(outsider).delete(f"{base}{hook_id}/").status_code == 404
    assert api.patch(f"{base}{hook_id}/", {"is_active": False}, format="json").json()["is_active"] is False
    assert api.delete(f"{base}{hook_id}/").status_code == 204
    assert not Webhook.objects.exists()


def test_api_refuses_internal_url(team, owner, api_for, settings):
    settings.OCRSPACE_WEBHOOKS_ALLOW_PRIVATE = False
    response = api_for(owner).post(f"/api/teams/{team.slug}/webhooks/", {"url": "http://169.254.169.254/"}, format="json")
    assert response.status_code == 400 and "link-local" in response.json()["detail"]


def test_settings_page(team, owner, member, client_for, receiver, allow_private, add_member):
    page = f"/t/{team.slug}/webhooks/"
    assert client_for(member).get(page).status_code == 403
    browser = client_for(owner)
    assert browser.get(page).status_code == 200
    response = browser.post(page, {"url": receiver.url, "events": ["upload.done", "upload.failed"],
                                   "description": "<script>alert(1)</script>"})
    webhook = Webhook.objects.get()
    html = response.content.decode()
    assert response.status_code == 200 and webhook.secret in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    again = browser.get(page).content.decode()
    assert webhook.secret not in again, "the secret is shown once"
    refused = browser.post(page, {"url": "ftp://example.com/", "events": ["upload.done"]})
    assert refused.status_code == 400 and Webhook.objects.count() == 1
    assert browser.post(f"{page}{webhook.pk}/delete/").status_code == 302
    assert not Webhook.objects.exists()


def test_admin_console_lists_deliveries(team, owner, receiver, allow_private, client_for, make_user):
    webhook = services.create_webhook(team, owner, receiver.url)
    delivery.deliver(webhook.pk, kind="ping")
    staff = make_user("root", is_staff=True, is_superuser=True)
    browser = client_for(staff)
    assert browser.get("/admin/integrations/delivery/").status_code == 200
    page = browser.get(f"/admin/integrations/webhook/{webhook.pk}/change/")
    assert page.status_code == 200 and webhook.secret not in page.content.decode()


def test_delivery_is_queued_after_commit_not_sent_inline(team, owner, member, png, receiver, allow_private, monkeypatch):
    """The receiver only queues: the task name and args reach the queue."""
    import django_q.tasks

    services.create_webhook(team, owner, receiver.url)
    sent = []
    monkeypatch.setattr(django_q.tasks, "async_task", lambda func, *a, **kw: sent.append((func, a, kw)))
    _done_event(team, member, png, monkeypatch)
    assert [(s[0], s[2]["kind"]) for s in sent] == [("integrations.tasks.deliver", "upload.done")]
    assert receiver.requests == []
    assert isinstance(sent[0][2]["event_id"], int)


def test_a_correction_is_delivered_with_the_corrected_text(team, owner, member, png, receiver, allow_private,
                                                          fake_engine, sync_queue):
    from recognition import corrections

    services.create_webhook(team, owner, receiver.url, events=["upload.corrected"])
    upload = uploads.create_upload(team, member, png((200, 60)), "invoice.png").upload
    assert receiver.requests == []  # only corrections were asked for
    upload.refresh_from_db()
    corrections.correct_lines(upload, member, [corrections.LineChange(1, "Total 42.00")], 1)
    assert [r.headers["x-ocrspace-event"] for r in receiver.requests] == ["upload.corrected"]
    body = receiver.requests[0].json()["upload"]
    assert body["text"] == "发票 invoice 200x60\nTotal 42.00" and body["version"] == 2
    assert body["engine_text"] == "发票 invoice 200x60\nTotal 42"
