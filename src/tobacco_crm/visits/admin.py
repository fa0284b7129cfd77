from django.contrib import admin

from tobacco_crm.core.admin import ReadOnlyAdmin

from .models import PlannedVisit, ServiceStandard, VisitPlan, VisitRecord


@admin.register(ServiceStandard)
class ServiceStandardAdmin(ReadOnlyAdmin):
    """Read-only: a version is never edited in place; the next version is saved from the
    service standard screen (`visits-standard-edit`)."""

    list_display = ("version", "interval_top", "interval_bottom", "day_visits", "created_by",
                    "created_at")  # fmt: skip


class PlannedVisitInline(admin.TabularInline):
    model = PlannedVisit
    extra = 0
    raw_id_fields = ("retailer",)


@admin.register(VisitPlan)
class VisitPlanAdmin(admin.ModelAdmin):
    list_display = ("manager", "week_start", "status", "updated_at")
    list_filter = ("status",)
    inlines = [PlannedVisitInline]


@admin.register(VisitRecord)
class VisitRecordAdmin(ReadOnlyAdmin):
    """Visit records are append-only; corrections are new records made from the visit page."""

    list_display = ("retailer", "manager", "outcome", "checked_in_at", "far_from_shop")
    raw_id_fields = ("retailer",)
    list_select_related = ("retailer", "manager")
