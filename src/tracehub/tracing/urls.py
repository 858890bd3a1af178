"""Console pages of tracing, mounted at /console/tracing/ (issue #4 item 5)."""

from django.urls import path

from tracehub.tracing import views

app_name = "tracing"

urlpatterns = [
    path("", views.trace_page, name="trace"),
    path("destinations/", views.destination_page, name="destinations"),
    path("recalls/", views.recall_list_page, name="recall-list"),
    path("recalls/<str:recall_id>/", views.recall_detail_page, name="recall-detail"),
    path("findings/", views.finding_list_page, name="findings"),
]
