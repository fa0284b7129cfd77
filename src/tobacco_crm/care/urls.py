"""Customer service, under /care/ (the retailer page loads `care-retailer` with htmx)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.AgendaView.as_view(), name="care-agenda"),
    path("send/<int:retailer_id>/", views.GreetingSendView.as_view(), name="care-send"),
    path("outbox/", views.OutboxView.as_view(), name="care-outbox"),
    path("retailer/<int:retailer_id>/", views.RetailerCareView.as_view(), name="care-retailer"),
]
