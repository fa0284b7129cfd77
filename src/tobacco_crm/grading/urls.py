"""Grading screens: the field side (deductions, indicators, a retailer's grade, its sheet and
appeals) and the management side (policies, periods, runs, appeal reviews, grade lists)."""

from django.urls import include, path

urlpatterns = [
    path("", include("tobacco_crm.grading.urls_field")),
    path("", include("tobacco_crm.grading.urls_manage")),
]
