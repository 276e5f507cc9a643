"""Permission matrix over every route of the URL conf and the websocket.

Every pattern of ``get_resolver()`` (recursively: admin, API, browser) must
have an entry in ``TABLE`` saying how to fill its parameters and which roles
may use each method; a route without one fails the suite by name, so a new
endpoint cannot ship without a declared check. Each case sends one request
per role and method: refused roles must get 401/403/404 or a redirect to a
login page (members of other teams, and staff outside the team, exactly 404
on team-scoped routes: existence must not leak); allowed roles must get
neither 401/403/404 nor 5xx. Methods a route does not declare are probed
too and must be refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

import pytest
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.apps import apps
from django.contrib.auth.models import AnonymousUser, Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from integrations.models import Delivery, Webhook
from ocrspace.routing import websocket_urlpatterns
from recognition import processing
from recognition import services as upload_services
from recognition.models import TeamModel, TeamModelStatus, Upload, UploadStatus
from teams import access_tokens
from recognition.vocabulary import services as vocabulary_services
from teams import services as team_services
from teams.models import Membership
from teams.roles import Role
from tests.support import make_png, make_zip, run_in_new_loop

ANON, VIEWER, MEMBER, ADMIN, OWNER, OUTSIDER, STAFF = "anonymous", "viewer", "member", "admin", "owner", "outsider", "staff"
ROLES = (ANON, VIEWER, MEMBER, ADMIN, OWNER, OUTSIDER, STAFF)
TEAM = frozenset({VIEWER, MEMBER, ADMIN, OWNER})
WRITERS = frozenset({MEMBER, ADMIN, OWNER})
MANAGERS = frozenset({ADMIN, OWNER})
USERS = TEAM | {OUTSIDER, STAFF}
EVERYONE = USERS | {ANON}
NOBODY = frozenset()
PROBED = ("GET", "POST", "PUT", "PATCH", "DELETE")
# Written into team A's objects; must never appear in an answer to a role outside team A.
MARKER = "zq-secret-marker"


@dataclass
class Rule:
    methods: dict[str, frozenset]  # method -> roles allowed to use it
    api: bool = False  # Bearer-token client instead of a browser session
    path: str | None = None  # for regex routes, the concrete path to request
    params: dict[str, str] = field(default_factory=dict)  # kwarg -> key of World.ids
    query: str = ""
    body: Callable | None = None  # World -> request data for mutating methods
    hidden: bool = True  # team-scoped: outsiders and staff get exactly 404
    soft_denied: Callable | None = None  # World -> state a refused redirect must leave unchanged
    logout: bool = False  # allowed answer is a redirect to the login page
    admin: bool = False  # Django admin: staff pass admin_view, actions may still be off (403/404)
    probe: bool = True  # send undeclared methods and expect a refusal


def files(world):
    return {"files": [SimpleUploadedFile("n.png", make_png(), "image/png")], "team": world.slug}


def archive(world):
    return {"archive": SimpleUploadedFile("a.zip", make_zip({"a.png": make_png()}), "application/zip"), "team": world.slug}


def image(world):
    return {"image": SimpleUploadedFile("r.png", make_png(), "image/png"), "team": world.slug}


def vocabulary_csv(world):
    return {"file": SimpleUploadedFile("v.csv", b"term,note\nQuorvane,product\n", "text/csv")}


def term_body(world):
    return {"term": "Zentrixa"}


def member_still_in(world):
    return Membership.objects.filter(team_id=world.team_id, user_id=world.ids["member_user"]).values_list("role", flat=True).first()


def shared_files(world):
    return {"files": [SimpleUploadedFile("shared.png", make_png(), "image/png")]}


def region_body(world):
    return {"x": 0, "y": 0, "width": 60, "height": 20}


def team_body(world):
    return {"team": world.slug}


def any_method(roles: frozenset) -> dict[str, frozenset]:
    """For pages that answer every method the same way and change nothing."""
    return {method: roles for method in PROBED}


ADMIN_RULE = Rule({"GET": frozenset({STAFF}), "POST": frozenset({STAFF})}, admin=True, hidden=False, probe=False)
PUBLIC = dict(hidden=False)

TABLE: dict[str, Rule] = {
    # Django's own admin (staff only through admin_view); declared once for
    # every model page, since the admin site wraps each of them the same way.
    r"re:^admin:": ADMIN_RULE,
    r"re:^admin/[a-z_]+/[a-z_]+/<path:object_id>/$": ADMIN_RULE,
    "admin:recognition_upload_image": Rule(ADMIN_RULE.methods, admin=True, hidden=False, probe=False,
                                           params={"pk": "upload"}),
    # Queue depth per team and lane, with the teams' quotas: staff, reading only.
    "admin:recognition_upload_queue": Rule({"GET": frozenset({STAFF})}, admin=True, hidden=False, probe=False),
    # Django's own login/logout views: their method handling is Django's
    # (form views treat PUT like POST), so undeclared methods are not probed.
    "admin:login": Rule({"GET": EVERYONE, "POST": EVERYONE}, probe=False, **PUBLIC),
    "admin:logout": Rule({"POST": EVERYONE}, logout=True, probe=False, **PUBLIC),
    "admin:app_list": Rule(ADMIN_RULE.methods, admin=True, hidden=False, probe=False, path="/admin/teams/"),
    "admin/(?P<url>.*)$": Rule({"GET": NOBODY}, path="/admin/no-such-page/", hidden=False, probe=False),
    # The site icon (a redirect to the static file), for everyone.
    "favicon": Rule({"GET": EVERYONE}, **PUBLIC),
    # Load-balancer probes: anyone, reading only.
    "healthz": Rule({"GET": EVERYONE}, **PUBLIC),
    "readyz": Rule({"GET": EVERYONE}, **PUBLIC),
    # Django's language switch: sets a cookie, redirects to a safe URL.
    "set_language": Rule({"GET": EVERYONE, "POST": EVERYONE}, probe=False, **PUBLIC),
    # Accounts.
    # Redirects to the user's team whatever the method.
    "home": Rule(any_method(USERS), hidden=False),
    "login": Rule({"GET": EVERYONE, "POST": EVERYONE}, probe=False, **PUBLIC),
    "logout": Rule({"POST": EVERYONE}, logout=True, **PUBLIC),
    "signup": Rule({"GET": EVERYONE, "POST": EVERYONE}, **PUBLIC),
    "password_change": Rule({"GET": USERS, "POST": USERS}, hidden=False, probe=False),
    "password_change_done": Rule({"GET": USERS}, hidden=False),
    # Personal access tokens: your own; revoking one is its owner's (the
    # member's here), or a team admin's for a token that reaches the team.
    "account-tokens": Rule({"GET": USERS, "POST": USERS}, hidden=False),
    # Two-factor sign-in of the signed-in user's own account.
    "2fa-setup": Rule({"GET": USERS, "POST": USERS}, hidden=False),
    "2fa-verify": Rule({"GET": USERS, "POST": USERS}, hidden=False),
    "2fa-disable": Rule({"POST": USERS}, hidden=False),
    "account-token-revoke": Rule({"POST": frozenset({MEMBER})}, params={"pk": "access_token"}),
    "team-token-revoke": Rule({"POST": MANAGERS}, params={"pk": "access_token"}),
    # Teams (browser).
    "team-list": Rule({"GET": USERS, "POST": USERS}, hidden=False),
    # Renders the page whatever the method (uploads go through the API).
    "team-space": Rule(any_method(TEAM)),
    "team-settings": Rule({"GET": TEAM, "POST": MANAGERS}),
    "invitation-create": Rule({"POST": MANAGERS}),
    "invitation-revoke": Rule({"POST": MANAGERS}),
    "member-role": Rule({"POST": MANAGERS}, body=lambda w: {"role": Role.MEMBER}),
    # Members may leave (the target is the member); a viewer is turned away
    # with a message and nothing changes.
    "member-remove": Rule({"POST": WRITERS}, soft_denied=member_still_in),
    # The token is the credential: anyone holding the link may see and accept it.
    "invitation-accept": Rule({"GET": EVERYONE, "POST": EVERYONE}, **PUBLIC),
    "webhooks": Rule({"GET": MANAGERS, "POST": MANAGERS}),
    "webhook-delete": Rule({"POST": MANAGERS}, params={"pk": "webhook"}),
    "webhook-ping": Rule({"POST": MANAGERS}, params={"pk": "webhook"}),
    "webhook-active": Rule({"POST": MANAGERS}, params={"pk": "webhook"}, body=lambda w: {"active": "1"}),
    # Team vocabulary (browser): members read it, admins and owners change it.
    "team-vocabulary": Rule({"GET": TEAM, "POST": MANAGERS}, body=term_body),
    "vocabulary-import": Rule({"POST": MANAGERS}, body=vocabulary_csv),
    "vocabulary-export": Rule({"GET": TEAM}),
    "vocabulary-delete": Rule({"POST": MANAGERS}, params={"pk": "term"}),
    # Uploads (browser).
    "team-search": Rule({"GET": TEAM}, query="q=line"),
    "upload-result": Rule({"GET": TEAM}),
    "upload-image": Rule({"GET": TEAM}),
    "upload-thumbnail": Rule({"GET": TEAM}),
    "upload-download": Rule({"GET": TEAM}),
    "upload-rerun": Rule({"POST": WRITERS}),
    "upload-pin": Rule({"POST": WRITERS}, body=lambda w: {"pinned": "1"}),
    "upload-delete": Rule({"POST": WRITERS}),  # the uploader (member) or admins
    "upload-text": Rule({"POST": WRITERS}, params={"upload_id": "done_upload"},
                        body=lambda w: {"text": "corrected", "version": "1"}),
    "upload-history": Rule({"GET": TEAM}, params={"upload_id": "done_upload"}),
    "upload-revert": Rule({"POST": WRITERS}, params={"upload_id": "done_upload", "number": "number"},
                          body=lambda w: {"version": "1"}),
    # REST API: authentication.
    "api-token": Rule({"POST": EVERYONE}, api=True, **PUBLIC),
    "api-token-refresh": Rule({"POST": EVERYONE}, api=True, **PUBLIC),
    "api-token-verify": Rule({"POST": EVERYONE}, api=True, **PUBLIC),
    "api-logout": Rule({"POST": EVERYONE}, api=True, **PUBLIC),
    "api-schema": Rule({"GET": EVERYONE}, api=True, **PUBLIC),
    # The public keys that sign results: for anyone who must check one.
    "signing-keys": Rule({"GET": EVERYONE}, **PUBLIC),
    "api-docs": Rule({"GET": EVERYONE}, api=True, **PUBLIC),
    # REST API: uploads.
    "api-upload-list": Rule({"GET": TEAM, "POST": WRITERS}, api=True, query="team={slug}", body=files),
    "api-upload-zip": Rule({"POST": WRITERS}, api=True, body=archive),
    "api-upload-detail": Rule({"GET": TEAM, "DELETE": WRITERS, "PATCH": WRITERS}, api=True, params={"pk": "done_upload"},
                              body=lambda w: {"text": "corrected", "version": 1}),
    "api-upload-versions": Rule({"GET": TEAM}, api=True, params={"pk": "done_upload"}),
    "api-upload-version": Rule({"GET": TEAM}, api=True, params={"pk": "done_upload", "number": "number"}),
    "api-upload-version-revert": Rule({"POST": WRITERS}, api=True, params={"pk": "done_upload", "number": "number"},
                                      body=lambda w: {}),
    "api-upload-image": Rule({"GET": TEAM}, api=True, params={"pk": "upload"}),
    "api-upload-rerun": Rule({"POST": WRITERS}, api=True, params={"pk": "upload"}),
    "api-upload-pin": Rule({"POST": WRITERS, "DELETE": WRITERS}, api=True, params={"pk": "upload"}),
    "api-search": Rule({"GET": TEAM}, api=True, query="team={slug}&q=line"),
    # Read-only either way; POST carries the parameters (long id lists) in the body.
    "api-export": Rule({"GET": TEAM, "POST": TEAM}, api=True, query="team={slug}&format=txt&q=line",
                       body=lambda w: {"team": w.slug, "format": "txt"}),
    "ocr-recognize": Rule({"POST": WRITERS}, api=True, body=image),
    "ocr/recognize/": Rule({"POST": WRITERS}, api=True, body=image),
    # REST API: teams.
    "api-team-list": Rule({"GET": USERS, "POST": USERS}, api=True, hidden=False),
    "api-team-detail": Rule({"GET": TEAM, "PATCH": MANAGERS}, api=True),
    "api-member-list": Rule({"GET": TEAM}, api=True),
    "api-member-detail": Rule({"GET": TEAM, "PATCH": MANAGERS, "DELETE": WRITERS}, api=True,
                              body=lambda w: {"role": Role.MEMBER}, soft_denied=member_still_in),
    "api-invitation-list": Rule({"GET": MANAGERS, "POST": MANAGERS}, api=True, body=lambda w: {"role": Role.VIEWER}),
    "api-invitation-detail": Rule({"DELETE": MANAGERS}, api=True, params={"pk": "invitation"}),
    "api-team-events": Rule({"GET": TEAM}, api=True),
    "api-access-token-list": Rule({"GET": USERS, "POST": USERS}, api=True, hidden=False,
                                  body=lambda w: {"name": "script", "scopes": ["read"]}),
    "api-access-token-detail": Rule({"DELETE": frozenset({MEMBER})}, api=True, params={"pk": "access_token"}),
    "api-team-token-list": Rule({"GET": MANAGERS}, api=True),
    "api-team-token-detail": Rule({"DELETE": MANAGERS}, api=True, params={"pk": "access_token"}),
    "api-vocabulary-list": Rule({"GET": TEAM, "POST": MANAGERS}, api=True, body=term_body),
    "api-vocabulary-csv": Rule({"GET": TEAM, "POST": MANAGERS}, api=True, body=vocabulary_csv),
    "api-vocabulary-detail": Rule({"DELETE": MANAGERS}, api=True, params={"pk": "term"}),
    # The team's fine-tuned recognizers: members look; admins and owners train
    # and choose the model in use (viewers and members get the page with a
    # message and 403). The world's team has a vocabulary term, so a run can
    # be queued; its model 1 is a run that was not adopted.
    "team-models": Rule({"GET": TEAM}),
    "team-models-progress": Rule({"GET": TEAM}),
    "team-models-train": Rule({"POST": MANAGERS}),
    "team-models-activate": Rule({"POST": MANAGERS}, body=lambda w: {"number": ""}),
    "api-team-model-list": Rule({"GET": TEAM, "POST": MANAGERS}, api=True),
    "api-team-model-detail": Rule({"GET": TEAM}, api=True, params={"number": "team_model"}),
    "api-team-model-activate": Rule({"POST": MANAGERS}, api=True, body=lambda w: {"number": None}),
    "api-webhook-list": Rule({"GET": MANAGERS, "POST": MANAGERS}, api=True),
    "api-webhook-detail": Rule({"GET": MANAGERS, "PATCH": MANAGERS, "DELETE": MANAGERS}, api=True,
                               params={"pk": "webhook"}, body=lambda w: {"is_active": False}),
    "api-webhook-ping": Rule({"POST": MANAGERS}, api=True, params={"pk": "webhook"}),
    "api-webhook-deliveries": Rule({"GET": MANAGERS}, api=True, params={"pk": "webhook"}),
    # --- Share links: members make them; the creator and admins revoke them;
    # anyone holding a link opens its page, image and downloads.
    "share-link-create": Rule({"POST": WRITERS}, params={"upload_id": "done_upload"}, body=lambda w: {"days": "7"}),
    "share-link-revoke": Rule({"POST": WRITERS}, params={"upload_id": "shared_upload", "pk": "share_link"}),
    "shared-result": Rule({"GET": EVERYONE}, params={"token": "share_token"}, **PUBLIC),
    "shared-image": Rule({"GET": EVERYONE}, params={"token": "share_token"}, **PUBLIC),
    "shared-download": Rule({"GET": EVERYONE}, params={"token": "share_token"}, **PUBLIC),
    # --- end of share links
    # Prometheus metrics: the operator's (staff, or the scraper's token).
    "metrics": Rule({"GET": frozenset({STAFF})}, hidden=False),
    # --- Capture: the installable app and region reads ---------------------
    # Manifest, service worker and offline page: public, no user data.
    "web-manifest": Rule({"GET": EVERYONE}, **PUBLIC),
    "service-worker": Rule({"GET": EVERYONE}, **PUBLIC),
    "offline": Rule({"GET": EVERYONE}, **PUBLIC),
    # The share target lands images in the user's last team: everyone who
    # can upload to theirs (the outsider to its own team; staff, in no team,
    # is told to join one first); a viewer's last team refuses it.
    "share-target": Rule({"GET": EVERYONE, "POST": WRITERS | {OUTSIDER, STAFF}}, hidden=False, body=shared_files),
    "api-upload-region": Rule({"POST": WRITERS}, api=True, params={"pk": "done_upload"}, body=region_body),
    "api-upload-region-reading": Rule({"GET": WRITERS}, api=True, params={"pk": "done_upload", "task": "region_task"}),
    # --- Sign-on (OpenID Connect) ---------------------------------------
    # Starting a sign-in (POST from the login page's button; GET shows
    # allauth's confirmation form) and the provider's redirect back: anyone,
    # signed in or not. Without a sign-in started in this browser the
    # callback answers 400 with a message. The provider "matrix" is served by
    # ``oidc_matrix_provider`` below.
    "openid_connect_login": Rule({"GET": EVERYONE, "POST": EVERYONE}, path="/accounts/oidc/matrix/login/", **PUBLIC),
    "openid_connect_callback": Rule({"GET": EVERYONE}, path="/accounts/oidc/matrix/login/callback/", **PUBLIC),
    # --- end of sign-on ---------------------------------------------------
    # --- Outputs: tables of a result (JSON cells; CSV and XLSX files) ---------
    "api-upload-tables": Rule({"GET": TEAM}, api=True, params={"pk": "done_upload"}),
    "api-upload-table-file": Rule({"GET": TEAM}, api=True, params={"pk": "done_upload"}, query="format=xlsx"),
    # --- end of outputs --------------------------------------------------------
    # --- Documents in (PDF, HEIC): a page rendered for the browser, checked
    # like the image (the world's upload is an image: page 1 is the image).
    "upload-page": Rule({"GET": TEAM}, params={"upload_id": "upload", "number": "number"}),
    # --- end of documents in
    # --- Organising: tags, notes, notifications, saved searches, bulk actions ---
    # Viewers read; members tag, write notes and act in bulk (deleting only
    # their own uploads); admins and owners manage tags and shared searches.
    "team-bulk": Rule({"POST": TEAM}, body=lambda w: {"action": "export", "ids": (w.ids["done_upload"],),
                                                       "format": "txt"}),
    "saved-search-create": Rule({"POST": TEAM}, body=lambda w: {"name": "mine", "query": "status=done"}),
    "saved-search-delete": Rule({"POST": MANAGERS}, params={"pk": "saved_search"}),
    "team-tags": Rule({"GET": TEAM, "POST": WRITERS}, body=lambda w: {"name": "Newtag", "colour": "blue"}),
    "tag-update": Rule({"POST": MANAGERS}, params={"pk": "tag"}, body=lambda w: {"name": "Renamed"}),
    "tag-delete": Rule({"POST": MANAGERS}, params={"pk": "tag"}),
    "upload-tags": Rule({"POST": WRITERS}, params={"upload_id": "done_upload"}, body=lambda w: {"tags": "alpha, beta"}),
    "upload-note-add": Rule({"POST": WRITERS}, params={"upload_id": "done_upload"},
                            body=lambda w: {"body": "see @m-viewer"}),
    # The note is the member's: its author, admins and owners delete it.
    "upload-note-delete": Rule({"POST": WRITERS}, params={"upload_id": "done_upload", "note_id": "note"}),
    "notifications": Rule({"GET": USERS}, hidden=False),
    "notifications-read": Rule({"POST": USERS}, hidden=False),
    "api-tag-list": Rule({"GET": TEAM, "POST": WRITERS}, api=True, body=lambda w: {"name": "Apitag"}),
    "api-tag-detail": Rule({"PATCH": MANAGERS, "DELETE": MANAGERS}, api=True, params={"pk": "tag"},
                           body=lambda w: {"colour": "red"}),
    # Tuples: JSON arrays (the request helper sends lists as multipart).
    "api-upload-tags": Rule({"PUT": WRITERS, "POST": WRITERS}, api=True, params={"pk": "done_upload"},
                            body=lambda w: {"tags": ("alpha",)}),
    "api-upload-notes": Rule({"GET": TEAM, "POST": WRITERS}, api=True, params={"pk": "done_upload"},
                             body=lambda w: {"body": "note for @m-admin"}),
    "api-upload-note": Rule({"DELETE": WRITERS}, api=True, params={"pk": "done_upload", "note_id": "note"}),
    "api-notifications": Rule({"GET": USERS}, api=True, hidden=False),
    "api-notifications-read": Rule({"POST": USERS}, api=True, hidden=False, body=lambda w: {}),
    "api-saved-search-list": Rule({"GET": TEAM, "POST": TEAM}, api=True,
                                  body=lambda w: {"name": "mine", "query": "status=done"}),
    "api-saved-search-detail": Rule({"DELETE": MANAGERS}, api=True, params={"pk": "saved_search"}),
    "api-bulk": Rule({"POST": WRITERS}, api=True, body=lambda w: {"action": "pin", "ids": (w.ids["done_upload"],)}),
    # --- end of organising ---
    # Unknown paths and malformed ids under /api/: JSON 404 for everyone.
    "api-not-found": Rule(
        {"GET": NOBODY, "POST": NOBODY, "DELETE": NOBODY}, api=True, path="/api/uploads/not-a-number/", hidden=False,
        probe=False),
}


def _walk(patterns, prefix: str = "", namespace: str | None = None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = ":".join(part for part in (namespace, pattern.namespace) if part) or None
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield prefix + str(pattern.pattern), name


def all_routes() -> list[tuple[str, str | None]]:
    return list(_walk(get_resolver().url_patterns))


def rule_for(route: str, name: str | None) -> Rule | None:
    for key in (name, route):
        if key and key in TABLE:
            return TABLE[key]
    for key, rule in TABLE.items():
        if key.startswith("re:") and any(k and re.search(key[3:], k) for k in (name, route)):
            return rule
    return None


def test_table_lists_only_existing_routes():
    keys = {k for route, name in all_routes() for k in (route, name) if k}
    stale = [k for k in TABLE if not k.startswith("re:") and k not in keys]
    assert not stale, f"TABLE entries for routes that no longer exist: {stale}"


# --- The world: team A with every role, another team, a staff user ----------


def sharing_world(world, team) -> None:
    """A finished upload of team A shared by the member (its text is meant
    for anyone holding the link, so it carries no marker)."""
    from recognition import sharing

    shared = upload_services.create_upload(team, world.users[MEMBER], make_png(), "shared.png").upload
    Upload.objects.filter(pk=shared.pk).update(status=UploadStatus.PROCESSING)
    shared.refresh_from_db()
    processing.complete(shared, text="shared words", confidence=0.9, lines=[], engine_version="t/1", timings={})
    shared.refresh_from_db()
    link, token = sharing.create(shared, world.users[MEMBER], 7)
    world.ids.update(share_token=token, share_link=link.pk, shared_upload=shared.pk)


def organise_world(world, team, done) -> None:
    """Organising objects of team A: a tag on the finished upload, the
    member's note on it (mentioning the viewer) and the owner's shared search."""
    from recognition.notes import services as note_services
    from recognition.saved_searches import services as saved_services
    from recognition.tags import services as tag_services

    tag = tag_services.create_tag(team, world.users[OWNER], f"{MARKER}-tag")
    tag_services.change_tags(done, world.users[MEMBER], add=[tag])
    note = note_services.add_note(done, world.users[MEMBER], f"{MARKER} note for @m-viewer")
    saved = saved_services.save_search(team, world.users[OWNER], f"{MARKER}-search", "status=done", shared=True)
    world.ids.update({"tag": tag.pk, "note": note.pk, "saved_search": saved.pk})


class World:
    def __init__(self, make_user, settings):
        self.users = {role: make_user(f"m-{role}") for role in (OWNER, ADMIN, MEMBER, VIEWER, OUTSIDER)}
        self.users[STAFF] = make_user("m-staff", is_staff=True, is_superuser=True)
        team = team_services.create_team(self.users[OWNER], "Team Alpha")
        for role in (ADMIN, MEMBER, VIEWER):
            Membership.objects.create(user=self.users[role], team=team, role=role)
        team_services.create_team(self.users[OUTSIDER], "Elsewhere")
        upload = upload_services.create_upload(team, self.users[MEMBER], make_png(), f"{MARKER}.png").upload
        # A finished upload with a text history (version 1, the engine's reading).
        done = upload_services.create_upload(team, self.users[MEMBER], make_png(), "done.png").upload
        Upload.objects.filter(pk=done.pk).update(status=UploadStatus.PROCESSING)
        done.refresh_from_db()
        processing.complete(done, text=f"{MARKER} line", confidence=0.9, lines=[], engine_version="t/1", timings={})
        invitation = team_services.create_invitation(team, self.users[OWNER], Role.MEMBER, "")
        webhook = Webhook.objects.create(team=team, url=f"https://hooks.example.com/{MARKER}", events=["upload.done"])
        Delivery.objects.create(webhook=webhook, event_kind="ping", outcome="ok")
        access_token, _ = access_tokens.create_token(self.users[MEMBER], name=f"{MARKER}-token", scopes=["read"])
        term = vocabulary_services.add_term(team, self.users[OWNER], f"{MARKER}-term", note=MARKER)
        team_model = TeamModel.objects.create(team=team, number=1, profile="default", family="t",
                                              status=TeamModelStatus.REJECTED, reason=f"{MARKER} not adopted")
        RefreshToken.for_user(self.users[MEMBER]).blacklist()  # outstanding + blacklisted rows for the admin
        Group.objects.create(name="moderators")
        from django_q.models import OrmQ, Task

        now = timezone.now()
        for n, ok in enumerate((True, False)):
            Task.objects.create(id=f"{n:032d}", name=f"t{n}", func="math.floor", started=now, stopped=now, success=ok)
        OrmQ.objects.create(key="default", payload="x", lock=now)
        self.team_id, self.slug = team.pk, team.slug
        self.ids = {
            "slug": team.slug, "upload_id": upload.pk, "upload": upload.pk, "done_upload": done.pk, "number": 1, "invitation_id": invitation.pk,
            "invitation": invitation.pk, "webhook": webhook.pk, "term": term.pk, "token": invitation.token, "fmt": "txt",
            "user_id": self.users[MEMBER].pk, "member_user": self.users[MEMBER].pk, "id": self.users[MEMBER].pk,
            "content_type_id": ContentType.objects.get_for_model(team).pk, "app_label": "teams",
            "access_token": access_token.pk, "region_task": "f" * 32, "team_model": team_model.number,
        }
        organise_world(self, team, done)
        sharing_world(self, team)

    def path_for(self, route: str, rule: Rule) -> str:
        if rule.path:
            return rule.path

        def fill(match: re.Match) -> str:
            name = match.group(1)
            if name == "object_id":
                return str(self._admin_object(route))
            if name == "pk" and "pk" in rule.params:
                return str(self.ids[rule.params["pk"]])
            return str(self.ids.get(rule.params.get(name, name), "") or self.ids[name])

        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", fill, route)

    @staticmethod
    def _admin_object(route: str):
        if route.startswith("admin/r/"):
            return "1"
        app_label, model_name = route.split("/")[1:3]
        obj = apps.get_model(app_label, model_name)._default_manager.order_by("pk").first()
        return obj.pk if obj else 0

    def client(self, role: str, api: bool):
        if api:
            client = APIClient()
            if role != ANON:
                client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(self.users[role]).access_token}")
            return client
        client = Client()
        if role != ANON:
            client.force_login(self.users[role])
        return client


@pytest.fixture
def world(make_user, settings, queued, monkeypatch):
    # Nothing reaches a queue or the network: ping tasks are recorded only,
    # and /ocr/recognize answers 202 at once instead of waiting for a worker.
    import django_q.tasks

    monkeypatch.setattr(django_q.tasks, "async_task", lambda *a, **k: None)
    settings.OCRSPACE_RECOGNIZE_WAIT_SECONDS = 0
    return World(make_user, settings)


def send(world: World, rule: Rule, role: str, method: str, path: str):
    client = world.client(role, rule.api)
    data = rule.body(world) if rule.body and method != "GET" else None
    kwargs = {}
    if data is not None:
        multipart = any(isinstance(v, (SimpleUploadedFile, list)) for v in data.values())
        kwargs = {"data": data, "format": "multipart" if multipart else "json"} if rule.api else {"data": data}
    url = f"{path}?{rule.query.format(slug=world.slug)}" if rule.query else path
    # Every request runs in a savepoint rolled back afterwards, so one role's
    # delete or role change never hides the object from the next role.
    with transaction.atomic():
        response = getattr(client, method.lower())(url, **kwargs)
        body = b"" if getattr(response, "streaming", False) else response.content
        transaction.set_rollback(True)
    return response, body


def _login_redirect(response) -> bool:
    location = response.get("Location", "") if response.status_code in (301, 302, 303) else ""
    return "/accounts/login/" in location or "/admin/login/" in location


def verdict(world: World, rule: Rule, role: str, method: str, allowed: bool, response, body: bytes) -> str | None:
    code = response.status_code
    if code >= 500:
        return f"{code} (server error)"
    if role in (ANON, OUTSIDER) or (role == STAFF and not rule.admin):
        if MARKER.encode() in body:
            return f"{code} and the answer shows team A's data"
    if allowed:
        if rule.logout and _login_redirect(response):
            return None
        if rule.admin and role == STAFF:
            return "sent to the login page" if _login_redirect(response) or code == 401 else None
        if code in (401, 403, 404) or _login_redirect(response):
            return f"{code} {response.get('Location', '')} for an allowed role"
        return None
    if code in (401, 403, 404) or _login_redirect(response):
        if role in (OUTSIDER, STAFF) and rule.hidden and code != 404:
            return f"{code} instead of 404 (tells another team the object exists)"
        return None
    if rule.soft_denied and code in (200, 302):
        return None  # checked against the state by the caller
    return f"{code} {response.get('Location', '')} for a refused role"


ROUTES = all_routes()


@pytest.mark.django_db
@pytest.mark.parametrize("route,name", ROUTES, ids=[name or route for route, name in ROUTES])
def test_route_permissions(route, name, world):
    rule = rule_for(route, name)
    assert rule is not None, (
        f"URL {name or route!r} ({route}) has no entry in the permission table of {__name__}: "
        "declare its parameters and the roles allowed per method"
    )
    path = world.path_for(route, rule)
    problems = []
    for method, allowed_roles in rule.methods.items():
        for role in ROLES:
            before = rule.soft_denied(world) if rule.soft_denied else None
            response, body = send(world, rule, role, method, path)
            problem = verdict(world, rule, role, method, role in allowed_roles, response, body)
            if problem is None and rule.soft_denied and role not in allowed_roles and response.status_code in (200, 302):
                if rule.soft_denied(world) != before:
                    problem = f"{response.status_code} and the change happened"
            if problem:
                problems.append(f"{method} {path} as {role}: {problem}")
    if rule.probe:
        # Methods the table does not declare must be refused even for the
        # strongest role, or the route accepts something nobody checked.
        strongest = STAFF if rule.admin else OWNER
        for method in PROBED:
            if method in rule.methods:
                continue
            response, _ = send(world, rule, strongest, method, path)
            if response.status_code < 400 and not _login_redirect(response) or response.status_code >= 500:
                problems.append(f"{method} {path} as {strongest}: {response.status_code}, a method the table does not declare")
    assert not problems, "\n".join(problems)


# --- Sign-on: an OpenID Connect provider for the matrix ----------------------


@pytest.fixture(scope="module")
def oidc_discovery():
    """A loopback HTTP server answering a provider's discovery document, so
    starting a sign-in redirects (the real provider flows are tested in
    tests/teams/sign_on/)."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Discovery(BaseHTTPRequestHandler):
        def do_GET(self):
            base = f"http://127.0.0.1:{self.server.server_port}"
            body = json.dumps({
                "issuer": base, "authorization_endpoint": f"{base}/auth", "token_endpoint": f"{base}/token",
                "userinfo_endpoint": f"{base}/me", "jwks_uri": f"{base}/jwks",
            }).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Discovery)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(autouse=True)
def oidc_matrix_provider(settings, oidc_discovery):
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {
        **settings.SOCIALACCOUNT_PROVIDERS["openid_connect"],
        "APPS": [{"provider_id": "matrix", "name": "Matrix", "client_id": "m", "secret": "s",
                  "settings": {"server_url": oidc_discovery}}],
    }}


# --- Websocket routes ---------------------------------------------------------

WS_TABLE = {"ws/teams/<slug:slug>/feed/": TEAM}
ws_application = URLRouter(websocket_urlpatterns)


def test_every_websocket_route_is_declared():
    routes = [str(p.pattern) for p in websocket_urlpatterns]
    missing = [r for r in routes if r not in WS_TABLE]
    assert not missing, f"websocket routes without a declared check: {missing}"


@pytest.mark.django_db(transaction=True)
def test_websocket_feed_permissions(world, monkeypatch):
    from recognition import consumers

    monkeypatch.setattr(consumers, "AUTH_TIMEOUT_SECONDS", 0.2)

    async def first_output(role):
        comm = WebsocketCommunicator(ws_application, f"/ws/teams/{world.slug}/feed/")
        comm.scope["user"] = AnonymousUser() if role == ANON else world.users[role]
        await comm.connect()
        output = await comm.receive_output(timeout=3)
        await comm.disconnect()
        return output

    async def every_role():
        return {role: await first_output(role) for role in ROLES}

    # One event loop for the whole test: a channel layer's connections and
    # locks belong to the loop that first used them.
    outcomes = run_in_new_loop(every_role)
    for role, output in outcomes.items():
        if role in WS_TABLE["ws/teams/<slug:slug>/feed/"]:
            assert output["type"] == "websocket.send" and '"ready"' in output["text"], (role, output)
        else:
            expected = 4401 if role == ANON else 4404
            assert output == {"type": "websocket.close", "code": expected}, (role, output)


@pytest.mark.django_db(transaction=True)
def test_websocket_feed_permissions_without_origin_through_the_asgi_app(world, monkeypatch):
    """The deployed application (origin check, session middleware, router):
    a client sending no Origin header (an API client) is let in and
    authenticates with a token; team members get ``ready``, others are
    refused exactly as with a session. A foreign Origin is refused at the
    handshake whoever it is."""
    from ocrspace.asgi import application
    from recognition import consumers

    monkeypatch.setattr(consumers, "AUTH_TIMEOUT_SECONDS", 0.2)
    path = f"/ws/teams/{world.slug}/feed/"
    tokens = {role: str(RefreshToken.for_user(world.users[role]).access_token) for role in ROLES if role != ANON}

    async def first_output(role, headers):
        comm = WebsocketCommunicator(application, path, headers=headers)
        connected, _ = await comm.connect()
        if not connected:
            return "denied"
        if role != ANON:
            await comm.send_json_to({"type": "auth", "token": tokens[role]})
        output = await comm.receive_output(timeout=3)
        await comm.disconnect()
        return output

    no_origin = [(b"host", b"localhost")]
    foreign = [(b"host", b"localhost"), (b"origin", b"https://evil.example.com")]
    same_site = [(b"host", b"localhost"), (b"origin", b"http://localhost")]

    async def every_role():
        outcomes = {role: (await first_output(role, no_origin), await first_output(role, foreign)) for role in ROLES}
        return outcomes, await first_output(MEMBER, same_site)

    # One event loop for the whole test (see test_websocket_feed_permissions).
    outcomes, same_site_output = run_in_new_loop(every_role)
    for role, (output, foreign_output) in outcomes.items():
        if role in WS_TABLE["ws/teams/<slug:slug>/feed/"]:
            assert output["type"] == "websocket.send" and '"ready"' in output["text"], (role, output)
        else:
            expected = 4401 if role == ANON else 4404
            assert output == {"type": "websocket.close", "code": expected}, (role, output)
        assert foreign_output == "denied", role
    assert '"ready"' in same_site_output["text"]
