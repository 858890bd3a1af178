"""The platform API /api/v1/ (DESIGN.md §4): each app adds its router here."""

from ninja import Schema

from tracehub.core.ninja import make_api

api_v1 = make_api(
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
    keyPrefix: str  # noqa: N815 - API field name


@api_v1.get("/me", response=MeOut, tags=["platform"], summary="The API client making the request")
def me(request):
    client = request.api_client
    return {"name": client.name, "kind": client.kind, "keyPrefix": client.key_prefix}
