from django.contrib import admin

from .models import Order, OrderLine


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    raw_id_fields = ("product",)
    readonly_fields = ("retailer", "order_date")
    can_delete = False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("id", "retailer", "order_date", "status", "total_cartons", "total_amount")
    list_filter = ("status",)
    date_hierarchy = "order_date"
    raw_id_fields = ("retailer",)
    inlines = [OrderLineInline]
    list_select_related = ("retailer",)

    # Orders are written by the order services (with their history), not by hand here.
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
