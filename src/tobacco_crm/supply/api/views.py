"""The supply API: plans and their per-tier limit tables, the limits of the retailers the
caller may see, order entry within the limits, and reported demand (ADR 0002: a retailer
outside the scope answers 404, a value outside it in a filter or a body answers 400 naming
the field). Writes go through `services` and `orders.entry`; a role that may not write
answers 403.

Who sees which plans: those who manage supply every plan (drafts and simulations too);
everybody else the plans whose limits were published (公开透明: the plan in force and the
ones it superseded). `/api/limits/` lists by default the limits in force (published plans);
`?plan=` gives one visible plan's.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from tobacco_crm.accounts.models import User
from tobacco_crm.core.api import UserMixin, request_user, service_errors
from tobacco_crm.orders.entry import order_submit
from tobacco_crm.orders.models import Order
from tobacco_crm.products.models import Product
from tobacco_crm.retailers.models import Retailer

from .. import services
from ..choices import PlanStatus
from ..models import DemandReport, RetailerLimit, SupplyPeriod, SupplyPlan, SupplyPlanLine
from ..selectors import PUBLISHED_STATUSES
from .serializers import (
    DemandReportSerializer,
    OrderEntryResultSerializer,
    OrderEntrySerializer,
    ProductTiersSerializer,
    RetailerLimitSerializer,
    SupplyPlanSerializer,
)


def plans_visible_to(user: User) -> QuerySet[SupplyPlan]:
    """Every plan for those who manage supply; the published ones (in force or superseded)
    for everybody else."""
    plans = SupplyPlan.objects.all()
    return plans if user.manages_supply else plans.filter(status__in=PUBLISHED_STATUSES)


def _plans(request: Request | None) -> QuerySet[SupplyPlan]:
    return plans_visible_to(request_user(request)) if request else SupplyPlan.objects.none()


def _retailers(request: Request | None) -> QuerySet[Retailer]:
    if request is None:
        return Retailer.objects.none()
    return Retailer.objects.visible_to(request_user(request))


class RoleMayWrite(permissions.BasePermission):
    """A POST needs the role the view names (`write_role`, a property of `User`); checked on
    the request, so a refused role answers 403 before any validation."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(getattr(request_user(request), view.write_role))


# Plans ----------------------------------------------------------------------------------


class SupplyPlanViewSet(UserMixin, viewsets.ReadOnlyModelViewSet):
    """Supply plans with their lines, newest week first: every plan for those who manage
    supply, the published ones (in force or superseded) for everybody else."""

    queryset = SupplyPlan.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = SupplyPlanSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["period", "status"]

    def get_queryset(self) -> QuerySet[SupplyPlan]:
        lines = SupplyPlanLine.objects.select_related("product").order_by("product__code")
        return (
            plans_visible_to(self.user)
            .select_related("period", "created_by")
            .prefetch_related(Prefetch("lines", queryset=lines))
            .order_by("-period__start_date", "-created_at", "-pk")
        )

    @extend_schema(responses=ProductTiersSerializer(many=True))
    @action(detail=True, filter_backends=[], pagination_class=None)
    def tiers(self, request: Request, pk: str | None = None) -> Response:
        """The plan's per-tier limit table (档位限量表), product by product: per tier, the
        retailers taking part, the cartons allocated, the range of limits and (tier basis)
        the tier's limit, as the simulation computed them. Empty tiers for a line never
        simulated."""
        plan = self.get_object()
        rows = []
        for line in plan.lines.all():
            summary = line.summary or {}
            rows.append(
                {
                    "product": line.product_id,
                    "product_code": line.product.code,
                    "product_name": str(line.product),
                    "basis": line.basis,
                    "available": line.available,
                    "allocated": summary.get("total", 0),
                    "undistributed": summary.get("undistributed", line.available),
                    "undistributed_reason": summary.get("undistributed_reason", ""),
                    "tiers": summary.get("tiers", []),
                }
            )
        return Response(ProductTiersSerializer(rows, many=True).data)


# Limits ---------------------------------------------------------------------------------


class RetailerLimitFilterSet(django_filters.FilterSet):
    """Without `plan`, the limits in force (the published plans)."""

    plan = django_filters.ModelChoiceFilter(queryset=_plans, label=gettext_lazy("投放方案"))
    retailer = django_filters.ModelChoiceFilter(queryset=_retailers, label=gettext_lazy("零售户"))
    product = django_filters.ModelChoiceFilter(
        queryset=Product.objects.all(), label=gettext_lazy("卷烟规格")
    )
    period = django_filters.ModelChoiceFilter(
        field_name="plan__period", queryset=SupplyPeriod.objects.all(),
        label=gettext_lazy("投放周期"),
    )  # fmt: skip

    class Meta:
        model = RetailerLimit
        fields = ["plan", "retailer", "product", "period"]

    def filter_queryset(self, queryset: QuerySet[RetailerLimit]) -> QuerySet[RetailerLimit]:
        queryset = super().filter_queryset(queryset)
        if self.form.cleaned_data.get("plan") is None:
            queryset = queryset.filter(plan__status=PlanStatus.PUBLISHED)
        return queryset


class RetailerLimitViewSet(UserMixin, viewsets.ReadOnlyModelViewSet):
    """Limits (限量) of the retailers the caller may see, each with its tier and reason: by
    default those in force (published plans), newest week first; `?plan=` for one plan the
    caller may see (a simulation, for those who manage supply)."""

    queryset = RetailerLimit.objects.none()
    serializer_class = RetailerLimitSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = RetailerLimitFilterSet

    def get_queryset(self) -> QuerySet[RetailerLimit]:
        return (
            RetailerLimit.objects.filter(
                retailer__in=Retailer.objects.visible_to(self.user),
                plan__in=plans_visible_to(self.user),
            )
            .select_related("plan__period", "retailer", "product")
            .order_by("-plan__period__start_date", "retailer_id", "product__code", "pk")
        )

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        # The filters (and the "in force" default) select a list; a limit is found by id.
        return super().filter_queryset(queryset) if self.action == "list" else queryset


# Order entry ----------------------------------------------------------------------------


class OrderEntryViewSet(UserMixin, viewsets.GenericViewSet):
    """Order entry (订单采集) for this week, within the published limits."""

    queryset = Order.objects.none()
    serializer_class = OrderEntrySerializer
    permission_classes = [permissions.IsAuthenticated, RoleMayWrite]
    write_role = "enters_orders"
    filter_backends: list[Any] = []
    pagination_class = None

    @extend_schema(
        request=OrderEntrySerializer,
        responses={201: OrderEntryResultSerializer, 200: OrderEntryResultSerializer},
    )
    def create(self, request: Request) -> Response:
        """Enter a retailer's order for this week. Answers 201 with the new order, or 200
        when nothing was ordered (every line refused) or the `client_token` was already used
        (the order made then, `duplicate` true). Refused lines come with their reason."""
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        with service_errors():
            outcome = order_submit(
                retailer=data["retailer"], day=timezone.localdate(),
                lines=[(line["product"], line["cartons"]) for line in data["lines"]],
                actor=self.user, client_token=data["client_token"],
            )  # fmt: skip
        created = outcome.order is not None and not outcome.duplicate
        return Response(
            OrderEntryResultSerializer(outcome).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


# Reported demand ------------------------------------------------------------------------


class DemandReportFilterSet(django_filters.FilterSet):
    retailer = django_filters.ModelChoiceFilter(queryset=_retailers, label=gettext_lazy("零售户"))
    period = django_filters.ModelChoiceFilter(
        queryset=SupplyPeriod.objects.all(), label=gettext_lazy("投放周期")
    )
    product = django_filters.ModelChoiceFilter(
        queryset=Product.objects.all(), label=gettext_lazy("卷烟规格")
    )

    class Meta:
        model = DemandReport
        fields = ["retailer", "period", "product"]


class DemandReportViewSet(
    UserMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Reported demand (需求提报) of the retailers the caller may see, newest week first.
    Order takers and customer managers report it (POST; again for the same retailer, product
    and week replaces the figure and answers 200)."""

    queryset = DemandReport.objects.none()
    serializer_class = DemandReportSerializer
    permission_classes = [permissions.IsAuthenticated, RoleMayWrite]
    write_role = "enters_orders"
    filter_backends = [DjangoFilterBackend]
    filterset_class = DemandReportFilterSet

    def get_queryset(self) -> QuerySet[DemandReport]:
        return (
            DemandReport.objects.filter(retailer__in=Retailer.objects.visible_to(self.user))
            .select_related("period", "retailer", "product")
            .order_by("-period__start_date", "retailer_id", "product__code", "pk")
        )

    @extend_schema(responses={201: DemandReportSerializer, 200: DemandReportSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        keys = {"period": data["period"], "retailer": data["retailer"], "product": data["product"]}
        replaced = DemandReport.objects.filter(**keys).exists()
        with service_errors():
            report = services.demand_report_set(**keys, cartons=data["cartons"], actor=self.user)
        return Response(
            self.get_serializer(report).data,
            status=status.HTTP_200_OK if replaced else status.HTTP_201_CREATED,
        )
