"""Signed results: what a signature covers, key rotation, the published
keys and the ``verify`` command."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command
from django.test import Client

from recognition import processing, services, signatures
from recognition.models import Result, SigningKey

pytestmark = pytest.mark.django_db


@pytest.fixture
def done(team, member, png, queued):
    def make(text: str = "Invoice 42 total 99.50"):
        upload = services.create_upload(team, member, png(), "a.png").upload
        processing.claim(upload.pk, stale_after_seconds=300)
        processing.complete(upload, text=text, confidence=0.9, lines=[], engine_version="engine-7", timings={})
        return Result.objects.select_related("upload").get(upload=upload)

    return make


def signature(result: Result) -> dict:
    return signatures.signature_of(result, result.upload)


def tampered(sig: dict, **changes) -> dict:
    statement = json.loads(sig["signed"])
    statement.update(changes)
    return {**sig, "signed": json.dumps(statement, sort_keys=True, separators=(",", ":"), ensure_ascii=False)}


def test_every_result_is_signed_over_what_it_asserts(done):
    result = done()
    sig = signature(result)
    signed = json.loads(sig["signed"])
    assert signed == {"v": 1, "team": result.upload.team_id, "upload": result.upload_id, "md5": result.upload.md5,
                      "sha256": result.upload.sha256, "text": result.text, "engine": "engine-7",
                      "signed_at": signed["signed_at"]}
    assert signed["signed_at"].endswith("+00:00") and signed["signed_at"][:19] == result.signed_at.strftime("%Y-%m-%dT%H:%M:%S")
    assert signatures.verify(sig, signatures.public_keys())


def test_a_changed_character_a_swapped_hash_or_a_foreign_key_fails(done):
    sig, keys = signature(done()), signatures.public_keys()
    assert not signatures.verify(tampered(sig, text="Invoice 42 total 99.5O"), keys)
    assert not signatures.verify(tampered(sig, sha256="0" * 64), keys)
    assert not signatures.verify(tampered(sig, team=json.loads(sig["signed"])["team"] + 1), keys)
    foreign = Ed25519PrivateKey.generate()
    forged = {**sig, "value": signatures.b64url(foreign.sign(sig["signed"].encode()))}
    assert not signatures.verify(forged, keys)
    assert not signatures.verify({**sig, "key_id": "0123456789abcdef"}, keys)


def test_rotation_keeps_old_signatures_verifiable_and_published(done, client):
    first = signature(done("before rotation"))
    call_command("rotate_signing_key", stdout=open("/dev/null", "w"))
    second = signature(done("after rotation"))
    assert first["key_id"] != second["key_id"]
    keys = signatures.public_keys()
    assert signatures.verify(first, keys) and signatures.verify(second, keys)
    published = Client().get("/.well-known/jwks.json").json()["keys"]
    assert {k["kid"]: k["status"] for k in published} == {first["key_id"]: "retired", second["key_id"]: "current"}
    assert all(signatures.verify(s, signatures.keys_from_jwks({"keys": published})) for s in (first, second))
    assert "private" not in json.dumps(published) and all(set(k) >= {"kty", "crv", "x"} for k in published)


def test_a_new_secret_key_makes_a_new_signing_key_and_old_results_still_verify(done, settings):
    old = signature(done("signed under the first secret"))
    settings.SECRET_KEY = "another-secret-" * 4
    new = signature(done("signed under the second secret"))
    assert old["key_id"] != new["key_id"] and SigningKey.objects.count() == 2
    assert signatures.verify(old, signatures.public_keys()) and signatures.verify(new, signatures.public_keys())


def test_the_verify_command_checks_an_export_file(done, tmp_path):
    results = [done("first text"), done("second text")]
    rows = [{"id": r.upload_id, "md5": r.upload.md5, "text": r.text, "engine_version": r.engine_version,
             "signature": signature(r)} for r in results]
    good = tmp_path / "export.json"
    good.write_text(json.dumps({"uploads": rows}, ensure_ascii=False))
    out = tmp_path / "out.txt"
    with out.open("w") as stdout:
        call_command("verify", str(good), stdout=stdout)
    assert "2 signed result(s) verified" in out.read_text()
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(signatures.jwks()))
    call_command("verify", str(good), "--jwks", str(jwks), stdout=open("/dev/null", "w"))
    rows[1]["text"] = "second text, edited"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"uploads": rows}))
    with pytest.raises(CommandError, match="1 of 2"):
        call_command("verify", str(bad), stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("verify", str(tmp_path / "missing.json"))


def test_a_correction_is_signed_as_it_is_made_and_every_answer_carries_the_signature(done, member):
    from recognition import corrections
    from recognition.representation import EXPORT, WEBHOOK, represent
    from rest_framework.test import APIClient

    result = done("Invoce 7")
    corrected = corrections.correct_text(result.upload, member, "Invoice 7", result.version)
    sig = signature(corrected)
    assert json.loads(sig["signed"])["text"] == "Invoice 7" and signatures.verify(sig, signatures.public_keys())
    client = APIClient()
    client.force_authenticate(member)
    from_api = client.get(f"/api/uploads/{result.upload_id}/").json()["result"]["signature"]
    upload = corrected.upload
    assert from_api == sig == represent(upload, EXPORT)["signature"] == represent(upload, WEBHOOK)["signature"]
