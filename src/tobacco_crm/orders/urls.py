"""Order screens, under /orders/ (the retailer page loads `orders-retailer-limits` with
htmx)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.OrderListView.as_view(), name="orders-list"),
    path(
        "retailer/<int:retailer_id>/limits/",
        views.RetailerLimitsView.as_view(),
        name="orders-retailer-limits",
    ),
    path("entry/<int:retailer_id>/", views.OrderEntryView.as_view(), name="orders-entry"),
    path("demand/<int:retailer_id>/", views.DemandReportView.as_view(), name="orders-demand"),
]
