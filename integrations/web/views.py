"""Browser page for a team's webhooks (admins and owners)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from integrations import services
from integrations.web.forms import WebhookForm
from teams.permissions import get_team
from teams.roles import Capability

LOG_ROWS = 20


def _page(request, team, form, created=None, status: int = 200):
    hooks = services.list_webhooks(team, request.user)
    context = {
        "team": team,
        "form": form,
        "created": created,
        "webhooks": [(hook, services.deliveries(hook, request.user, LOG_ROWS)) for hook in hooks],
    }
    return render(request, "integrations/webhooks.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def webhooks(request, slug: str):
    team = get_team(request.user, slug, Capability.MANAGE_TEAM)
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            webhook = services.create_webhook(team, request.user, **form.cleaned_data)
        except services.WebhookError as error:
            form.add_error("url", str(error))
        else:
            # Rendered, not redirected: the secret is shown this once and is
            # never put into a message cookie or the session.
            messages.success(request, _("Webhook added. Copy its secret now; it is not shown again."))
            return _page(request, team, WebhookForm(), created=webhook)
    return _page(request, team, form, status=400 if form.errors else 200)


def _webhook(request, slug: str, pk: int):
    team = get_team(request.user, slug, Capability.MANAGE_TEAM)
    return services.get_webhook(team, request.user, pk)


@login_required
@require_POST
def webhook_delete(request, slug: str, pk: int):
    services.delete_webhook(_webhook(request, slug, pk), request.user)
    messages.success(request, _("Webhook deleted."))
    return redirect("webhooks", slug=slug)


@login_required
@require_POST
def webhook_ping(request, slug: str, pk: int):
    try:
        services.send_ping(_webhook(request, slug, pk), request.user)
    except services.WebhookError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Test ping queued; reload to see its delivery."))
    return redirect("webhooks", slug=slug)


@login_required
@require_POST
def webhook_active(request, slug: str, pk: int):
    active = request.POST.get("active") == "1"
    try:
        services.set_active(_webhook(request, slug, pk), request.user, active)
    except services.WebhookError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Webhook enabled.") if active else _("Webhook disabled."))
    return redirect("webhooks", slug=slug)
