"""Events catch-up for clients without websockets (polling the outbox)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from recognition import selectors
from recognition.api.common import resolve_team
from recognition.api.serializers import EventPageSerializer, EventQuerySerializer
from ocrspace.errors.schema import responses
from recognition.events import event_message


@extend_schema(
    summary="Team events after an id",
    description=(
        "The same events the live feed pushes, read from the outbox in id order. Start with `after=0` (or the "
        "last id you saw), then pass `last_id` back as `after`. When `more` is true, ask again at once. "
        "Old events are removed with the team's retention."
    ),
    parameters=[EventQuerySerializer],
    responses={200: EventPageSerializer, **responses()},
)
class TeamEvents(APIView):
    def get(self, request: Request, slug: str) -> Response:
        query = EventQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        team = resolve_team(request, slug)
        after, limit = query.validated_data["after"], query.validated_data["limit"]
        rows = selectors.events_after(after, limit + 1, team.pk)
        more = len(rows) > limit
        rows = rows[:limit]
        return Response({
            "events": [event_message(e) for e in rows],
            "last_id": rows[-1].pk if rows else after,
            "more": more,
        })
