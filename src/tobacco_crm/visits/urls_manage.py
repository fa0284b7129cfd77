"""The service standard's screens (服务标准), included at /visits/manage/."""

from django.urls import path

from . import views_standard

urlpatterns = [
    path("standard/", views_standard.StandardView.as_view(), name="visits-standard"),
    path("standard/edit/", views_standard.StandardEditView.as_view(), name="visits-standard-edit"),
]
