from django.contrib import admin

from .models import PlannedVisit, ServiceStandard, VisitPlan


@admin.register(ServiceStandard)
class ServiceStandardAdmin(admin.ModelAdmin):
    list_display = ("version", "interval_top", "interval_bottom", "day_visits", "created_at")
    readonly_fields = ("created_by", "created_at")


class PlannedVisitInline(admin.TabularInline):
    model = PlannedVisit
    extra = 0
    raw_id_fields = ("retailer",)


@admin.register(VisitPlan)
class VisitPlanAdmin(admin.ModelAdmin):
    list_display = ("manager", "week_start", "status", "updated_at")
    list_filter = ("status",)
    inlines = [PlannedVisitInline]
