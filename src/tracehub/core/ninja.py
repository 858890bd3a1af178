"""NinjaAPI instances share one error envelope (core.problems) and one authentication."""

from __future__ import annotations

import logging

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from tracehub.core.auth import ApiKeyAuth
from tracehub.core.problems import (
    NO_SUCH_RESOURCE,
    QUERY_PARAMETER,
    SECURITY,
    SERVER,
    VALIDATION,
    ApiProblem,
    problem_response,
)

log = logging.getLogger(__name__)


def _loc_path(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "payload")]
    return ".".join(parts)


def make_api(**kwargs) -> NinjaAPI:
    api = NinjaAPI(auth=ApiKeyAuth(), **kwargs)

    @api.exception_handler(ApiProblem)
    def _problem(request, exc: ApiProblem):
        return problem_response(exc)

    @api.exception_handler(NinjaValidationError)
    def _validation(request, exc: NinjaValidationError):
        errors = [{"path": _loc_path(e.get("loc", ())), "message": e.get("msg", "")} for e in exc.errors]
        kind = QUERY_PARAMETER if any("query" in e.get("loc", ()) for e in exc.errors) else VALIDATION
        return problem_response(ApiProblem(400, "Invalid request", type=kind, errors=errors))

    @api.exception_handler(AuthenticationError)
    def _auth(request, exc):
        return problem_response(
            ApiProblem(401, "Authentication required", type=SECURITY, headers={"WWW-Authenticate": "Bearer"})
        )

    @api.exception_handler(Http404)
    def _not_found(request, exc):
        return problem_response(ApiProblem(404, "Not found", type=NO_SUCH_RESOURCE, detail=str(exc) or None))

    @api.exception_handler(HttpError)
    def _http(request, exc: HttpError):
        return problem_response(ApiProblem(exc.status_code, str(exc), type=VALIDATION))

    @api.exception_handler(Exception)
    def _server(request, exc):
        # A 500 is a bug (README "Standards"); log it with its traceback, answer without one.
        log.exception("unhandled error on %s %s", request.method, request.path)
        return problem_response(ApiProblem(500, "Internal error", type=SERVER))

    return api
