from django.contrib import admin
from django.urls import path

from tracehub.api import api_v1
from tracehub.epcis.api import epcis_api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("epcis/", epcis_api.urls),
    path("api/v1/", api_v1.urls),
]
