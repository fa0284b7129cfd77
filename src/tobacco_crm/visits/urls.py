"""Visit plans (拜访计划) under /visits/."""

from django.urls import path

from . import views

urlpatterns = [
    path("plan/", views.PlanView.as_view(), name="visits-plan"),
    path("plan/draft/", views.PlanDraftView.as_view(), name="visits-plan-draft"),
    path("plan/<int:pk>/confirm/", views.PlanConfirmView.as_view(), name="visits-plan-confirm"),
    path("plan/<int:pk>/day/<str:day>/", views.PlanDayView.as_view(), name="visits-plan-day"),
    path("plan/<int:pk>/export/", views.PlanExportView.as_view(), name="visits-plan-export"),
    path("visit/<int:pk>/move/", views.VisitMoveView.as_view(), name="visits-visit-move"),
    path("visit/<int:pk>/drop/", views.VisitDropView.as_view(), name="visits-visit-drop"),
]
