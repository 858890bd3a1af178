from django.urls import path

from tracehub.sectors import views

app_name = "sectors"

urlpatterns = [
    path("", views.index, name="index"),
    path("meat_veg/<str:step>/", views.step_form, name="step"),
    path("meat_veg/<str:step>/import/", views.import_upload, name="import"),
    path("meat_veg/<str:step>/template.xlsx", views.template, name="template"),
    path("imports/<int:pk>/", views.import_detail, name="import-detail"),
    path("imports/<int:pk>/commit", views.import_commit, name="import-commit"),
    path("vouchers/<str:code>/", views.voucher, name="voucher"),
]
