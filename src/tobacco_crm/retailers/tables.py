"""The retailer list table (django-tables2), masking phone and license by the viewer's role."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tobacco_crm.core.masking import license_no_for, phone_for

from .models import Retailer


class RetailerTable(tables.Table):
    license_no = tables.Column(verbose_name=_("许可证号"))
    shop_name = tables.Column(verbose_name=_("店铺名称"))
    owner_name = tables.Column(verbose_name=_("户主"))
    phone = tables.Column(verbose_name=_("电话"), orderable=False)
    class_code = tables.Column(
        verbose_name=_("分类"), attrs={"td": {"class": "hide-phone"}, "th": {"class": "hide-phone"}}
    )
    business_district = tables.Column(
        verbose_name=_("商圈"), attrs={"td": {"class": "hide-phone"}, "th": {"class": "hide-phone"}}
    )
    territory = tables.Column(
        verbose_name=_("片区"),
        order_by=("territory__code",),
        attrs={"td": {"class": "hide-phone"}, "th": {"class": "hide-phone"}},
    )
    status = tables.Column(verbose_name=_("状态"))

    class Meta:
        model = Retailer
        fields = (
            "license_no", "shop_name", "owner_name", "phone", "class_code", "business_district",
            "territory", "status",
        )  # fmt: skip
        attrs = {"class": "table", "id": "retailer-table"}
        orderable = True

    def render_license_no(self, value: str, record: Retailer) -> str:
        return license_no_for(self.request.user, value)

    def render_shop_name(self, value: str, record: Retailer) -> str:
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), value)

    def render_phone(self, value: str) -> str:
        return phone_for(self.request.user, value)

    def render_territory(self, value, record: Retailer) -> str:
        return value.name

    def render_business_district(self, value: str, record: Retailer) -> str:
        return record.get_business_district_display()

    def render_status(self, value: str, record: Retailer) -> str:
        return record.get_status_display()
