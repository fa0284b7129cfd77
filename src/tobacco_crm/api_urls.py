"""The REST API, described by the OpenAPI schema at /api/schema/ (docs at /api/docs/).

Each app declares its routes in `<app>/api/urls.py` (a router, plus plain paths such as
`me/`); this module serves them all under /api/ and lists the routers' endpoints at the API
root. URL names start with `api-` (`api-retailer-list`, `api-me`): the web UI owns the plain
names (`retailer-list`).
"""

from importlib import import_module

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

APP_API_URLS = [
    "tobacco_crm.accounts.api.urls",
    "tobacco_crm.retailers.api.urls",
    "tobacco_crm.products.api.urls",
    "tobacco_crm.orders.api.urls",
    "tobacco_crm.grading.api.urls",
    "tobacco_crm.supply.api.urls",
]

# One router for the API root page: the union of the apps' routers.
router = DefaultRouter()
for module in APP_API_URLS:
    router.registry.extend(import_module(module).router.registry)

urlpatterns = [
    path("", router.get_api_root_view(), name="api-root"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    *(path("", include(module)) for module in APP_API_URLS),
]
