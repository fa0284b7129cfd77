"""Serializers of the supply API. They parse and present; every write goes through
`tobacco_crm.supply.services` or `tobacco_crm.orders.entry`. A retailer in a body must be one
the caller may see: anything else is "does not exist" (400 naming the field), never a hint
that it exists elsewhere."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tobacco_crm.core.api import choice_label, request_user
from tobacco_crm.orders.entry import OrderOutcome
from tobacco_crm.products.models import Product
from tobacco_crm.retailers.models import Retailer

from ..models import DemandReport, RetailerLimit, SupplyPeriod, SupplyPlan, SupplyPlanLine


@extend_schema_field(OpenApiTypes.INT)
class VisibleRetailerField(serializers.PrimaryKeyRelatedField):
    """A retailer the requesting user may see (`Retailer.objects.visible_to`)."""

    def get_queryset(self) -> QuerySet[Retailer]:
        return Retailer.objects.visible_to(request_user(self.context["request"]))


class SupplyPlanLineSerializer(serializers.ModelSerializer):
    """One scarce product of a plan: the cartons available (可供量), the rule's basis and
    options (`rule`: the allocation engine's rule without product and available) and the
    eligibility filters (`eligibility`: lists of compliance classes, business formats,
    districts, market types and territory codes; a missing list lets everyone through)."""

    product_code = serializers.CharField(source="product.code", read_only=True)
    product_name = serializers.CharField(source="product.__str__", read_only=True)
    basis_display = choice_label("basis")
    rule = serializers.JSONField(read_only=True)
    eligibility = serializers.JSONField(read_only=True)

    class Meta:
        model = SupplyPlanLine
        fields = [
            "id", "product", "product_code", "product_name", "available", "basis",
            "basis_display", "rule", "eligibility",
        ]  # fmt: skip
        read_only_fields = fields


class SupplyPlanSerializer(serializers.ModelSerializer):
    """A week's supply plan (投放方案) with its lines; `summary` holds the simulation's totals
    (available, allocated, undistributed, limits written, graded retailers)."""

    period_code = serializers.CharField(source="period.code", read_only=True)
    start_date = serializers.DateField(source="period.start_date", read_only=True)
    end_date = serializers.DateField(source="period.end_date", read_only=True)
    status_display = choice_label("status")
    summary = serializers.JSONField(read_only=True)
    created_by_name = serializers.CharField(source="created_by.__str__", read_only=True)
    lines = SupplyPlanLineSerializer(many=True, read_only=True)

    class Meta:
        model = SupplyPlan
        fields = [
            "id", "period", "period_code", "start_date", "end_date", "name", "status",
            "status_display", "grading_run", "summary", "created_by", "created_by_name",
            "created_at", "simulated_at", "published_by", "published_at", "lines",
        ]  # fmt: skip
        read_only_fields = fields


class TierLimitSerializer(serializers.Serializer):
    """One tier's row of a product's limit table (档位限量表): retailers of the tier, those
    taking part, the cartons allocated, the range of limits, the tier's limit before leftovers
    (tier basis) and how many got a leftover carton on top."""

    tier = serializers.IntegerField()
    retailers = serializers.IntegerField()
    taking_part = serializers.IntegerField()
    allocated = serializers.IntegerField()
    min_limit = serializers.IntegerField(allow_null=True)
    max_limit = serializers.IntegerField(allow_null=True)
    tier_limit = serializers.IntegerField(allow_null=True)
    leftover = serializers.IntegerField()


class ProductTiersSerializer(serializers.Serializer):
    """One product of a plan with its per-tier limit table, best tier first."""

    product = serializers.IntegerField()
    product_code = serializers.CharField()
    product_name = serializers.CharField()
    basis = serializers.CharField()
    available = serializers.IntegerField()
    allocated = serializers.IntegerField()
    undistributed = serializers.IntegerField()
    undistributed_reason = serializers.CharField()
    tiers = TierLimitSerializer(many=True)


class RetailerLimitSerializer(serializers.ModelSerializer):
    """A retailer's limit (限量) for one product in a plan, with its tier and its reason."""

    period_code = serializers.CharField(source="plan.period.code", read_only=True)
    plan_status = serializers.CharField(source="plan.status", read_only=True)
    retailer_shop_name = serializers.CharField(source="retailer.shop_name", read_only=True)
    product_code = serializers.CharField(source="product.code", read_only=True)
    product_name = serializers.CharField(source="product.__str__", read_only=True)
    reason_display = choice_label("reason")

    class Meta:
        model = RetailerLimit
        fields = [
            "id", "plan", "period_code", "plan_status", "retailer", "retailer_shop_name",
            "product", "product_code", "product_name", "tier", "limit", "reason",
            "reason_display",
        ]  # fmt: skip
        read_only_fields = fields


class OrderEntryLineSerializer(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    cartons = serializers.IntegerField(min_value=1, help_text="Whole cartons (条).")


class OrderEntrySerializer(serializers.Serializer):
    """A retailer's order for this week (订单采集). Lines over the retailer's limit, for a
    stopped product, from a retailer whose supply is stopped, or for a scarce product before
    the week's plan is published are refused with their reason; the rest is kept. The same
    `client_token` again (a double click, a retry) returns the order already made."""

    retailer = VisibleRetailerField()
    lines = OrderEntryLineSerializer(many=True, allow_empty=False)
    client_token = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default="",
        help_text="One value per submission (e.g. a UUID made when the form opens).",
    )  # fmt: skip


class AcceptedLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    product = serializers.IntegerField(source="product_id")
    product_code = serializers.CharField(source="product.code")
    cartons = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)


class RefusedLineSerializer(serializers.Serializer):
    product = serializers.IntegerField(source="product.pk")
    product_code = serializers.CharField(source="product.code")
    cartons = serializers.IntegerField()
    reason = serializers.CharField()


class OrderEntryResultSerializer(serializers.Serializer):
    """What became of a submission: the order (null when every line was refused), whether it
    was a re-submission of an order already made, and the accepted and refused lines."""

    order = serializers.SerializerMethodField()
    duplicate = serializers.BooleanField()
    accepted = AcceptedLineSerializer(many=True)
    refused = RefusedLineSerializer(many=True)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_order(self, outcome: OrderOutcome) -> int | None:
        return outcome.order.pk if outcome.order is not None else None


class DemandReportSerializer(serializers.ModelSerializer):
    """Reported demand (需求提报) of a retailer for a product in a week, in cartons. Posting
    again for the same retailer, product and period replaces the figure."""

    period = serializers.PrimaryKeyRelatedField(queryset=SupplyPeriod.objects.all())
    period_code = serializers.CharField(source="period.code", read_only=True)
    retailer = VisibleRetailerField()
    retailer_shop_name = serializers.CharField(source="retailer.shop_name", read_only=True)
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    product_code = serializers.CharField(source="product.code", read_only=True)
    cartons = serializers.IntegerField(min_value=0)

    class Meta:
        model = DemandReport
        fields = [
            "id", "period", "period_code", "retailer", "retailer_shop_name", "product",
            "product_code", "cartons", "reported_by", "reported_at",
        ]  # fmt: skip
        read_only_fields = ["reported_by", "reported_at"]
        validators: list[Any] = []  # the service replaces an existing report
