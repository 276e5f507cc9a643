"""Make a new key for signing results; the old one is retired but stays
published at /.well-known/jwks.json, so what it signed stays verifiable."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from recognition import signatures


class Command(BaseCommand):
    help = "Start signing results with a new key (old signatures stay verifiable)."

    def handle(self, *args, **options) -> None:
        key = signatures.create_key()
        self.stdout.write(key.kid)
