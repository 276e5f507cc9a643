"""Browser page for a team's webhooks (admins and owners)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from integrations import selectors, services
from ocrspace.errors.web import attempt, attempt_form
from integrations.web.forms import WebhookForm
from teams.permissions import get_team
from teams.roles import Capability

LOG_ROWS = 20


def _page(request, team, form, created=None, status: int = 200):
    hooks = selectors.list_webhooks(team, request.user)
    context = {
        "team": team,
        "form": form,
        "created": created,
        "webhooks": [(hook, selectors.deliveries(hook, request.user, LOG_ROWS)) for hook in hooks],
    }
    return render(request, "integrations/webhooks.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def webhooks(request, slug: str):
    team = get_team(request.user, slug, Capability.MANAGE_TEAM)
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created, webhook = attempt_form(form, "url", lambda: services.create_webhook(team, request.user,
                                                                                   **form.cleaned_data))
        if created:
            # Rendered, not redirected: the secret is shown this once and is
            # never put into a message cookie or the session.
            messages.success(request, _("Webhook added. Copy its secret now; it is not shown again."))
            return _page(request, team, WebhookForm(), created=webhook)
    return _page(request, team, form, status=400 if form.errors else 200)


def _webhook(request, slug: str, pk: int):
    team = get_team(request.user, slug, Capability.MANAGE_TEAM)
    return selectors.get_webhook(team, request.user, pk)


@login_required
@require_POST
def webhook_delete(request, slug: str, pk: int):
    services.delete_webhook(_webhook(request, slug, pk), request.user)
    messages.success(request, _("Webhook deleted."))
    return redirect("webhooks", slug=slug)


@login_required
@require_POST
def webhook_ping(request, slug: str, pk: int):
    webhook = _webhook(request, slug, pk)
    attempt(request, lambda: services.send_ping(webhook, request.user), _("Test ping queued; reload to see its delivery."))
    return redirect("webhooks", slug=slug)


@login_required
@require_POST
def webhook_active(request, slug: str, pk: int):
    active = request.POST.get("active") == "1"
    webhook = _webhook(request, slug, pk)
    attempt(request, lambda: services.set_active(webhook, request.user, active),
            _("Webhook enabled.") if active else _("Webhook disabled."))
    return redirect("webhooks", slug=slug)
