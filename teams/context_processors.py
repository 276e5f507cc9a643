"""Template context shared by every page: the user's teams for the switcher."""

from django.conf import settings

from teams.selectors import teams_of


def current_team(request) -> dict:
    context = {"signup_enabled": settings.OCRSPACE_SIGNUP_ENABLED}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["my_teams"] = teams_of(user)
    return context
