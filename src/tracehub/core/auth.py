"""API authentication: `Authorization: Bearer <key>` for integration clients (P2)."""

from __future__ import annotations

from ninja.security import HttpBearer

from tracehub.accounts.selectors import api_client_for_key
from tracehub.core.problems import SECURITY, ApiProblem


class ApiKeyAuth(HttpBearer):
    """Bearer-key authentication; a missing, wrong, expired or revoked key is a 401 problem."""

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        if not header:
            raise _unauthorized("No API key: send 'Authorization: Bearer <key>'.")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthorized("The Authorization header must be 'Bearer <key>'.")
        return self.authenticate(request, token.strip())

    def authenticate(self, request, token: str):
        client = api_client_for_key(token)
        if client is None:
            raise _unauthorized("The API key is unknown, revoked or expired.")
        request.api_client = client
        return client


def _unauthorized(detail: str) -> ApiProblem:
    return ApiProblem(
        401,
        "Authentication required",
        type=SECURITY,
        detail=detail,
        headers={"WWW-Authenticate": 'Bearer realm="tracehub"'},
    )
