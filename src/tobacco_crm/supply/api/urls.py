"""Routes of the supply API; `tobacco_crm.api_urls` merges every app's router."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("supply-plans", views.SupplyPlanViewSet, basename="api-supply-plan")
router.register("limits", views.RetailerLimitViewSet, basename="api-limit")
router.register("order-entries", views.OrderEntryViewSet, basename="api-order-entry")
router.register("demand-reports", views.DemandReportViewSet, basename="api-demand-report")

urlpatterns = router.urls
