"""Reads of saved searches."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from recognition.models import SavedSearch
from teams.models import Team


def searches_for(team: Team, user) -> QuerySet[SavedSearch]:
    """The user's own searches in the team and the team's shared ones."""
    return (SavedSearch.objects.filter(team=team).filter(Q(owner=user) | Q(shared=True))
            .select_related("owner").order_by("-shared", "name", "id"))
