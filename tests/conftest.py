"""Fixtures shared by the whole suite: users, teams with each role, clients."""

from __future__ import annotations

import itertools

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from teams import services
from teams.models import Membership
from teams.roles import Role

_counter = itertools.count()
PASSWORD = "correct-horse-battery-staple-9"


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, request):
    """A fast password hasher (the suite creates many users; the production
    one is slow on purpose) and a per-process cache, so clearing it never
    touches a Redis database that a live worker uses as its broker.

    End-to-end tests keep the production hasher: the live server they log in
    to must be able to check the passwords this process stored."""
    if request.node.get_closest_marker("e2e") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    """Every test writes uploads under its own temporary directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # Pages render without a collectstatic run.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _default_language():
    """A page asked for in another language (Accept-Language) leaves that
    language active in the test's thread; the next test must not read its
    messages in Chinese."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """A real S3-compatible server (moto, over HTTP) for the whole session."""
    from tests.s3 import S3Server

    server = S3Server(tmp_path_factory.mktemp("s3") / "s3.log").start()
    yield server
    server.stop()


@pytest.fixture(params=["filesystem", "s3"])
def media_backend(request, settings):
    """Run the test on each image storage: the filesystem under the test's
    MEDIA_ROOT, and a fresh bucket of the session's S3 server. The value is
    the backend's name; ``bucket`` is set on the request for S3."""
    if request.param == "s3":
        server = request.getfixturevalue("s3_server")
        bucket = server.new_bucket()
        settings.STORAGES = {**settings.STORAGES, "default": server.storage_setting(bucket, prefix="media")}
        request.node.s3_bucket = bucket
    return request.param


@pytest.fixture
def make_user(db):
    def make(username: str | None = None, **extra):
        username = username or f"user{next(_counter)}"
        return get_user_model().objects.create_user(username, extra.pop("email", f"{username}@example.com"), PASSWORD, **extra)

    return make


@pytest.fixture
def owner(make_user):
    return make_user("owner")


@pytest.fixture
def team(owner):
    return services.create_team(owner, "Sales Team")


@pytest.fixture
def add_member(make_user):
    """Add a new user to ``team`` with ``role`` and return the user."""

    def add(team, role: str = Role.MEMBER, username: str | None = None):
        user = make_user(username)
        Membership.objects.create(user=user, team=team, role=role)
        return user

    return add


@pytest.fixture
def admin_user(team, add_member):
    return add_member(team, Role.ADMIN, "teamadmin")


@pytest.fixture
def member(team, add_member):
    return add_member(team, Role.MEMBER, "member")


@pytest.fixture
def viewer(team, add_member):
    return add_member(team, Role.VIEWER, "viewer")


@pytest.fixture
def other_team(make_user):
    return services.create_team(make_user("stranger"), "Other Team")


@pytest.fixture
def outsider(other_team):
    """A user in another team only."""
    return other_team.memberships.get().user


@pytest.fixture
def client_for():
    """A browser client logged in as ``user``."""

    def login(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return login


@pytest.fixture(scope="session")
def live_platform(django_db_setup, django_db_blocker, tmp_path_factory):
    """The real web server and worker cluster, shared by the e2e tests."""
    from tests.live import live_stack

    base = tmp_path_factory.mktemp("platform")
    platform = live_stack(media_root=base / "media", log_dir=base)
    platform.start()
    yield platform
    platform.stop()


@pytest.fixture
def live_media(settings, live_platform):
    """Make this test process store uploads where the live worker reads them."""
    settings.MEDIA_ROOT = live_platform.env["MEDIA_ROOT"]


@pytest.fixture
def png():
    from tests.support import make_png

    return make_png


@pytest.fixture
def zip_of():
    from tests.support import make_zip

    return make_zip


@pytest.fixture
def fake_engine_text() -> str:
    """What the stand-in engine reads; test directories may override it."""
    return "image {width}x{height}\nsecond line"


@pytest.fixture
def fake_engine(monkeypatch, fake_engine_text):
    """A stand-in for the OCR engine in the worker task (unit tests only)."""
    from recognition import engine_gateway
    from tests.support import FakeEngine

    engine = FakeEngine(fake_engine_text)
    monkeypatch.setattr(engine_gateway, "get_engine", engine.for_profile)
    return engine


@pytest.fixture
def sync_queue(monkeypatch):
    """Run queued tasks at once, in this process (django-q2's sync mode,
    which it reads into ``Conf`` at import time)."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)


@pytest.fixture
def queued(monkeypatch):
    """Record the ids of enqueued uploads instead of running OCR."""
    from recognition import services

    ids: list[int] = []
    monkeypatch.setattr(services, "enqueue", ids.append)
    return ids


@pytest.hookimpl(trylast=True)
@pytest.fixture
def training_queue(monkeypatch):
    """Training runs handed to the training lane, recorded instead of queued."""
    from recognition.teaching import services as teaching_services

    runs: list = []
    monkeypatch.setattr(teaching_services, "_queue", runs.append)
    return runs


@pytest.fixture
def material(team, owner):
    """A vocabulary term: something for a training run to learn."""
    from recognition.vocabulary import services as vocabulary_services

    return vocabulary_services.add_term(team, owner, "Zorvex")


def pytest_collection_modifyitems(config, items):
    """End-to-end tests run last. Their live worker shares the test database,
    so while it runs it would also pick up tasks that unit tests enqueue and
    write into their data. The fault tests come after all of them: they
    restart Redis and drop database connections under the session's live
    platform too (its websockets would close once on the lost Redis
    connections, as a real deployment's do, and the browser reconnects)."""
    def order(item) -> tuple[bool, bool]:
        return item.get_closest_marker("e2e") is not None, "tests/faults/" in item.nodeid
    items.sort(key=order)


class Mailbox:
    """What a real SMTP server (aiosmtpd) received: parsed messages."""

    def __init__(self):
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        from email import message_from_bytes, policy

        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        message.envelope_to = list(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server on a free local port for the whole test session."""
    from aiosmtpd.controller import Controller

    from tests.live import free_port

    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, mailbox
    controller.stop()


@pytest.fixture
def mailbox(smtp_server, settings):
    """Send this test's mail through the session's SMTP server; its messages."""
    controller, mailbox = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = controller.hostname, controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    mailbox.messages.clear()
    return mailbox
