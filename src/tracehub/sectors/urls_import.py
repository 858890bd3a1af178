"""Console pages of the imported-food subsystem: /console/sectors/import_food/ (G6)."""

from django.urls import path

from tracehub.sectors import views_drug, views_import

app_name = "sectors_import"
SECTOR = {"sector": "import_food"}

urlpatterns = [
    path("", views_import.index, name="index"),
    path("steps/<str:step>/", views_drug.step_form, SECTOR, name="step"),
    path("steps/<str:step>/import/", views_drug.import_upload, SECTOR, name="import"),
    path("steps/<str:step>/template.xlsx", views_drug.template, SECTOR, name="template"),
    path("imports/<int:pk>/", views_drug.import_detail, SECTOR, name="import-detail"),
    path("imports/<int:pk>/commit", views_drug.import_commit, SECTOR, name="import-commit"),
    path("records/<int:pk>/", views_import.record, name="record"),
    path("records/<int:pk>/delete", views_import.record_delete, name="record-delete"),
    path("producers/", views_import.producers, name="producers"),
]
