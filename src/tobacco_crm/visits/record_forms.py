"""Forms of the visit screens on a phone: check-in, the checklist, not in, a need, and an
archive correction."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tobacco_crm.needs.choices import NeedCategory, NeedKind
from tobacco_crm.retailers.models import Retailer

from .choices import InfoGiven, PriceTags


class CheckInForm(forms.Form):
    lat = forms.FloatField(min_value=-90, max_value=90)
    lon = forms.FloatField(min_value=-180, max_value=180)
    accuracy = forms.FloatField(min_value=0, required=False)


def _lines(text: str) -> list[list[str]]:
    rows = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.replace("，", ",").split(",")]
        if any(parts):
            rows.append(parts)
    return rows


def _int(value: str) -> int:
    try:
        number = int(value or 0)
    except ValueError as exc:
        raise ValidationError(_("请填写整数。")) from exc
    if number < 0:
        raise ValidationError(_("不能为负数。"))
    return number


class ChecklistForm(forms.Form):
    board_business_card = forms.BooleanField(label=_("服务牌：名片"), required=False)
    board_complaint_card = forms.BooleanField(label=_("服务牌：投诉卡"), required=False)
    board_monthly_info = forms.BooleanField(label=_("服务牌：月度信息"), required=False)
    price_tags = forms.ChoiceField(
        label=_("价签"), choices=[("", "—"), *PriceTags.choices], required=False
    )
    e_settlement_reminded = forms.BooleanField(label=_("已提醒电子结算"), required=False)
    brands_displayed = forms.BooleanField(label=_("培育品牌上柜（至少两包陈列）"), required=False)
    stock = forms.CharField(
        label=_("各品牌库存"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行：品牌,库存（条）,断货天数"),
    )
    prices = forms.CharField(
        label=_("实际零售价"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行：品牌,每包价格（元）"),
    )
    opinions = forms.CharField(
        label=_("对订货和货源的意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    info_given = forms.MultipleChoiceField(
        label=_("传递的信息"),
        choices=InfoGiven.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_stock(self) -> list[dict[str, Any]]:
        rows = []
        for parts in _lines(self.cleaned_data["stock"]):
            parts += ["", ""]
            rows.append(
                {"brand": parts[0], "stock": _int(parts[1]), "stockout_days": _int(parts[2])}
            )
        return rows

    def clean_prices(self) -> list[dict[str, Any]]:
        rows = []
        for parts in _lines(self.cleaned_data["prices"]):
            try:
                price = Decimal(parts[1] if len(parts) > 1 else "")
            except InvalidOperation as exc:
                raise ValidationError(_("价格格式不正确。")) from exc
            rows.append({"brand": parts[0], "price": str(price)})
        return rows


def checklist_initial(record: Any) -> dict[str, Any]:
    initial = {name: getattr(record, name) for name in ChecklistForm.base_fields}
    initial["stock"] = "\n".join(
        f"{r['brand']},{r['stock']},{r['stockout_days']}" for r in record.stock
    )
    initial["prices"] = "\n".join(f"{r['brand']},{r['price']}" for r in record.prices)
    return initial


class NotInForm(forms.Form):
    call_note = forms.CharField(label=_("电话联系情况"), widget=forms.Textarea(attrs={"rows": 2}))


class VisitNeedForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=NeedKind.choices)
    category = forms.ChoiceField(label=_("类别"), choices=NeedCategory.choices)
    description = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 3}))


class ArchiveForm(forms.ModelForm):
    class Meta:
        model = Retailer
        fields = ["phone", "owner_name", "business_format", "business_district"]
