"""Pages of two-factor sign-in: set up (QR code, confirm, recovery codes
once), enter a code after the password, switch it off."""

from __future__ import annotations

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from teams import twofactor


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=20,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                         "autofocus": True}))


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/"


@login_required
@require_http_methods(["GET", "POST"])
def setup(request):
    if twofactor.has_two_factor(request.user) and request.method == "GET":
        return render(request, "teams/twofactor_status.html", {
            "codes_left": twofactor.recovery_codes_left(request.user), "form": CodeForm(),
            "required": twofactor.required_for(request.user),
        })
    device = twofactor.pending_setup(request.user) or twofactor.start_setup(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = twofactor.confirm_setup(request, device, form.cleaned_data["code"])
        except twofactor.TwoFactorError as error:
            form.add_error("code", str(error))
        else:
            return render(request, "teams/twofactor_codes.html", {"codes": codes, "next": _next_url(request)})
    qr = segno.make(device.config_url, error="m")
    context = {"form": form, "qr_svg": qr.svg_inline(scale=4), "key": device.config_url.split("secret=")[1].split("&")[0],
               "next": _next_url(request)}
    return render(request, "teams/twofactor_setup.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    if not twofactor.has_two_factor(request.user):
        return redirect("2fa-setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            twofactor.verify_session(request, form.cleaned_data["code"])
        except twofactor.TwoFactorError as error:
            form.add_error("code", str(error))
        else:
            return redirect(_next_url(request))
    return render(request, "teams/twofactor_verify.html", {"form": form, "next": _next_url(request)},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def disable(request):
    form = CodeForm(request.POST)
    try:
        twofactor.disable(request.user, form.data.get("code", ""))
    except twofactor.TwoFactorError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Two-factor sign-in is off."))
    return redirect("2fa-setup")
