"""Visit plans (拜访计划) under /visits/."""

from django.urls import path

from . import views, views_record

urlpatterns = [
    path("plan/", views.PlanView.as_view(), name="visits-plan"),
    path("plan/draft/", views.PlanDraftView.as_view(), name="visits-plan-draft"),
    path("plan/<int:pk>/confirm/", views.PlanConfirmView.as_view(), name="visits-plan-confirm"),
    path("plan/<int:pk>/day/<str:day>/", views.PlanDayView.as_view(), name="visits-plan-day"),
    path("plan/<int:pk>/day/<str:day>/add/", views.VisitAddView.as_view(), name="visits-visit-add"),
    path("plan/<int:pk>/export/", views.PlanExportView.as_view(), name="visits-plan-export"),
    path("visit/<int:pk>/move/", views.VisitMoveView.as_view(), name="visits-visit-move"),
    path("visit/<int:pk>/drop/", views.VisitDropView.as_view(), name="visits-visit-drop"),
]

urlpatterns += [
    path("today/", views_record.TodayView.as_view(), name="visits-today"),
    path("visit/<int:pk>/", views_record.VisitPageView.as_view(), name="visits-visit"),
    path("visit/<int:pk>/check-in/", views_record.CheckInView.as_view(), name="visits-check-in"),
    path(
        "visit/<int:pk>/checklist/", views_record.ChecklistView.as_view(), name="visits-checklist"
    ),
    path("visit/<int:pk>/not-in/", views_record.NotInView.as_view(), name="visits-not-in"),
    path("visit/<int:pk>/need/", views_record.VisitNeedView.as_view(), name="visits-need"),
    path("visit/<int:pk>/archive/", views_record.VisitArchiveView.as_view(), name="visits-archive"),
]
