from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from . import adapters


class ProposeForm(forms.Form):
    k = forms.IntegerField(label=_("片区数"), min_value=1)
    minutes_per_visit = forms.FloatField(
        label=_("每次拜访分钟数"), min_value=1, max_value=240, initial=adapters.MINUTES_PER_VISIT
    )
    tolerance_pct = forms.FloatField(label=_("工作量容差 %"), min_value=0, max_value=50, initial=5)
    seed = forms.IntegerField(label=_("随机种子"), min_value=0, initial=0)

    def __init__(self, *args: Any, max_k: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_k = max_k
        self.fields["k"].initial = max_k
        self.fields["k"].widget.attrs["max"] = str(max_k)

    def clean_k(self) -> int:
        k = int(self.cleaned_data["k"])
        if k > self.max_k:
            raise forms.ValidationError(_("片区数不能超过现有片区数 %(n)d。") % {"n": self.max_k})
        return k
