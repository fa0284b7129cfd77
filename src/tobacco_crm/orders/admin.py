from django.contrib import admin

from tobacco_crm.core.admin import ReadOnlyAdmin

from .models import Order, OrderLine


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    raw_id_fields = ("product",)
    readonly_fields = ("retailer", "order_date")
    can_delete = False


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ("id", "retailer", "order_date", "status", "total_cartons", "total_amount")
    list_filter = ("status",)
    date_hierarchy = "order_date"
    raw_id_fields = ("retailer",)
    inlines = [OrderLineInline]
    list_select_related = ("retailer",)
