"""``/api/uploads/<id>/region/``: read one rectangle of an upload's image
again, as a quick read (202 and a task to poll) or as a new upload (201)."""

from __future__ import annotations

import re

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from ocrspace.api_input import StrictInput
from ocrspace.errors import NotFound
from ocrspace.errors.schema import responses
from recognition import regions, selectors
from recognition.api.serializers import UploadSerializer
from recognition.regions import Region
from teams.permissions import require
from teams.roles import Capability

TASK_ID = re.compile(r"^[0-9a-f]{32}$")
ERRORS = responses("region_invalid", "region_not_ready", "unknown_profile", "storage_unavailable")


class RegionSerializer(StrictInput):
    x = serializers.IntegerField(min_value=0, max_value=100_000, help_text="Left edge, image pixels.")
    y = serializers.IntegerField(min_value=0, max_value=100_000, help_text="Top edge, image pixels.")
    width = serializers.IntegerField(min_value=1, max_value=100_000)
    height = serializers.IntegerField(min_value=1, max_value=100_000)
    save = serializers.BooleanField(default=False, help_text="Keep the region as a new upload of the team "
                                                             "(201) instead of a quick read (202).")
    profile = serializers.CharField(required=False, max_length=20, help_text="Engine profile; default: the upload's.")


class RegionLineSerializer(serializers.Serializer):
    text = serializers.CharField()
    confidence = serializers.FloatField()
    box = serializers.ListField(child=serializers.ListField(child=serializers.IntegerField()),
                                help_text="Corners in the whole image's pixels.")


class RegionReadingSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="pending, done or failed.")
    poll = serializers.CharField(required=False, help_text="Where to ask again while pending.")
    text = serializers.CharField(required=False)
    confidence = serializers.FloatField(required=False)
    lines = RegionLineSerializer(many=True, required=False)
    region = serializers.ListField(child=serializers.IntegerField(), required=False, help_text="x, y, width, height")
    profile = serializers.CharField(required=False)
    error = serializers.CharField(required=False)


class _UploadView(generics.GenericAPIView):
    def get_queryset(self):
        return selectors.visible_uploads(self.request.user)


@extend_schema(
    summary="Read a region of the image again",
    request=RegionSerializer,
    responses={202: RegionReadingSerializer, 201: UploadSerializer, 200: UploadSerializer, **ERRORS},
)
class UploadRegion(_UploadView):
    serializer_class = RegionSerializer

    def post(self, request: Request, pk: int) -> Response:
        options = RegionSerializer(data=request.data)
        options.is_valid(raise_exception=True)
        data = options.validated_data
        upload = self.get_object()
        region = Region(data["x"], data["y"], data["width"], data["height"])
        if data["save"]:
            outcome = regions.save_as_upload(upload, request.user, region, data.get("profile"))
            return Response(UploadSerializer(outcome.upload, context={"request": request}).data,
                            status=status.HTTP_201_CREATED if outcome.created else status.HTTP_200_OK)
        task = regions.queue_read(upload, request.user, region, data.get("profile"))
        return Response({"status": "pending", "poll": _poll_url(request, pk, task)}, status=status.HTTP_202_ACCEPTED)


@extend_schema(summary="The answer of a quick region read",
               responses={200: RegionReadingSerializer, 202: OpenApiResponse(RegionReadingSerializer), **responses()})
class UploadRegionReading(_UploadView):
    serializer_class = RegionReadingSerializer

    def get(self, request: Request, pk: int, task: str) -> Response:
        upload = self.get_object()
        require(request.user, upload.team, Capability.UPLOAD)
        if not TASK_ID.match(task):
            raise NotFound("No such region read.")
        answer = regions.reading(upload, task)
        if answer is None:
            return Response({"status": "pending", "poll": _poll_url(request, pk, task)}, status=status.HTTP_202_ACCEPTED)
        return Response(answer)


def _poll_url(request: Request, pk: int, task: str) -> str:
    from django.urls import reverse

    return reverse("api-upload-region-reading", args=[pk, task])
