"""Sign-up and the login page; logout and password change are Django's own views."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.views import LoginView
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from teams.sign_on import providers
from teams.web.forms import SignInForm, SignupForm


class SignInView(LoginView):
    """Django's login view: the password form (local accounts, LDAP) and a
    "Sign in with <name>" button per OpenID Connect provider. With local
    passwords switched off and no directory, the form is folded away behind
    the break-glass link for administrators."""

    form_class = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["oidc_providers"] = providers.oidc_providers()
        context["password_form_open"] = (providers.password_form_shown() or self.request.method == "POST"
                                         or self.request.GET.get("password") == "1")
        context["local_login"] = settings.OCRSPACE_LOCAL_LOGIN
        return context


@require_http_methods(["GET", "POST"])
def signup(request):
    if not settings.OCRSPACE_SIGNUP_ENABLED:
        raise Http404("Sign-up is switched off on this server.")
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="teams.sign_on.backends.LocalPasswordBackend")
        next_url = request.POST.get("next", "")
        if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
            return redirect(next_url)
        return redirect("home")
    return render(request, "registration/signup.html", {"form": form, "next": request.GET.get("next", "")})
