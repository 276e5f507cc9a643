"""Signed results: every result carries an Ed25519 signature over a
canonical statement of what it asserts, so anyone holding our public keys
can tell whether a text, an image hash or a team was changed afterwards.

The statement is JSON with sorted keys and no spaces (UTF-8):
``{"engine", "md5", "sha256", "signed_at", "team", "text", "upload", "v"}``
(team and upload are ids). The API, JSON exports and webhooks carry it as
``signature.signed`` beside ``signature.value`` (base64url) and
``signature.key_id``; the public keys, retired ones included, are at
``/.well-known/jwks.json``. A verifier checks the signature over
``signed`` and then compares ``signed``'s fields with the data it got.

Keys are generated on first use and rotated with
``manage.py rotate_signing_key``; see ``SigningKey`` for where they live.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from datetime import datetime
from datetime import timezone as dt_timezone

from cryptography.exceptions import InvalidSignature
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from recognition.models import Result, SigningKey, Upload

log = logging.getLogger(__name__)
STATEMENT_VERSION = 1
ALGORITHM = "Ed25519"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _vault() -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"ocrspace result signing keys")
    return Fernet(base64.urlsafe_b64encode(derived.derive(settings.SECRET_KEY.encode())))


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def create_key() -> SigningKey:
    """A new current key; the previous ones are retired (still published)."""
    private = Ed25519PrivateKey.generate()
    public = _raw_public(private.public_key())
    secret = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                   serialization.NoEncryption())
    with transaction.atomic():
        SigningKey.objects.filter(retired_at=None).update(retired_at=timezone.now())
        return SigningKey.objects.create(
            kid=hashlib.sha256(public).hexdigest()[:16], public_key=b64url(public),
            private_key=_vault().encrypt(secret).decode("ascii"),
        )


def _current() -> tuple[SigningKey, Ed25519PrivateKey]:
    key = SigningKey.objects.filter(retired_at=None).first()
    if key is not None:
        try:
            return key, Ed25519PrivateKey.from_private_bytes(_vault().decrypt(key.private_key.encode()))
        except InvalidToken:
            # SECRET_KEY changed: this key can no longer sign, but what it
            # signed stays verifiable with its published public half.
            log.warning("Signing key %s cannot be read with this SECRET_KEY; making a new one", key.kid)
    key = create_key()
    return key, Ed25519PrivateKey.from_private_bytes(_vault().decrypt(key.private_key.encode()))


def statement(upload: Upload, text: str, engine_version: str, signed_at: datetime) -> str:
    """The canonical statement a signature covers."""
    fields = {
        "v": STATEMENT_VERSION, "team": upload.team_id, "upload": upload.pk, "md5": upload.md5,
        "sha256": upload.sha256, "text": text, "engine": engine_version,
        "signed_at": signed_at.astimezone(dt_timezone.utc).isoformat(timespec="seconds"),
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sign_result(result: Result, upload: Upload) -> None:
    """Set ``result``'s signature fields (the caller saves them)."""
    key, private = _current()
    result.signed_at = timezone.now().replace(microsecond=0)
    signed = statement(upload, result.text, result.engine_version, result.signed_at)
    result.signature = b64url(private.sign(signed.encode("utf-8")))
    result.signature_key = key.kid


def signature_of(result: Result, upload: Upload) -> dict | None:
    """The ``signature`` object of API answers, exports and webhooks."""
    if not result.signature or result.signed_at is None:
        return None
    return {
        "algorithm": ALGORITHM, "key_id": result.signature_key, "value": result.signature,
        "signed": statement(upload, result.text, result.engine_version, result.signed_at),
    }


def public_keys() -> dict[str, Ed25519PublicKey]:
    return {k.kid: Ed25519PublicKey.from_public_bytes(unb64url(k.public_key)) for k in SigningKey.objects.all()}


def jwks() -> dict:
    """Every key, current and retired, as a JSON Web Key Set (OKP, Ed25519)."""
    return {"keys": [
        {"kty": "OKP", "crv": "Ed25519", "x": k.public_key, "kid": k.kid, "use": "sig", "alg": "EdDSA",
         "status": "retired" if k.retired_at else "current", "created": k.created_at.isoformat(timespec="seconds")}
        for k in SigningKey.objects.all()
    ]}


def keys_from_jwks(document: dict) -> dict[str, Ed25519PublicKey]:
    return {k["kid"]: Ed25519PublicKey.from_public_bytes(unb64url(k["x"]))
            for k in document.get("keys", []) if k.get("kty") == "OKP" and k.get("crv") == "Ed25519"}


def verify(signature: dict, keys: dict[str, Ed25519PublicKey]) -> bool:
    """True when ``signature`` (a ``signature_of`` object) is valid under one of ``keys``."""
    key = keys.get(str(signature.get("key_id", "")))
    if key is None:
        return False
    try:
        key.verify(unb64url(str(signature.get("value", ""))), str(signature.get("signed", "")).encode("utf-8"))
    except (InvalidSignature, ValueError):
        return False
    return True
