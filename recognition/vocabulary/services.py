"""Changes to a team's vocabulary: team admins and owners only.

Every change bumps the team's vocabulary version in the same transaction,
so a worker never decodes with a list older than the last change it could
have seen.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from recognition.models import VocabularyTerm, VocabularyVersion
from recognition.vocabulary import csvio
from recognition.vocabulary.csvio import RowError, TermError
from teams.models import Team
from teams.permissions import require
from teams.roles import Capability


class VocabularyRefused(ValueError):
    """A change that breaks a rule (message for the user); ``errors`` per CSV row."""

    def __init__(self, message: str, errors: list[RowError] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def _bump(team: Team) -> None:
    row, _ = VocabularyVersion.objects.get_or_create(team=team)
    VocabularyVersion.objects.filter(pk=row.pk).update(version=F("version") + 1, updated_at=timezone.now())


def _room_for(team: Team, more: int) -> None:
    if VocabularyTerm.objects.filter(team=team).count() + more > csvio.MAX_TERMS:
        raise VocabularyRefused(f"A vocabulary holds at most {csvio.MAX_TERMS} terms.")


def add_term(team: Team, user, term: str, note: str = "") -> VocabularyTerm:
    require(user, team, Capability.MANAGE_TEAM)
    try:
        term, note = csvio.clean_term(term), csvio.clean_note(note)
    except TermError as error:
        raise VocabularyRefused(f"The term {error}." if not str(error).startswith("note") else f"The {error}.")
    with transaction.atomic():
        if VocabularyTerm.objects.filter(team=team, term__iexact=term).exists():
            raise VocabularyRefused(f"“{term}” is already in the vocabulary.")
        _room_for(team, 1)
        try:
            with transaction.atomic():
                row = VocabularyTerm.objects.create(team=team, term=term, note=note, created_by=user)
        except IntegrityError:  # the same term added at the same moment
            raise VocabularyRefused(f"“{term}” is already in the vocabulary.")
        _bump(team)
    return row


def get_term(team: Team, term_id: int) -> VocabularyTerm:
    """A term of ``team``; 404 for any other id (another team's terms included)."""
    row = VocabularyTerm.objects.filter(team=team, pk=term_id).first()
    if row is None:
        raise Http404("No such term.")
    return row


def delete_term(team: Team, user, term_id: int) -> None:
    require(user, team, Capability.MANAGE_TEAM)
    with transaction.atomic():
        get_term(team, term_id).delete()
        _bump(team)


def import_csv(team: Team, user, data: bytes, replace: bool = False) -> ImportReport:
    """Add the file's terms (update their notes); with ``replace`` also
    remove the terms the file does not list. Nothing is saved when any row
    is bad: ``VocabularyRefused`` carries every row's error."""
    require(user, team, Capability.MANAGE_TEAM)
    try:
        rows, errors = csvio.parse(data)
    except TermError as error:
        raise VocabularyRefused(str(error))
    if errors:
        raise VocabularyRefused(
            f"{len(errors)} row(s) of the file are not valid; nothing was imported.", errors)
    report = ImportReport()
    with transaction.atomic():
        existing = {t.term.casefold(): t for t in VocabularyTerm.objects.select_for_update().filter(team=team)}
        wanted = {row.term.casefold() for row in rows}
        if replace:
            gone = [t.pk for key, t in existing.items() if key not in wanted]
            report.removed = len(gone)
            VocabularyTerm.objects.filter(pk__in=gone).delete()
            existing = {k: t for k, t in existing.items() if k in wanted}
        new = [row for row in rows if row.term.casefold() not in existing]
        if len(existing) + len(new) > csvio.MAX_TERMS:
            raise VocabularyRefused(f"A vocabulary holds at most {csvio.MAX_TERMS} terms; the file would make it "
                                    f"{len(existing) + len(new)}.")
        for row in rows:
            current = existing.get(row.term.casefold())
            if current is None:
                continue
            if row.note and row.note != current.note:
                current.note = row.note
                current.save(update_fields=["note"])
                report.updated += 1
            else:
                report.unchanged += 1
        VocabularyTerm.objects.bulk_create(
            [VocabularyTerm(team=team, term=row.term, note=row.note, created_by=user) for row in new])
        report.added = len(new)
        if report.added or report.updated or report.removed:
            _bump(team)
    return report
