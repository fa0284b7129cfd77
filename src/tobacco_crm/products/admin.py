from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Product


@admin.register(Product)
class ProductAdmin(SimpleHistoryAdmin):
    list_display = ("code", "brand", "name", "price_class", "wholesale_price", "status")
    list_filter = ("price_class", "status")
    search_fields = ("code", "brand", "name")
