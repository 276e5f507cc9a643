"""Two-factor sign-in: set-up, the code after the password (browser, API
sessions, JWT, websocket), recovery codes, throttling, team and admin
requirements."""

from __future__ import annotations

import pytest
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from ocrspace.routing import websocket_urlpatterns
from teams import twofactor
from teams.models import AuditEntry
from tests.conftest import PASSWORD
from tests.support import run_in_new_loop

pytestmark = pytest.mark.django_db


def code_of(device: TOTPDevice) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():0{device.digits}d}"


def authenticator(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def signed_in(user) -> Client:
    client = Client()
    assert client.post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def test_setting_up_shows_a_qr_code_then_confirms_with_a_code_and_gives_recovery_codes(member):
    client = signed_in(member)
    page = client.get("/accounts/2fa/")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=member, confirmed=False)
    assert page.context["key"] in device.config_url
    assert client.post("/accounts/2fa/", {"code": "000000" if code_of(device) != "000000" else "111111"}).status_code == 400
    device.refresh_from_db()
    device.throttle_reset()  # the wrong code made the next try wait a second
    done = client.post("/accounts/2fa/", {"code": code_of(device)})
    assert done.status_code == 200 and len(done.context["codes"]) == twofactor.RECOVERY_CODES
    device.refresh_from_db()
    assert device.confirmed and AuditEntry.objects.filter(action="2fa.enable", actor=member).exists()
    assert client.get(f"/t/{member.memberships.get().team.slug}/").status_code == 200  # this session is verified


def test_after_the_password_the_session_needs_the_code(team, member):
    device = authenticator(member)
    client = signed_in(member)
    page = client.get(f"/t/{team.slug}/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/2fa/verify/?next=")
    api = client.get(f"/api/teams/{team.slug}/")
    assert api.status_code == 403 and "two-factor" in api.json()["detail"]
    assert client.post("/accounts/2fa/verify/", {"code": "12"}).status_code == 400
    device.throttle_reset()
    passed = client.post(f"/accounts/2fa/verify/?next=/t/{team.slug}/", {"code": code_of(device)})
    assert passed.status_code == 302 and passed["Location"] == f"/t/{team.slug}/"
    assert client.get(f"/t/{team.slug}/").status_code == 200
    assert client.get(f"/api/teams/{team.slug}/").status_code == 200


def test_a_recovery_code_works_once(team, member):
    authenticator(member)
    codes = twofactor._new_recovery_codes(member)
    first = signed_in(member)
    assert first.post("/accounts/2fa/verify/", {"code": codes[0]}).status_code == 302
    second = signed_in(member)
    assert second.post("/accounts/2fa/verify/", {"code": codes[0]}).status_code == 400
    assert twofactor.recovery_codes_left(member) == twofactor.RECOVERY_CODES - 1


def test_wrong_codes_are_throttled(member):
    authenticator(member)
    client = signed_in(member)
    client.post("/accounts/2fa/verify/", {"code": "000000"})
    again = client.post("/accounts/2fa/verify/", {"code": "000001"})
    assert again.status_code == 400 and "Too many wrong codes" in again.content.decode()
    assert AuditEntry.objects.filter(action="2fa.failure", actor=member).count() == 1


def test_the_token_endpoint_asks_for_the_code(member):
    device = authenticator(member)
    api = APIClient()
    without = api.post("/api/auth/token/", {"username": member.username, "password": PASSWORD}, format="json")
    assert without.status_code == 401 and "otp" in without.json()["detail"]
    with_code = api.post("/api/auth/token/", {"username": member.username, "password": PASSWORD, "otp": code_of(device)},
                         format="json")
    assert with_code.status_code == 200 and "access" in with_code.json()


def test_owners_can_require_two_factor_for_their_team(team, owner, admin_user, member):
    as_admin, as_owner = APIClient(), APIClient()
    as_admin.force_authenticate(admin_user)
    as_owner.force_authenticate(owner)
    refused = as_admin.patch(f"/api/teams/{team.slug}/", {"require_two_factor": True}, format="json")
    assert refused.status_code == 400 and "owners" in refused.json()["detail"].lower()
    assert as_owner.patch(f"/api/teams/{team.slug}/", {"require_two_factor": True}, format="json").json()["require_two_factor"]
    page = signed_in(member).get(f"/t/{team.slug}/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/2fa/?next=")
    jwt = APIClient().post("/api/auth/token/", {"username": member.username, "password": PASSWORD}, format="json")
    assert jwt.status_code == 401 and "requires two-factor" in jwt.json()["detail"]


def test_the_admin_console_can_require_it_of_staff(make_user, settings):
    staff = make_user("root", is_staff=True, is_superuser=True)
    assert signed_in(staff).get("/admin/").status_code == 200
    settings.OCRSPACE_ADMIN_REQUIRE_2FA = True
    page = signed_in(staff).get("/admin/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/2fa/?next=")


def test_switching_off_needs_a_code(member):
    device = authenticator(member)
    client = Client()
    client.force_login(member)
    client.post("/accounts/2fa/verify/", {"code": code_of(device)})
    assert client.post("/accounts/2fa/disable/", {"code": "000000"}).status_code == 302
    assert twofactor.has_two_factor(member)
    device.refresh_from_db()
    device.throttle_reset()
    device.last_t = -1
    device.save()
    client.post("/accounts/2fa/disable/", {"code": code_of(device)})
    assert not twofactor.has_two_factor(member)


@pytest.mark.django_db(transaction=True)
def test_the_live_feed_refuses_a_session_still_owing_its_code(team, member):
    authenticator(member)
    application = URLRouter(websocket_urlpatterns)

    async def first_answer(session):
        comm = WebsocketCommunicator(application, f"/ws/teams/{team.slug}/feed/")
        comm.scope["user"], comm.scope["session"] = member, session
        await comm.connect()
        answer = await comm.receive_output(timeout=5)
        await comm.disconnect()
        return answer

    async def both():
        return await first_answer({}), await first_answer({"otp_device_id": "verified"})

    owing, verified = run_in_new_loop(both)
    assert owing == {"type": "websocket.close", "code": 4401}
    assert verified["type"] == "websocket.send" and '"ready"' in verified["text"]
