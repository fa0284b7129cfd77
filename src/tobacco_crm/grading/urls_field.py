"""The field side of grading, under /grading/ (the names are used by other apps' templates:
the retailer page loads `grading-retailer-grade` with htmx)."""

from django.urls import path

from . import views_field as views

urlpatterns = [
    path(
        "retailer/<int:retailer_id>/grade/",
        views.RetailerGradeView.as_view(),
        name="grading-retailer-grade",
    ),
    path("grade/<int:pk>/sheet/", views.GradeSheetView.as_view(), name="grading-grade-sheet"),
    path("grade/<int:pk>/appeal/", views.AppealCreateView.as_view(), name="grading-appeal-create"),
    path("deductions/", views.DeductionListView.as_view(), name="grading-deduction-list"),
    path(
        "deductions/new/<int:retailer_id>/",
        views.DeductionCreateView.as_view(),
        name="grading-deduction-create",
    ),
    path(
        "deductions/<int:pk>/correct/",
        views.DeductionCorrectView.as_view(),
        name="grading-deduction-correct",
    ),
    path("indicators/", views.IndicatorEntryView.as_view(), name="grading-indicator-entry"),
]
