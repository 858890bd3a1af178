from django.contrib import admin
from django.urls import include, path

from tracehub.api import api_v1
from tracehub.epcis.api import epcis_api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("epcis/", epcis_api.urls),
    path("api/v1/", api_v1.urls),
    path("console/registry/import/", include("tracehub.registry.urls_import")),
    path("console/registry/", include("tracehub.registry.urls")),
    path("", include("tracehub.core.urls")),
]

# Error pages in the user's language; problem details under the API prefixes (core.views).
handler400 = "tracehub.core.views.bad_request"
handler403 = "tracehub.core.views.permission_denied"
handler404 = "tracehub.core.views.page_not_found"
handler500 = "tracehub.core.views.server_error"
