"""URL configuration: the web UI, the REST API under /api/, the admin."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("tobacco_crm.core.urls")),
    path("retailers/", include("tobacco_crm.retailers.urls")),
    path("grading/", include("tobacco_crm.grading.urls")),
    path("supply/", include("tobacco_crm.supply.urls")),
    path("orders/", include("tobacco_crm.orders.urls")),
    path("needs/", include("tobacco_crm.needs.urls")),
    path("visits/manage/", include("tobacco_crm.visits.urls_manage")),
    path("visits/", include("tobacco_crm.visits.urls")),
    path("territories/", include("tobacco_crm.territories.urls")),
    path("care/", include("tobacco_crm.care.urls")),
    path("api/", include("tobacco_crm.api_urls")),
]
