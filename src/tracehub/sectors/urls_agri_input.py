"""Console pages of the farm inputs subsystem: /console/sectors/agri_input/ (G5)."""

from django.urls import path

from tracehub.sectors import views_agri_input as views

app_name = "sectors_agri_input"

urlpatterns = [
    path("", views.index, name="index"),
    path("ledger/", views.ledger_list, name="ledger"),
    path("ledger/export.csv", views.ledger_export, name="export"),
    path("ledger/<int:pk>/buyer-id", views.buyer_reveal, name="reveal"),
    path("stock/", views.stock, name="stock"),
    path("usages/", views.usages, name="usages"),
    # Before the ledgers' <str:ledger>/ patterns, which "usages" would otherwise match.
    path("usages/import/", views.usage_import, name="usage-import"),
    path("usages/template.xlsx", views.usage_template, name="usage-template"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("outlets/", views.outlets, name="outlets"),
    path("outlets/<int:pk>/undesignate", views.outlet_undesignate, name="undesignate"),
    path("<str:ledger>/new/", views.ledger_form, name="form"),
    path("<str:ledger>/import/", views.ledger_import, name="import"),
    path("<str:ledger>/template.xlsx", views.template, name="template"),
]
