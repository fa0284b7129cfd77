"""URLs of the grading management screens, under /grading/manage/."""

from django.urls import path

from . import views_manage as views

urlpatterns = [
    path("manage/", views.HomeView.as_view(), name="grading-home"),
    # Policies.
    path("manage/policies/", views.PolicyListView.as_view(), name="grading-policy-list"),
    path("manage/policies/new/", views.PolicyCreateView.as_view(), name="grading-policy-create"),
    path("manage/policies/import/", views.PolicyImportView.as_view(), name="grading-policy-import"),
    path(
        "manage/policies/<int:pk>/", views.PolicyDetailView.as_view(), name="grading-policy-detail"
    ),
    path(
        "manage/policies/<int:pk>/edit/", views.PolicyEditView.as_view(), name="grading-policy-edit"
    ),
    path(
        "manage/policies/<int:pk>/export.json",
        views.PolicyExportView.as_view(),
        name="grading-policy-export",
    ),
    # Periods.
    path("manage/periods/", views.PeriodListView.as_view(), name="grading-period-list"),
    path("manage/periods/new/", views.PeriodCreateView.as_view(), name="grading-period-create"),
    # Runs.
    path("manage/runs/", views.RunListView.as_view(), name="grading-run-list"),
    path("manage/runs/start/", views.RunStartView.as_view(), name="grading-run-start"),
    path("manage/runs/<int:pk>/", views.RunDetailView.as_view(), name="grading-run-detail"),
    path(
        "manage/runs/<int:pk>/publish/", views.RunPublishView.as_view(), name="grading-run-publish"
    ),
    path(
        "manage/runs/<int:pk>/discard/", views.RunDiscardView.as_view(), name="grading-run-discard"
    ),
    path("manage/runs/<int:pk>/grades/", views.RunGradesView.as_view(), name="grading-run-grades"),
    path(
        "manage/runs/<int:pk>/grades/export.xlsx",
        views.RunExportView.as_view(),
        name="grading-run-export",
    ),
    # Appeals.
    path("manage/appeals/", views.AppealListView.as_view(), name="grading-appeal-list"),
    path(
        "manage/appeals/<int:pk>/", views.AppealReviewView.as_view(), name="grading-appeal-review"
    ),
]
