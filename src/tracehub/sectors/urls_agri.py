"""Console pages of the farm produce subsystem (G4): /console/sectors/agri/ (namespace ``agri``)."""

from django.urls import path

from tracehub.sectors import views_agri as views

app_name = "sectors_agri"

urlpatterns = [
    path("", views.index, name="index"),
    path("plots/new", views.plot_new, name="plot-new"),
    path("plots/<int:pk>/", views.plot_edit, name="plot-edit"),
    path("plots/<int:pk>/delete", views.plot_remove, name="plot-delete"),
    path("farms/new", views.farm_new, name="farm-new"),
    path("farms/<int:pk>/delete", views.farm_remove, name="farm-delete"),
    path("certificates/new", views.certificate_new, name="certificate-new"),
    path("certificates/<str:number>/", views.certificate, name="certificate"),
    path("tests/new", views.test_new, name="test-new"),
    path("inspections/new", views.inspection_new, name="inspection-new"),
    path("import/<str:kind>/", views.excel_import, name="import"),
    path("import/<str:kind>/template.xlsx", views.excel_template, name="template"),
    path("evaluation/", views.evaluation, name="evaluation"),
    path("coverage/", views.coverage, name="coverage"),
]
