"""Reads of team vocabularies (pages, API, export and the OCR worker)."""
from __future__ import annotations

from recognition.models import VocabularyTerm, VocabularyVersion
from recognition.vocabulary import csvio
from teams.models import Team


def terms_of(team: Team):
    """The team's terms, alphabetically."""
    return VocabularyTerm.objects.filter(team=team).select_related("created_by")


def version_of(team_id: int) -> int:
    """The version of the team's vocabulary; 0 while it was never changed."""
    return VocabularyVersion.objects.filter(team_id=team_id).values_list("version", flat=True).first() or 0


def term_texts(team_id: int) -> list[str]:
    return list(VocabularyTerm.objects.filter(team_id=team_id).values_list("term", flat=True))


def export_csv(team: Team) -> str:
    return csvio.write(list(terms_of(team).values_list("term", "note")))
