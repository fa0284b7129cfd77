from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import Company, Territory, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "role", "is_active", "is_staff")
    list_filter = ("role", "is_active", "is_staff")
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        ("tobacco-crm", {"fields": ("role", "display_name", "phone")}),
    )


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("code", "name")


@admin.register(Territory)
class TerritoryAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "company", "customer_manager")
    filter_horizontal = ("inspectors",)
    search_fields = ("code", "name")
