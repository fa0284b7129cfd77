"""Routes of the retailer archive API; `tobacco_crm.api_urls` merges every app's router."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("retailers", views.RetailerViewSet, basename="api-retailer")

urlpatterns = router.urls
