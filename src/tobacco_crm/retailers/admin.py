from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Retailer
from .services import WRITABLE_FIELDS, retailer_create, retailer_update


@admin.register(Retailer)
class RetailerAdmin(SimpleHistoryAdmin):
    """Administrators' view of the archive; saves go through the services (history, derived
    class code, validation) like every other write path."""

    list_display = ("license_no", "shop_name", "owner_name", "class_code", "territory", "status")
    list_filter = ("status", "business_format", "market_type", "territory")
    search_fields = ("license_no", "shop_name", "owner_name", "phone")
    readonly_fields = ("class_code", "created_at", "updated_at")
    list_select_related = ("territory",)

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in WRITABLE_FIELDS if name in form.fields}
        if change:
            saved = retailer_update(
                retailer=Retailer.objects.get(pk=obj.pk),
                data=data,
                actor=request.user,
                reason="后台修改",
            )
        else:
            saved = retailer_create(data=data, actor=request.user, reason="后台创建")
        obj.pk = saved.pk
        obj.class_code = saved.class_code
