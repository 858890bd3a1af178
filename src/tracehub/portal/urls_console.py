"""Console URLs of the portal, under /console/portal/: consumer reports and authenticity alerts."""

from django.urls import path

from tracehub.portal import views

app_name = "portal-console"

urlpatterns = [
    path("reports/", views.report_list, name="report-list"),
    path("reports/<int:pk>/", views.report_detail, name="report-detail"),
    path("reports/<int:pk>/photo/", views.report_photo, name="report-photo"),
    path("alerts/", views.alert_list, name="alert-list"),
]
