"""Console pages of the drug subsystem: /console/sectors/drug/ (G2)."""

from django.urls import path

from tracehub.sectors import views_drug as views

app_name = "sectors_drug"
SECTOR = {"sector": "drug"}

urlpatterns = [
    path("", views.index, name="index"),
    path("steps/<str:step>/", views.step_form, SECTOR, name="step"),
    path("steps/<str:step>/import/", views.import_upload, SECTOR, name="import"),
    path("steps/<str:step>/template.xlsx", views.template, SECTOR, name="template"),
    path("imports/<int:pk>/", views.import_detail, SECTOR, name="import-detail"),
    path("imports/<int:pk>/commit", views.import_commit, SECTOR, name="import-commit"),
    path("data-centre/", views.data_centre, name="data-centre"),
    path("cases/", views.cases, name="cases"),
    path("alerts/", views.alerts, name="alerts"),
    path("destinations/", views.destinations, name="destinations"),
]
