"""Forms of the field side of grading: validation of input only; writes go through services."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tobacco_crm.engines.grading import DeductionItem
from tobacco_crm.retailers.models import Retailer

from .models import GradingPeriod

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DECIMAL_INPUT = {"inputmode": "decimal", "step": "0.1", "min": "0", "max": "100"}


def item_choice_label(item: DeductionItem) -> str:
    label = _("%(label)s（%(points)s 分）") % {
        "label": item.label,
        "points": f"{item.default_points:g}",
    }
    if item.stops_supply:
        label += _("，停货")
    return label


class PeriodChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.start_date:%m-%d} – {obj.end_date:%m-%d}）"


class DeductionForm(forms.Form):
    """A deduction on a phone. `periods` are offered (the open ones); any period is accepted so
    that one locked meanwhile gets the service's clear refusal, not "invalid choice"."""

    period = PeriodChoiceField(label=_("评定周期"), queryset=GradingPeriod.objects.none())
    item_code = forms.ChoiceField(label=_("扣分项目"))
    points = forms.DecimalField(
        label=_("扣分"),
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=4,
        decimal_places=1,
        help_text=_("留空按项目默认分值"),
        widget=forms.NumberInput(attrs=DECIMAL_INPUT),
    )
    reason = forms.CharField(
        label=_("扣分原因"),
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    explained = forms.BooleanField(label=_("已向零售户说明"), required=False)
    occurred_on = forms.DateField(label=_("检查日期"), widget=DATE_INPUT)

    def __init__(
        self,
        *args: Any,
        periods: QuerySet[GradingPeriod],
        items: Sequence[DeductionItem],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        period_field = self.fields["period"]
        assert isinstance(period_field, PeriodChoiceField)
        period_field.queryset = GradingPeriod.objects.all()
        period_field.widget.choices = [  # type: ignore[attr-defined]
            (p.pk, period_field.label_from_instance(p)) for p in periods
        ]
        item_field = self.fields["item_code"]
        assert isinstance(item_field, forms.ChoiceField)
        item_field.choices = [("", "---------"), *((i.code, item_choice_label(i)) for i in items)]
        self.items = {item.code: item for item in items}

    def clean_occurred_on(self) -> Any:
        day = self.cleaned_data["occurred_on"]
        if day > timezone.localdate():
            raise ValidationError(_("检查日期不能晚于今天。"))
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        period, day = data.get("period"), data.get("occurred_on")
        if (
            period is not None
            and day is not None
            and not (period.start_date <= day <= period.end_date)
        ):
            self.add_error("occurred_on", _("检查日期不在所选评定周期内。"))
        if not (data.get("reason") or "").strip():
            self.add_error("reason", _("请填写扣分原因。"))
        return data


class DeductionCorrectForm(forms.Form):
    points = forms.DecimalField(
        label=_("更正后扣分"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=4,
        decimal_places=1,
        help_text=_("填 0 即撤销这条扣分"),
        widget=forms.NumberInput(attrs=DECIMAL_INPUT),
    )
    reason = forms.CharField(
        label=_("更正原因"), max_length=255, widget=forms.Textarea(attrs={"rows": 2})
    )
    cleared = forms.BooleanField(
        label=_("已处理完毕（停货类违规经专卖部门处理后恢复供货）"), required=False
    )


class AppealForm(forms.Form):
    reason = forms.CharField(label=_("复核理由"), widget=forms.Textarea(attrs={"rows": 4}))
    requested_tier = forms.IntegerField(
        label=_("申请档位"),
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, tier_count: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["requested_tier"]
        assert isinstance(field, forms.IntegerField)
        # The tier count is the grade's policy's, known only now.
        field.max_value = tier_count
        field.validators.append(MaxValueValidator(tier_count))
        field.widget.attrs["max"] = str(tier_count)
        field.help_text = _("第 %(n)s 档最高，可不填") % {"n": tier_count}


class IndicatorGridForm(forms.Form):
    """One number input per retailer and manual indicator: field ``r<retailer id>__<key>``.
    A blank cell leaves the stored value as it is (the services don't delete entries)."""

    def __init__(
        self,
        *args: Any,
        retailers: Iterable[Retailer],
        keys: Sequence[dict[str, Any]],
        values: dict[tuple[int, str], float],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.rows: list[tuple[Retailer, list[forms.BoundField]]] = []
        self.keys = keys
        self.values = values
        for retailer in retailers:
            cells = []
            for key in keys:
                name = self.field_name(retailer.pk, key["key"])
                self.fields[name] = forms.FloatField(
                    label=f"{retailer.shop_name} {key['label']}",
                    required=False,
                    min_value=0,
                    max_value=key.get("max"),
                    initial=values.get((retailer.pk, key["key"])),
                    widget=forms.NumberInput(
                        attrs={"inputmode": "decimal", "step": "any", "class": "cell"}
                    ),
                )
                cells.append(self[name])
            self.rows.append((retailer, cells))

    @staticmethod
    def field_name(retailer_id: int, key: str) -> str:
        return f"r{retailer_id}__{key}"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, value in data.items():
            if value is not None and not math.isfinite(value):
                self.add_error(name, _("请输入有效的数字。"))
        return data

    def changed_cells(self) -> list[tuple[int, str, float]]:
        """(retailer id, key, value) of the filled cells whose value differs from the stored one."""
        out = []
        for name, value in self.cleaned_data.items():
            if value is None:
                continue
            rid, key = name[1:].split("__", 1)
            if self.values.get((int(rid), key)) != value:
                out.append((int(rid), key, float(value)))
        return out
