"""Sign-ins, failed sign-ins and a token's first use each day land in the
audit log, which staff filter and export as CSV in the admin console."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from rest_framework.test import APIClient

from teams import access_tokens
from teams.models import AuditEntry
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loose_throttles")]


@pytest.fixture
def loose_throttles(monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    for scope in list(SimpleRateThrottle.THROTTLE_RATES):
        monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, scope, "100000/min")


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def test_browser_and_api_sign_ins_are_recorded_with_the_way_in(make_user):
    user = make_user("alice")
    Client(REMOTE_ADDR="198.51.100.4").post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    APIClient(REMOTE_ADDR="198.51.100.5").post("/api/auth/token/", {"username": "alice", "password": PASSWORD},
                                               format="json")
    found = [(e.actor_id, e.details["via"], e.details["ip"]) for e in entries("signin.success")]
    assert found == [(user.pk, "browser", "198.51.100.4"), (user.pk, "api", "198.51.100.5")]


def test_failed_sign_ins_name_who_was_claimed_and_never_the_password(make_user):
    make_user("bob")
    Client().post("/accounts/login/", {"username": "bob", "password": "wrong-guess-123"})
    Client().post("/accounts/login/", {"username": "nobody-here", "password": "wrong-guess-456"})
    failures = entries("signin.failure")
    assert [(e.actor_id, e.actor_name) for e in failures] == [(None, "bob"), (None, "nobody-here")]
    assert all("wrong-guess" not in str(e.details) for e in failures)


def test_a_tokens_first_use_each_day_is_recorded_once(member):
    _, raw = access_tokens.create_token(member, name="ci", scopes=["read"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    for _ in range(3):
        assert client.get("/api/teams/").status_code == 200
    assert len(entries("token.first_use_today")) == 1
    assert [e.action for e in AuditEntry.objects.filter(actor=member).order_by("pk")][:1] == ["token.create"]


def test_staff_export_the_audit_log_as_csv_with_formulas_defused(make_user):
    staff = make_user("root", is_staff=True, is_superuser=True)
    Client().post("/accounts/login/", {"username": "=HYPERLINK(\"http://evil\")", "password": "x"})
    admin = Client()
    admin.force_login(staff)
    ids = [str(pk) for pk in AuditEntry.objects.values_list("pk", flat=True)]
    response = admin.post("/admin/teams/auditentry/", {"action": "export_csv", "_selected_action": ids})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["created_at", "actor_name", "action"]
    claimed = [row[1] for row in rows[1:] if row[2] == "signin.failure"]
    assert claimed == ["'=HYPERLINK(\"http://evil\")"]
    filtered = admin.get("/admin/teams/auditentry/?action__exact=signin.failure")
    assert filtered.status_code == 200 and "HYPERLINK" in filtered.content.decode()
