"""The service standard's form (服务标准): one field per setting; saving makes the next
version (`services.service_standard_save`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tobacco_crm.retailers.choices import BusinessFormat

from .models import ServiceStandard

WEEKDAYS = [
    (0, _("周一")), (1, _("周二")), (2, _("周三")), (3, _("周四")), (4, _("周五")),
    (5, _("周六")), (6, _("周日")),
]  # fmt: skip
MINUTES_PREFIX = "minutes_"
PLAIN_FIELDS = (
    "interval_top", "interval_high_potential", "interval_stable", "interval_volatile",
    "interval_bottom", "day_visits", "day_start", "day_minutes", "default_visit_minutes",
    "speed_kmh", "sales_move_pct", "note",
)  # fmt: skip


def minutes_field(code: str) -> str:
    return f"{MINUTES_PREFIX}{code}"


class ServiceStandardForm(forms.Form):
    """The settings of a standard; `initial_from(standard)` fills it from the version in
    force, `standard_fields()` gives the keyword arguments of the service."""

    interval_top = forms.IntegerField(label=_("前 20% 拜访间隔（周）"), min_value=1, max_value=52)
    interval_high_potential = forms.IntegerField(
        label=_("发展潜力大拜访间隔（周）"), min_value=1, max_value=52
    )
    interval_stable = forms.IntegerField(label=_("平稳拜访间隔（周）"), min_value=1, max_value=52)
    interval_volatile = forms.IntegerField(label=_("易变拜访间隔（周）"), min_value=1, max_value=52)
    interval_bottom = forms.IntegerField(
        label=_("后 20% 拜访间隔（周）"), min_value=1, max_value=52,
        help_text=_("未评级的零售户也按此间隔"),
    )  # fmt: skip
    day_visits = forms.IntegerField(label=_("每天最多拜访户数"), min_value=1, max_value=100)
    day_start = forms.TimeField(label=_("出发时间"), help_text=_("例如 08:30"))
    day_minutes = forms.IntegerField(label=_("每天工作分钟"), min_value=60, max_value=1440)
    default_visit_minutes = forms.IntegerField(
        label=_("默认拜访分钟"), min_value=1, max_value=240,
        help_text=_("未列出的业态按此时长"),
    )  # fmt: skip
    speed_kmh = forms.DecimalField(
        label=_("行驶速度（公里/小时）"), min_value=1, max_value=200, max_digits=5,
        decimal_places=1,
    )  # fmt: skip
    working_days = forms.TypedMultipleChoiceField(
        label=_("工作日"), choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    sales_move_pct = forms.IntegerField(
        label=_("销量环比变动阈值（%）"), min_value=1, max_value=1000,
        help_text=_("上月订购量较前一月变动超过此比例列为重点拜访对象"),
    )  # fmt: skip
    note = forms.CharField(label=_("修订说明"), max_length=255, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, label in BusinessFormat.choices:
            self.fields[minutes_field(code)] = forms.IntegerField(
                label=_("%(format)s拜访分钟") % {"format": label}, min_value=1, max_value=240
            )

    @staticmethod
    def initial_from(standard: ServiceStandard) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(standard, name) for name in PLAIN_FIELDS}
        initial["note"] = ""
        initial["day_start"] = standard.day_start.strftime("%H:%M")
        initial["working_days"] = sorted(set(standard.working_days))
        for code, _label in BusinessFormat.choices:
            initial[minutes_field(code)] = standard.minutes_for(code)
        return initial

    def minute_fields(self) -> list[forms.BoundField]:
        return [self[minutes_field(code)] for code, _label in BusinessFormat.choices]

    def plain_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in (*PLAIN_FIELDS[:-1], "working_days", "note")]

    def standard_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {name: data[name] for name in PLAIN_FIELDS}
        fields["working_days"] = sorted(set(data["working_days"]))
        fields["visit_minutes"] = {
            code: data[minutes_field(code)] for code, _label in BusinessFormat.choices
        }
        return fields
