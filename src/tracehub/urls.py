from django.contrib import admin
from django.urls import include, path

from tracehub.api import api_v1
from tracehub.epcis.api import epcis_api
from tracehub.portal.api import public_api
from tracehub.sectors import urls_liquor

urlpatterns = [
    path("admin/", admin.site.urls),
    path("epcis/", epcis_api.urls),
    # The anonymous consumer query API (portal) before the platform API that holds its prefix.
    path("api/v1/public/", public_api.urls),
    path("api/v1/", api_v1.urls),
    path("console/registry/import/", include("tracehub.registry.urls_import")),
    path("console/registry/", include("tracehub.registry.urls")),
    path("console/tracing/", include("tracehub.tracing.urls")),
    path("console/sectors/drug/", include("tracehub.sectors.urls_drug")),
    path("console/sectors/import_food/", include("tracehub.sectors.urls_import")),
    path("console/sectors/liquor/", include("tracehub.sectors.urls_liquor")),
    path("console/sectors/enterprise/", include("tracehub.sectors.urls_enterprise")),
    path("console/sectors/agri_input/", include("tracehub.sectors.urls_agri_input")),
    path("console/sectors/agri/", include("tracehub.sectors.urls_agri")),
    path("console/sectors/food/", include("tracehub.sectors.urls_food")),
    path("console/sectors/", include("tracehub.sectors.urls")),
    path("console/portal/", include("tracehub.portal.urls_console")),
    path("liquor/", include(urls_liquor.public_patterns)),
    path("", include("tracehub.core.urls")),
    # Last: the GS1 resolver and /t/ codes at the root (a compressed link is one path segment).
    path("", include("tracehub.portal.urls")),
]

# Error pages in the user's language; problem details under the API prefixes (core.views).
handler400 = "tracehub.core.views.bad_request"
handler403 = "tracehub.core.views.permission_denied"
handler404 = "tracehub.core.views.page_not_found"
handler500 = "tracehub.core.views.server_error"
