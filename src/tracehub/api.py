"""The platform API /api/v1/ (DESIGN.md §4): each app adds its router here.

It accepts an API key (``Authorization: Bearer``) or the session of a logged-in console user
(with the CSRF token on changes), so officials and enterprise users reach the same routes as
integrations, each seeing what docs/permissions.md grants their role.
"""

from ninja import Schema

from tracehub.core.ninja import make_api
from tracehub.registry.actors import actor_for_request
from tracehub.registry.api import router as registry_router
from tracehub.registry.api_codes import router as codes_router
from tracehub.registry.api_import import router as import_router
from tracehub.sectors.api import router as sectors_router
from tracehub.sectors.api_agri import router as agri_router
from tracehub.sectors.api_agri_input import router as agri_input_router
from tracehub.sectors.api_drug import router as drug_router
from tracehub.sectors.api_enterprise import router as enterprise_router
from tracehub.sectors.api_food import router as food_router
from tracehub.sectors.api_import_food import router as import_food_router
from tracehub.sectors.api_liquor import router as liquor_router
from tracehub.tracing.api import router as tracing_router

api_v1 = make_api(
    session=True,
    title="TraceHub platform API",
    version="1.0",
    urls_namespace="api_v1",
    description="Registry, traces, recalls, codes and exports of the TraceHub traceability platform.",
)


@api_v1.get("/health", auth=None, tags=["platform"], summary="Liveness check")
def health(request) -> dict:
    return {"status": "ok"}


class MeOut(Schema):
    name: str
    kind: str
    keyPrefix: str | None = None  # noqa: N815 - API field name
    role: str | None = None
    partyId: int | None = None  # noqa: N815
    department: str | None = None


@api_v1.get(
    "/me",
    response=MeOut,
    exclude_none=True,
    tags=["platform"],
    summary="Who is calling: the API client, or the logged-in user and their role",
)
def me(request):
    client = request.api_client
    if client is not None:
        return {"name": client.name, "kind": client.kind, "keyPrefix": client.key_prefix}
    actor = actor_for_request(request)
    profile = getattr(request.user, "profile", None)
    return {
        "name": request.user.get_username(),
        "kind": "user",
        "role": actor.kind,
        "partyId": actor.party_id,
        "department": profile.department.code if profile is not None and profile.department else None,
    }


api_v1.add_router("/", registry_router)
api_v1.add_router("/", import_router)
api_v1.add_router("/", codes_router)
api_v1.add_router("/", tracing_router)
api_v1.add_router("/", drug_router)
api_v1.add_router("/", import_food_router)
api_v1.add_router("/", liquor_router)
api_v1.add_router("/", enterprise_router)
api_v1.add_router("/", agri_input_router)
api_v1.add_router("/", agri_router)
api_v1.add_router("/", food_router)
api_v1.add_router("/", sectors_router)
