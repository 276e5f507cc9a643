"""Browser page of a team's fine-tuned recognizers: every member sees the
runs and their figures; admins and owners start a run and choose which
adopted model the team reads with."""
from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ocrspace.errors import Invalid, NotFound
from ocrspace.errors.web import attempt
from recognition.models import TeamModel
from recognition.teaching import selectors, services
from teams.models import Team
from teams.permissions import can, get_team
from teams.roles import Capability

# How often the page asks for the progress of a run (the script reads it
# from the page, so the figure lives in one place).
POLL_SECONDS = 5


def progress_of(model: TeamModel | None) -> dict | None:
    """What the page's script needs to redraw a run: plain JSON, no HTML,
    so the script writes it into the page with textContent only."""
    if model is None:
        return None
    return {"number": model.number, "status": model.status, "status_label": str(model.get_status_display()),
            "progress": list(model.progress or [])}


def _percent(value) -> str:
    return f"{value:.2%}" if isinstance(value, (int, float)) else "–"


def figures(model: TeamModel) -> dict:
    """A run's metrics as the page shows them: CERs in percent (they are
    stored as fractions), line counts by kind; absent figures as a dash."""
    metrics = model.metrics or {}
    return {
        "validation": (_percent(metrics.get("base_validation_cer")), _percent(metrics.get("tuned_validation_cer"))),
        "general": (_percent(metrics.get("base_general_cer")), _percent(metrics.get("tuned_general_cer"))),
        "lines": sorted((metrics.get("lines") or {}).items()),
        "seconds": metrics.get("seconds"),
        "best_epoch": metrics.get("best_epoch"),
        "stopped": metrics.get("stopped") or "",
        "any": bool(metrics),
    }


def _page(request: HttpRequest, team: Team, status: int = 200) -> HttpResponse:
    models = list(selectors.models_of(team).select_related("requested_by"))
    for model in models:
        model.figures = figures(model)
    context = {
        "team": team,
        "models": models,
        "running": next((m for m in models if m.status in selectors.RUNNING), None),
        "active": next((m for m in models if m.active), None),
        "may_manage": can(request.user, team, Capability.MANAGE_TEAM),
        "poll_seconds": POLL_SECONDS,
    }
    return render(request, "recognition/team_models.html", context, status=status)


@login_required
@require_GET
def models_page(request: HttpRequest, slug: str) -> HttpResponse:
    return _page(request, get_team(request.user, slug))


@login_required
@require_GET
def models_progress(request: HttpRequest, slug: str) -> JsonResponse:
    team = get_team(request.user, slug)
    return JsonResponse({"running": progress_of(selectors.running(team))})


def _admins_act(view):
    """A POST view that acts on a team: login required, and viewers and
    members get the page itself with the reason (403) instead of the action,
    while outsiders still get the plain 404 of ``get_team``. The view is
    called with the team instead of its slug."""

    @login_required
    @require_POST
    @wraps(view)
    def wrapper(request: HttpRequest, slug: str) -> HttpResponse:
        team = get_team(request.user, slug)
        if not can(request.user, team, Capability.MANAGE_TEAM):
            messages.error(request, _("Only the team's admins and owners can train the recognizer or choose its model."))
            return _page(request, team, status=403)
        return view(request, team)

    return wrapper


@_admins_act
def train(request: HttpRequest, team: Team) -> HttpResponse:
    attempt(request, lambda: services.request_training(team, request.user),
            success=_("The recognizer will be trained; this page shows the run's progress."))
    return redirect("team-models", slug=team.slug)


def _activate(team: Team, request: HttpRequest, number: int | None) -> TeamModel | None:
    # An unknown number is a message on the page, not a 404 page: the team
    # exists and the requester may manage it.
    try:
        return services.activate(team, request.user, number)
    except NotFound as error:
        raise Invalid(error.message) from error


@_admins_act
def activate(request: HttpRequest, team: Team) -> HttpResponse:
    raw = request.POST.get("number", "").strip()
    if raw and not raw.isdigit():
        messages.error(request, _("Choose a model by its number."))
        return redirect("team-models", slug=team.slug)
    number = int(raw) if raw else None
    ok, target = attempt(request, lambda: _activate(team, request, number))
    if ok:
        if target is None:
            messages.success(request, _("The team reads with the profile's own recognizer again."))
        else:
            messages.success(request, _("The team now reads with model %(number)d.") % {"number": target.number})
    return redirect("team-models", slug=team.slug)
