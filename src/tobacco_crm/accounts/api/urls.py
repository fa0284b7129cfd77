"""Routes of the accounts API; `tobacco_crm.api_urls` merges every app's router."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("territories", views.TerritoryViewSet, basename="api-territory")

urlpatterns = [
    path("me/", views.MeView.as_view(), name="api-me"),
    *router.urls,
]
