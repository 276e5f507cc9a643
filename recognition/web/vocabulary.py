"""Browser page of a team's vocabulary: every member reads it, admins and
owners add, remove, import and export terms."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from recognition.vocabulary import csvio, selectors, services
from teams.permissions import can, get_team
from teams.roles import Capability


class TermForm(forms.Form):
    term = forms.CharField(label=gettext_lazy("Term"), max_length=200)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=400, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV file"))
    replace = forms.BooleanField(label=gettext_lazy("Replace the whole list"), required=False)


def _page(request, team, form=None, import_form=None, row_errors=None, status: int = 200):
    context = {
        "team": team,
        "terms": selectors.terms_of(team),
        "may_edit": can(request.user, team, Capability.MANAGE_TEAM),
        "form": form or TermForm(),
        "import_form": import_form or ImportForm(),
        "row_errors": row_errors or [],
        "max_terms": csvio.MAX_TERMS,
    }
    return render(request, "recognition/vocabulary.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def vocabulary(request, slug: str):
    if request.method == "GET":
        return _page(request, get_team(request.user, slug))
    team = get_team(request.user, slug, Capability.MANAGE_TEAM)
    form = TermForm(request.POST)
    if form.is_valid():
        try:
            services.add_term(team, request.user, form.cleaned_data["term"], form.cleaned_data["note"])
        except services.VocabularyRefused as error:
            form.add_error("term", str(error))
        else:
            messages.success(request, _("Term added."))
            return redirect("team-vocabulary", slug=team.slug)
    return _page(request, team, form=form, status=400)


@login_required
@require_POST
def term_delete(request, slug: str, pk: int):
    team = get_team(request.user, slug, Capability.MANAGE_TEAM)
    services.delete_term(team, request.user, pk)
    messages.success(request, _("Term removed."))
    return redirect("team-vocabulary", slug=team.slug)


@login_required
@require_POST
def vocabulary_import(request, slug: str):
    team = get_team(request.user, slug, Capability.MANAGE_TEAM)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, team, import_form=form, status=400)
    upload = form.cleaned_data["file"]
    try:
        if upload.size > csvio.MAX_CSV_BYTES:
            raise services.VocabularyRefused(_("The file is larger than %(kb)d KB.") % {"kb": csvio.MAX_CSV_BYTES // 1024})
        report = services.import_csv(team, request.user, upload.read(), form.cleaned_data["replace"])
    except services.VocabularyRefused as error:
        form.add_error("file", str(error))
        return _page(request, team, import_form=form, row_errors=error.errors, status=400)
    messages.success(request, _("Imported: %(added)d added, %(updated)d updated, %(removed)d removed.") % report.as_dict())
    return redirect("team-vocabulary", slug=team.slug)


@login_required
@require_GET
def vocabulary_export(request, slug: str):
    team = get_team(request.user, slug)
    response = HttpResponse(selectors.export_csv(team), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="vocabulary-{team.slug}.csv"'
    return response
