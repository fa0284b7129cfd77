"""Forms of customer service: validation of input only; writes go through services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MessageTemplate


class GreetingForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("模板"),
        queryset=MessageTemplate.objects.all(),
        required=False,
        to_field_name="code",
    )
    label = forms.CharField(label=_("事由"), max_length=64, required=False)
    text = forms.CharField(label=_("短信内容"), widget=forms.Textarea(attrs={"rows": 4}))
