"""Routes of the product catalogue API; `tobacco_crm.api_urls` merges every app's router."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("products", views.ProductViewSet, basename="api-product")

urlpatterns = router.urls
