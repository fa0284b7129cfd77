"""Filters of the retailer list, shared by the web UI, the Excel export and the API."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tobacco_crm.accounts.models import Territory

from .choices import BusinessDistrict, BusinessFormat, MarketType, RetailerStatus
from .models import Retailer


def _territories(request) -> QuerySet[Territory]:
    if request is None:
        return Territory.objects.none()
    return Territory.objects.visible_to(request.user)


class RetailerFilterSet(django_filters.FilterSet):
    """`q` searches license number / phone (prefix) and shop name / owner (substring)."""

    q = django_filters.CharFilter(method="filter_q", label=_("搜索"))
    territory = django_filters.ModelChoiceFilter(queryset=_territories, label=_("片区"))
    business_format = django_filters.ChoiceFilter(choices=BusinessFormat.choices, label=_("业态"))
    business_district = django_filters.ChoiceFilter(
        choices=BusinessDistrict.choices, label=_("商圈")
    )
    market_type = django_filters.ChoiceFilter(choices=MarketType.choices, label=_("市场类型"))
    status = django_filters.ChoiceFilter(choices=RetailerStatus.choices, label=_("经营状态"))
    class_code = django_filters.CharFilter(label=_("分类编码"))
    ordering = django_filters.OrderingFilter(
        fields=(
            ("license_no", "license_no"),
            ("shop_name", "shop_name"),
            ("owner_name", "owner_name"),
            ("class_code", "class_code"),
            ("territory__code", "territory"),
            ("updated_at", "updated_at"),
        ),
        label=_("排序"),
    )

    class Meta:
        model = Retailer
        fields = [
            "q", "territory", "business_format", "business_district", "market_type", "status",
            "class_code",
        ]  # fmt: skip

    def filter_q(self, queryset, name, value):
        return queryset.search(value)
