"""URLs of the bulk import, under /console/registry/import/ (docs/import.md)."""

from django.urls import path

from tracehub.registry import views_import

app_name = "registry_import"

urlpatterns = [
    path("", views_import.import_index, name="index"),
    path("templates/<slug:kind>.<slug:file_format>", views_import.import_template, name="template"),
    path("<int:pk>/", views_import.import_batch, name="batch"),
    path("<int:pk>/commit/", views_import.import_commit, name="commit"),
]
