"""Routes of the orders API; `tobacco_crm.api_urls` merges every app's router."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("orders", views.OrderViewSet, basename="api-order")

urlpatterns = router.urls
