"""Supply records in the admin: read-only; every write goes through supply.services."""

from django.contrib import admin

from tobacco_crm.core.admin import ReadOnlyAdmin

from .models import DemandReport, RetailerLimit, SupplyPeriod, SupplyPlan, SupplyPlanLine


class SupplyPlanLineInline(admin.TabularInline):
    model = SupplyPlanLine
    extra = 0
    can_delete = False
    exclude = ("summary",)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SupplyPeriod)
class SupplyPeriodAdmin(ReadOnlyAdmin):
    list_display = ("code", "start_date", "end_date", "sequence")


@admin.register(SupplyPlan)
class SupplyPlanAdmin(ReadOnlyAdmin):
    list_display = ("period", "name", "status", "created_by", "published_at")
    list_filter = ("status",)
    exclude = ("summary",)
    inlines = [SupplyPlanLineInline]


@admin.register(RetailerLimit)
class RetailerLimitAdmin(ReadOnlyAdmin):
    list_display = ("plan", "retailer", "product", "tier", "limit", "reason")
    list_filter = ("plan", "reason")
    raw_id_fields = ("retailer",)
    list_select_related = ("plan", "retailer", "product")


@admin.register(DemandReport)
class DemandReportAdmin(ReadOnlyAdmin):
    list_display = ("period", "retailer", "product", "cartons", "reported_by")
    raw_id_fields = ("retailer",)
