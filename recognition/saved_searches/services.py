"""Saving and deleting searches.

Every member (viewers too) keeps searches of their own; admins and owners
may share one with the whole team. The filter is stored as its canonical
query string, checked by ``recognition.filters.parse`` first, so a saved
search always opens the same list the page showed.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from ocrspace.errors import DomainError, Forbidden, NotFound
from recognition import filters
from recognition.models import SavedSearch
from teams.models import Team
from teams.permissions import can, require
from teams.roles import Capability

MAX_PER_USER = 100
NAME_LENGTH = 80


class SavedSearchRefused(DomainError):
    code = "saved_search_refused"


def save_search(team: Team, user, name: str, query, shared: bool = False) -> SavedSearch:
    """``query``: a query string or a mapping of filter parameters."""
    require(user, team, Capability.VIEW)
    if shared:
        require(user, team, Capability.MANAGE_TEAM)
    name = " ".join(str(name or "").split())
    if not name or len(name) > NAME_LENGTH or not name.isprintable():
        raise SavedSearchRefused(_("Give the search a name of 1 to %(limit)s characters.") % {"limit": NAME_LENGTH})
    try:
        canonical = filters.parse(query, form=isinstance(query, str)).to_query()
    except filters.FilterError as error:
        raise SavedSearchRefused(error.message, errors=error.errors) from error
    if not canonical:
        raise SavedSearchRefused(_("Choose at least one filter before saving the search."))
    if len(canonical) > SavedSearch._meta.get_field("query").max_length:
        raise SavedSearchRefused(_("The filter is too long to save."))
    if SavedSearch.objects.filter(team=team, owner=user).count() >= MAX_PER_USER:
        raise SavedSearchRefused(_("You have %(limit)s saved searches in this team; delete one first.")
                                 % {"limit": MAX_PER_USER})
    return SavedSearch.objects.create(team=team, owner=user, name=name, query=canonical, shared=shared)


def delete_search(team: Team, user, pk: int) -> None:
    """Your own searches; admins also delete shared ones."""
    require(user, team, Capability.VIEW)
    saved = SavedSearch.objects.filter(team=team, pk=pk).first()
    visible = saved is not None and (saved.owner_id == user.pk or saved.shared)
    if not visible:
        raise NotFound(_("No such saved search."))
    if saved.owner_id != user.pk and not can(user, team, Capability.MANAGE_TEAM):
        raise Forbidden(_("Only its owner or a team admin can delete a shared search."))
    saved.delete()
