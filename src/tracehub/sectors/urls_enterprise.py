"""Console URLs of the enterprise full-chain subsystem (E2) at /console/sectors/enterprise/."""

from django.urls import path

from tracehub.sectors import views_enterprise as views

app_name = "enterprise"

urlpatterns = [
    path("", views.index, name="index"),
    path("stock/", views.stock, name="stock"),
    path("findings/", views.findings, name="findings"),
    path("imports/<int:pk>/", views.import_detail, name="import-detail"),
    path("imports/<int:pk>/commit", views.import_commit, name="import-commit"),
    path("<str:step>/", views.step_form, name="step"),
    path("<str:step>/import/", views.import_upload, name="import"),
    path("<str:step>/template.xlsx", views.template, name="template"),
]
