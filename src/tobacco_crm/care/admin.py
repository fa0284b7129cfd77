from typing import Any

from django.contrib import admin

from .models import MessageTemplate, OutboxMessage, ServiceStandardItem


@admin.register(ServiceStandardItem)
class ServiceStandardItemAdmin(admin.ModelAdmin):
    """Company policy: the marketing manager edits the services each segment is owed."""

    list_display = ("segment", "position", "code", "label", "kind", "frequency", "active")
    list_filter = ("segment", "kind", "frequency", "active")
    search_fields = ("code", "label")


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ("code", "label", "text")
    search_fields = ("code", "label", "text")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Read-only: messages are written by the message backend."""

    list_display = ("created_at", "retailer", "phone", "status", "created_by")
    list_filter = ("status",)
    search_fields = ("retailer__shop_name", "phone", "text")
    raw_id_fields = ("retailer", "created_by", "template")

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
