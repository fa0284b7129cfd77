"""Grading records in the admin: read-only; every write goes through grading.services."""

from django.contrib import admin

from tobacco_crm.core.admin import ReadOnlyAdmin

from .models import (
    Appeal,
    Deduction,
    GradeAdjustment,
    GradingPeriod,
    GradingPolicy,
    GradingRun,
    ManualIndicator,
    RetailerGrade,
)


@admin.register(GradingPolicy)
class GradingPolicyAdmin(ReadOnlyAdmin):
    list_display = ("name", "version", "created_by", "created_at", "note")
    search_fields = ("name",)


@admin.register(GradingPeriod)
class GradingPeriodAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "start_date", "end_date", "locked")


@admin.register(Deduction)
class DeductionAdmin(ReadOnlyAdmin):
    list_display = ("retailer", "period", "occurred_on", "item_label", "points", "inspector")
    list_filter = ("period", "item_code", "explained", "cleared")
    raw_id_fields = ("retailer",)
    list_select_related = ("retailer", "period", "inspector")


@admin.register(ManualIndicator)
class ManualIndicatorAdmin(ReadOnlyAdmin):
    list_display = ("retailer", "period", "key", "value", "entered_by")
    list_filter = ("period", "key")
    list_select_related = ("retailer", "period", "entered_by")


@admin.register(GradingRun)
class GradingRunAdmin(ReadOnlyAdmin):
    list_display = ("id", "period", "policy", "status", "retailer_count", "created_at")
    list_filter = ("status", "period")
    exclude = ("summary", "context")


@admin.register(RetailerGrade)
class RetailerGradeAdmin(ReadOnlyAdmin):
    list_display = ("retailer", "run", "compliance_class", "final_score", "tier", "stars")
    list_filter = ("run", "compliance_class", "segment")
    raw_id_fields = ("retailer",)
    exclude = ("row",)
    list_select_related = ("retailer", "run")


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ("grade", "status", "raised_by", "raised_at", "reviewed_by")
    list_filter = ("status",)


@admin.register(GradeAdjustment)
class GradeAdjustmentAdmin(ReadOnlyAdmin):
    list_display = ("grade", "old_tier", "new_tier", "made_by", "made_at")
