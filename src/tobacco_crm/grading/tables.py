"""Tables of grading (django-tables2): a run's grades, with the tier in force after appeals."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tobacco_crm.core.masking import license_no_for

from .models import RetailerGrade

HIDE_PHONE = {"td": {"class": "hide-phone"}, "th": {"class": "hide-phone"}}
NUMBER = {"td": {"class": "num"}, "th": {"class": "num"}}
NUMBER_HIDE_PHONE = {"td": {"class": "num hide-phone"}, "th": {"class": "num hide-phone"}}


def stars_text(stars: int, super_five: bool) -> str:
    if super_five:
        return _("超五星")
    return "★" * stars if stars else "—"


class RetailerGradeTable(tables.Table):
    """A run's grades. Expects the rows of `grade_list` (annotated `adjusted_tier` and
    `effective_tier`, retailer and territory joined)."""

    retailer = tables.Column(
        verbose_name=gettext_lazy("零售户"), accessor="retailer__shop_name",
        order_by=("retailer__shop_name",),
    )  # fmt: skip
    license_no = tables.Column(
        verbose_name=gettext_lazy("许可证号"), accessor="retailer__license_no",
        attrs=HIDE_PHONE, orderable=False,
    )  # fmt: skip
    territory = tables.Column(
        verbose_name=gettext_lazy("片区"), accessor="retailer__territory__name",
        order_by=("retailer__territory__code", "rank"), attrs=HIDE_PHONE,
    )  # fmt: skip
    compliance_class = tables.Column(verbose_name=gettext_lazy("守法类别"))
    compliance_points = tables.Column(
        verbose_name=gettext_lazy("守法得分"), attrs=NUMBER_HIDE_PHONE
    )
    business_score = tables.Column(verbose_name=gettext_lazy("经营得分"), attrs=NUMBER_HIDE_PHONE)
    final_score = tables.Column(verbose_name=gettext_lazy("综合得分"), attrs=NUMBER)
    rank = tables.Column(verbose_name=gettext_lazy("排名"), attrs=NUMBER_HIDE_PHONE)
    tier = tables.Column(verbose_name=gettext_lazy("评定档位"), attrs=NUMBER_HIDE_PHONE)
    effective_tier = tables.Column(
        verbose_name=gettext_lazy("生效档位"), attrs=NUMBER, order_by=("effective_tier", "-rank")
    )
    stars = tables.Column(verbose_name=gettext_lazy("星级"), order_by=("-super_five", "stars"))
    segment = tables.Column(verbose_name=gettext_lazy("客户分群"), attrs=HIDE_PHONE)
    supply_stopped = tables.Column(verbose_name=gettext_lazy("停货"), attrs=HIDE_PHONE)

    class Meta:
        model = RetailerGrade
        fields = (
            "retailer", "license_no", "territory", "compliance_class", "compliance_points",
            "business_score", "final_score", "rank", "tier", "effective_tier", "stars",
            "segment", "supply_stopped",
        )  # fmt: skip
        attrs = {"class": "table", "id": "grade-table"}
        orderable = True
        empty_text = gettext_lazy("没有符合条件的零售户。")

    def render_retailer(self, value: str, record: RetailerGrade) -> SafeString:
        return format_html('<a href="{}">{}</a>', record.retailer.get_absolute_url(), value)

    def render_license_no(self, value: str) -> str:
        return license_no_for(self.request.user, value)

    def render_compliance_points(self, value: float) -> str:
        return f"{value:g}"

    def render_business_score(self, value: float) -> str:
        return f"{value:.2f}"

    def render_final_score(self, value: float) -> str:
        return f"{value:.2f}"

    def render_effective_tier(self, value: int, record: Any) -> SafeString:
        if record.adjusted_tier is not None and record.adjusted_tier != record.tier:
            return format_html(
                '<strong class="adjusted" title="{}">{}</strong>', _("复核调整"), value
            )
        return format_html("{}", value)

    def render_stars(self, value: int, record: RetailerGrade) -> str:
        return stars_text(value, record.super_five)

    def render_segment(self, value: str, record: RetailerGrade) -> str:
        return record.get_segment_display()

    def render_supply_stopped(self, value: bool) -> str:
        return _("停货") if value else ""
