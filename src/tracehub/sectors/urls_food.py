"""Console pages of the food subsystem: /console/sectors/food/ (G1)."""

from django.urls import path

from tracehub.sectors import views_drug, views_food

app_name = "sectors_food"
SECTOR = {"sector": "food"}

urlpatterns = [
    path("", views_food.index, name="index"),
    path("steps/<str:step>/", views_food.step_form, name="step"),
    path("steps/<str:step>/import/", views_drug.import_upload, SECTOR, name="import"),
    path("steps/<str:step>/template.xlsx", views_drug.template, SECTOR, name="template"),
    path("imports/<int:pk>/", views_drug.import_detail, SECTOR, name="import-detail"),
    path("imports/<int:pk>/commit", views_drug.import_commit, SECTOR, name="import-commit"),
]
