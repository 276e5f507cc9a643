from django import forms
from django.utils.translation import gettext_lazy as _

from integrations.models import WebhookEvent


class WebhookForm(forms.Form):
    url = forms.CharField(label=_("Payload URL"), max_length=2000,
                          widget=forms.URLInput(attrs={"placeholder": "https://example.com/hooks/ocrspace"}))
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=WebhookEvent.choices, initial=WebhookEvent.values,
        widget=forms.CheckboxSelectMultiple,
    )
    secret = forms.CharField(
        label=_("Secret"), max_length=200, required=False, widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to have one generated."),
    )
