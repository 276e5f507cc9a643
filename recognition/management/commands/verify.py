"""Check the signatures in a JSON export (or an API answer, or a webhook
payload): every signed statement must be ours and say what the data says.

    python manage.py verify export.json [--jwks jwks.json]

Without ``--jwks`` the keys come from this deployment's database; with it,
from a saved copy of ``/.well-known/jwks.json`` (to check offline).
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from recognition import signatures

# Fields of an exported row and the statement field each must equal.
CHECKED = {"id": "upload", "md5": "md5", "text": "text", "engine_version": "engine"}


def _signed_rows(document) -> list[dict]:
    """Every object in ``document`` that carries a ``signature``."""
    found = []
    if isinstance(document, dict):
        if isinstance(document.get("signature"), dict):
            found.append(document)
        for value in document.values():
            found += _signed_rows(value)
    elif isinstance(document, list):
        for value in document:
            found += _signed_rows(value)
    return found


def check_row(row: dict, keys) -> str | None:
    """Why ``row`` fails (None: it verifies)."""
    signature = row["signature"]
    if not signatures.verify(signature, keys):
        return "signature does not verify (altered statement, or a key that is not ours)"
    signed = json.loads(signature["signed"])
    for field, claim in CHECKED.items():
        if field in row and row[field] != signed.get(claim):
            return f"{field} differs from what was signed"
    return None


class Command(BaseCommand):
    help = "Verify the result signatures in a JSON export, API answer or webhook payload."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file")
        parser.add_argument("--jwks", help="A saved /.well-known/jwks.json to take the keys from.")

    def handle(self, *args, file: str, jwks: str | None, **options) -> None:
        try:
            document = json.loads(Path(file).read_text(encoding="utf-8"))
            keys = signatures.keys_from_jwks(json.loads(Path(jwks).read_text(encoding="utf-8"))) if jwks \
                else signatures.public_keys()
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read the file or the keys: {error}")
        rows = _signed_rows(document)
        if not rows:
            raise CommandError("No signed results in this file.")
        failures = [(row.get("id"), why) for row in rows if (why := check_row(row, keys))]
        for upload_id, why in failures:
            self.stderr.write(f"upload {upload_id}: {why}")
        if failures:
            raise CommandError(f"{len(failures)} of {len(rows)} signed result(s) failed verification.")
        self.stdout.write(f"{len(rows)} signed result(s) verified.")
