"""Forms of follow-up: validation of input only; writes go through services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .choices import INTEL_CATEGORIES, NeedCategory, NeedChannel, NeedKind

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class NeedForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=NeedKind.choices)
    category = forms.ChoiceField(label=_("类别"), choices=NeedCategory.choices)
    description = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 4}))
    channel = forms.ChoiceField(label=_("来源渠道"), choices=NeedChannel.choices)
    due_date = forms.DateField(
        label=_("办结期限"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("留空按类型默认：诉求 7 天，投诉 3 天，市场信息 2 天"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, category = data.get("kind"), data.get("category")
        if kind and category and (kind == NeedKind.MARKET_INTEL) != (category in INTEL_CATEGORIES):
            self.add_error("category", _("类别与类型不符。"))
        return data


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj}（{obj.get_role_display()}）"


class AssignForm(forms.Form):
    owner = OwnerChoiceField(label=_("负责人"), queryset=None)
    due_date = forms.DateField(
        label=_("办结期限"), required=False, widget=DATE_INPUT, help_text=_("留空不变")
    )

    def __init__(self, *args: Any, candidates: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = candidates


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("处理结果"), widget=forms.Textarea(attrs={"rows": 3}))


class FeedBackForm(forms.Form):
    feedback = forms.CharField(
        label=_("反馈零售户的答复"), widget=forms.Textarea(attrs={"rows": 3})
    )
