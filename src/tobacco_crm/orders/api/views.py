"""The orders API (read-only for now): orders of the retailers the caller may see."""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import viewsets
from rest_framework.filters import OrderingFilter

from tobacco_crm.core.api import UserMixin
from tobacco_crm.retailers.models import Retailer

from ..choices import OrderStatus
from ..models import Order, OrderLine
from .serializers import OrderSerializer


def _visible_retailers(request) -> QuerySet[Retailer]:
    if request is None:
        return Retailer.objects.none()
    return Retailer.objects.visible_to(request.user)


class OrderFilterSet(django_filters.FilterSet):
    """Orders by retailer (one the caller may see), status and order-date range."""

    retailer = django_filters.ModelChoiceFilter(queryset=_visible_retailers, label=_("零售户"))
    status = django_filters.ChoiceFilter(choices=OrderStatus.choices, label=_("状态"))
    date_from = django_filters.DateFilter(
        field_name="order_date", lookup_expr="gte", label=_("起始日期")
    )
    date_to = django_filters.DateFilter(
        field_name="order_date", lookup_expr="lte", label=_("截止日期")
    )

    class Meta:
        model = Order
        fields = ["retailer", "status", "date_from", "date_to"]


class OrderViewSet(UserMixin, viewsets.ReadOnlyModelViewSet):
    """Orders of visible retailers, newest first, each with its lines."""

    queryset = Order.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = OrderSerializer
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = OrderFilterSet
    ordering_fields = ["order_date", "total_cartons", "total_amount"]

    def get_queryset(self) -> QuerySet[Order]:
        return (
            Order.objects.filter(retailer__in=Retailer.objects.visible_to(self.user))
            .select_related("retailer")
            .prefetch_related(
                Prefetch(
                    "lines", queryset=OrderLine.objects.select_related("product").order_by("id")
                )
            )
        )
