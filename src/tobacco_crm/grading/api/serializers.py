"""Serializers of the grading API. They parse and present; every write goes through
`tobacco_crm.grading.services`. Fields that point at retailers or grades accept only those the
caller may see: anything else is "does not exist" (400 naming the field), never a hint that
it exists elsewhere."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import serializers

from tobacco_crm.core.api import choice_label, request_user
from tobacco_crm.retailers.models import Retailer

from ..models import Appeal, Deduction, GradingPeriod, GradingRun, RetailerGrade
from ..selectors import grades_visible_to


class VisibleRetailerField(serializers.PrimaryKeyRelatedField):
    """A retailer the requesting user may see (`Retailer.objects.visible_to`)."""

    def get_queryset(self) -> QuerySet[Retailer]:
        return Retailer.objects.visible_to(request_user(self.context["request"]))


class VisibleGradeField(serializers.PrimaryKeyRelatedField):
    """A grade of a retailer the requesting user may see."""

    def get_queryset(self) -> QuerySet[RetailerGrade]:
        user = request_user(self.context["request"])
        return grades_visible_to(user).select_related("run")


class RetailerGradeSerializer(serializers.ModelSerializer):
    """A retailer's grade in a run: class, scores, rank, tier (and the tier in force after an
    accepted appeal, `adjusted_tier`), stars and segment. The explanation is its own endpoint."""

    period = serializers.IntegerField(source="run.period_id", read_only=True)
    period_code = serializers.CharField(source="run.period.code", read_only=True)
    retailer_shop_name = serializers.CharField(source="retailer.shop_name", read_only=True)
    territory = serializers.IntegerField(source="retailer.territory_id", read_only=True)
    territory_code = serializers.CharField(source="retailer.territory.code", read_only=True)
    adjusted_tier = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="The tier set by the latest accepted appeal; null when none.",
    )
    compliance_class_display = choice_label("compliance_class")
    segment_display = choice_label("segment")

    class Meta:
        model = RetailerGrade
        fields = [
            "id", "run", "period", "period_code", "retailer", "retailer_shop_name", "territory",
            "territory_code", "compliance_points", "compliance_class",
            "compliance_class_display", "supply_stopped", "business_score", "final_score",
            "rank", "tier", "adjusted_tier", "previous_tier", "stars", "super_five", "segment",
            "segment_display",
        ]  # fmt: skip
        read_only_fields = fields


class GradingRunSerializer(serializers.ModelSerializer):
    """A grading run: period, policy version, status and the distribution (`summary`: counts
    per tier, class, segment and star, indicator tops, the score reaching each tier)."""

    period_code = serializers.CharField(source="period.code", read_only=True)
    policy_name = serializers.CharField(source="policy.name", read_only=True)
    policy_version = serializers.IntegerField(source="policy.version", read_only=True)
    status_display = choice_label("status")
    summary = serializers.JSONField(read_only=True)
    created_by_name = serializers.CharField(source="created_by.__str__", read_only=True)

    class Meta:
        model = GradingRun
        fields = [
            "id", "period", "period_code", "policy", "policy_name", "policy_version", "status",
            "status_display", "retailer_count", "summary", "created_by", "created_by_name",
            "created_at", "published_by", "published_at",
        ]  # fmt: skip
        read_only_fields = fields


class DeductionSerializer(serializers.ModelSerializer):
    """A deduction record (扣分). Created by an inspector for a retailer he sees; `points`
    omitted or null takes the item's default points of the period's policy. Never edited: a
    correction is a new record (`corrects`), and `corrected` tells a replaced record."""

    retailer = VisibleRetailerField()
    retailer_shop_name = serializers.CharField(source="retailer.shop_name", read_only=True)
    period = serializers.PrimaryKeyRelatedField(queryset=GradingPeriod.objects.all())
    period_code = serializers.CharField(source="period.code", read_only=True)
    points = serializers.DecimalField(
        max_digits=5, decimal_places=1, min_value=0, max_value=100, required=False,
        allow_null=True, default=None,
    )  # fmt: skip
    corrected = serializers.BooleanField(
        read_only=True, help_text="A later record replaces this one."
    )
    inspector_name = serializers.CharField(source="inspector.__str__", read_only=True)

    class Meta:
        model = Deduction
        fields = [
            "id", "retailer", "retailer_shop_name", "period", "period_code", "occurred_on",
            "item_code", "item_label", "points", "reason", "note", "explained", "cleared",
            "corrects", "corrected", "inspector", "inspector_name", "created_at",
        ]  # fmt: skip
        read_only_fields = [
            "item_label", "cleared", "corrects", "inspector", "created_at",
        ]  # fmt: skip
        extra_kwargs = {"note": {"required": False}, "explained": {"required": False}}


class AppealSerializer(serializers.ModelSerializer):
    """A request for review (复核) of a published grade, raised by the retailer's customer
    manager; `adjusted_tier` is the tier an accepted appeal set."""

    grade = VisibleGradeField()
    retailer = serializers.IntegerField(source="grade.retailer_id", read_only=True)
    retailer_shop_name = serializers.CharField(source="grade.retailer.shop_name", read_only=True)
    tier = serializers.IntegerField(source="grade.tier", read_only=True)
    adjusted_tier = serializers.SerializerMethodField()
    status_display = choice_label("status")
    raised_by_name = serializers.CharField(source="raised_by.__str__", read_only=True)

    class Meta:
        model = Appeal
        fields = [
            "id", "grade", "retailer", "retailer_shop_name", "tier", "requested_tier",
            "reason", "status", "status_display", "adjusted_tier", "raised_by",
            "raised_by_name", "raised_at", "reviewed_by", "reviewed_at", "review_note",
        ]  # fmt: skip
        read_only_fields = [
            "status", "raised_by", "raised_at", "reviewed_by", "reviewed_at", "review_note",
        ]  # fmt: skip

    def get_adjusted_tier(self, appeal: Appeal) -> int | None:
        adjustment = getattr(appeal, "adjustment", None)
        return adjustment.new_tier if adjustment is not None else None
