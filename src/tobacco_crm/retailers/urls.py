from django.urls import path

from . import views

urlpatterns = [
    path("", views.RetailerListView.as_view(), name="retailer-list"),
    path("export.xlsx", views.RetailerExportView.as_view(), name="retailer-export"),
    path("import/", views.RetailerImportView.as_view(), name="retailer-import"),
    path("import/template.xlsx", views.RetailerTemplateView.as_view(), name="retailer-template"),
    path("<int:pk>/", views.RetailerDetailView.as_view(), name="retailer-detail"),
    path("<int:pk>/edit/", views.RetailerEditView.as_view(), name="retailer-edit"),
]
