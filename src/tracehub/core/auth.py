"""API authentication: `Authorization: Bearer <key>` for integration clients (P2), and for the
platform API also the console's logged-in session (officials and enterprise users, issue #3)."""

from __future__ import annotations

from ninja.security import HttpBearer
from ninja.utils import check_csrf

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


class BearerOrSessionAuth(ApiKeyAuth):
    """A bearer key if the request sends one, else the session of a logged-in console user.

    Under session authentication an unsafe method (POST, PUT, PATCH, DELETE) must carry the CSRF
    token as any Django form does (``X-CSRFToken`` header); a bearer key needs none, since a
    browser never sends it by itself.
    """

    def __call__(self, request):
        if request.headers.get("Authorization"):
            return super().__call__(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            raise _unauthorized("Log in, or send 'Authorization: Bearer <key>'.")
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE") and check_csrf(request) is not None:
            raise ApiProblem(
                403,
                "CSRF check failed",
                type=SECURITY,
                detail="A session-authenticated change needs the CSRF token in the X-CSRFToken header.",
            )
        request.api_client = None
        return user


def _unauthorized(detail: str) -> ApiProblem:
    return ApiProblem(
        401,
        "Authentication required",
        type=SECURITY,
        detail=detail,
        headers={"WWW-Authenticate": 'Bearer realm="tracehub"'},
    )
