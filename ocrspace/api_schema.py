"""OpenAPI pieces every app's API documents its answers with."""

from __future__ import annotations

from rest_framework import serializers


class MessageSerializer(serializers.Serializer):
    """The body of an error answer (and of a few plain confirmations)."""

    detail = serializers.CharField()
