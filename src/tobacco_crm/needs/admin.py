from typing import Any

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Need


@admin.register(Need)
class NeedAdmin(SimpleHistoryAdmin):
    """Read-only: every change goes through the services (and the field screens)."""

    list_display = ("pk", "retailer", "kind", "category", "status", "owner", "due_date")
    list_filter = ("kind", "status", "category")
    search_fields = ("retailer__shop_name", "description")
    raw_id_fields = ("retailer", "owner", "raised_by")

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
