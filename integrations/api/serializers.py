"""Serializers of the webhook endpoints."""

from __future__ import annotations

from rest_framework import serializers

from integrations.models import Delivery, Webhook, WebhookEvent
from ocrspace.api_input import StrictInput


class WebhookSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEvent.choices))

    class Meta:
        model = Webhook
        fields = ["id", "team", "url", "description", "events", "is_active", "consecutive_failures",
                  "disabled_at", "disabled_reason", "created_at", "last_success_at", "last_failure_at"]
        read_only_fields = fields


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(read_only=True, help_text="Shown only in this answer; store it now.")

    class Meta(WebhookSerializer.Meta):
        fields = WebhookSerializer.Meta.fields + ["secret"]
        read_only_fields = fields


class WebhookCreateSerializer(StrictInput):
    url = serializers.RegexField(
        r"^[hH][tT][tT][pP][sS]?://[^\s/?#@]+(?:[/?#]\S*)?$", max_length=2000,
        error_messages={"invalid": "Only http:// and https:// URLs can be webhooks."},
        help_text="http(s) URL; its host must resolve to public addresses only (else 400).",
    )
    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEvent.choices), required=False)
    secret = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                   help_text="Leave out to get a generated one.")
    description = serializers.CharField(required=False, allow_blank=True, max_length=200)


class WebhookUpdateSerializer(StrictInput):
    is_active = serializers.BooleanField()


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = ["id", "delivery_id", "event_kind", "event_id", "upload_id", "attempt", "outcome", "status_code",
                  "latency_ms", "error", "response_excerpt", "next_attempt_at", "created_at"]
        read_only_fields = fields
