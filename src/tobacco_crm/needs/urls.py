"""Follow-up, under /needs/ (the retailer page loads `needs-retailer` with htmx)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.NeedListView.as_view(), name="needs-list"),
    path("new/<int:retailer_id>/", views.NeedCreateView.as_view(), name="needs-create"),
    path("<int:pk>/", views.NeedDetailView.as_view(), name="needs-detail"),
    path("retailer/<int:retailer_id>/", views.RetailerNeedsView.as_view(), name="needs-retailer"),
]
