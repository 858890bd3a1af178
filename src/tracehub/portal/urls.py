"""Public URLs of the portal at the site root: the GS1 resolver, /t/ platform codes, search, reports.

Mounted last in the project's urls.py: the fully compressed Digital Link pattern matches a single
path segment and must not hide any other page.
"""

from django.urls import path, re_path

from tracehub.portal import views

app_name = "portal"

urlpatterns = [
    path(".well-known/gs1resolver", views.well_known, name="well-known"),
    path("lookup/", views.lookup, name="lookup"),
    path("report/", views.report, name="report"),
    path("t/<str:code>", views.resolve_platform, name="platform"),
    re_path(r"^(?P<path>(?:01|00|414|8004|gtin|sscc|gln|grai)/.+)$", views.resolve_gs1, name="resolve"),
    re_path(r"^(?P<segment>[A-Za-z0-9_-]{6,})$", views.resolve_compressed, name="compressed"),
]
