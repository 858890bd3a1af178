"""URLs of the liquor subsystem (G3): ``public_patterns`` at /liquor/ (no sign-in), ``urlpatterns`` in
the console at /console/sectors/liquor/ (namespace ``liquor``)."""

from django.urls import path

from tracehub.sectors import views_liquor as views

app_name = "liquor"

urlpatterns = [
    path("", views.index, name="index"),
    path("imports/<int:pk>/", views.import_detail, name="import-detail"),
    path("imports/<int:pk>/commit", views.import_commit, name="import-commit"),
    path("slips/<str:number>/", views.slip, name="slip"),
    path("filings/new", views.filing_apply, name="filing-apply"),
    path("filings/<int:pk>/approve", views.filing_approve, name="filing-approve"),
    path("products/new", views.product_register, name="product-register"),
    path("products/<int:pk>/certify", views.product_certify, name="product-certify"),
    path("<str:step>/", views.step_form, name="step"),
    path("<str:step>/import/", views.import_upload, name="import"),
    path("<str:step>/template.xlsx", views.template, name="template"),
]

#: The public pages (公示, 网络推广), mounted at /liquor/ under the namespace ``liquor_public``.
public_patterns = (
    [
        path("", views.public_list, name="list"),
        path("catalogue/", views.public_catalogue, name="catalogue"),
    ],
    "liquor_public",
)
