"""URLs of the supply screens, under /supply/."""

from django.urls import path

from . import views_manage as views

urlpatterns = [
    path("", views.HomeView.as_view(), name="supply-home"),
    path("plans/new/", views.PlanCreateView.as_view(), name="supply-plan-create"),
    path("plans/template.xlsx", views.PlanTemplateView.as_view(), name="supply-plan-template"),
    path("plans/<int:pk>/", views.PlanDetailView.as_view(), name="supply-plan-detail"),
    path("plans/<int:pk>/lines/new/", views.LineEditView.as_view(), name="supply-plan-line-add"),
    path(
        "plans/<int:pk>/lines/<int:line_pk>/",
        views.LineEditView.as_view(),
        name="supply-plan-line-edit",
    ),
    path(
        "plans/<int:pk>/lines/<int:line_pk>/delete/",
        views.LineDeleteView.as_view(),
        name="supply-plan-line-delete",
    ),
    path("plans/<int:pk>/import/", views.PlanImportView.as_view(), name="supply-plan-import"),
    path("plans/<int:pk>/simulate/", views.SimulateView.as_view(), name="supply-plan-simulate"),
    path("plans/<int:pk>/publish/", views.PublishView.as_view(), name="supply-plan-publish"),
    path(
        "plans/<int:pk>/territories/",
        views.TerritoriesView.as_view(),
        name="supply-plan-territories",
    ),
    path("plans/<int:pk>/tiers/", views.TierTableView.as_view(), name="supply-tier-table"),
    path(
        "plans/<int:pk>/limits.xlsx", views.LimitsExportView.as_view(), name="supply-limits-export"
    ),
]
