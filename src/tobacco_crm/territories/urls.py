"""URLs of territory re-division, under /territories/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="territories-home"),
    path("proposals/<int:pk>/", views.ProposalView.as_view(), name="territories-proposal"),
    path("proposals/<int:pk>/apply/", views.ApplyView.as_view(), name="territories-apply"),
]
