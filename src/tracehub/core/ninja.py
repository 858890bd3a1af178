"""NinjaAPI instances share one error envelope (core.problems) and one authentication.

Services raise Django's exceptions (DESIGN.md §2: they know nothing of HTTP); here they become
problems: ``ValidationError`` 400 naming each field by its path (in the API's camelCase),
``PermissionDenied`` 403, ``ObjectDoesNotExist`` 404, ``Conflict`` 409.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from tracehub.core.auth import ApiKeyAuth, BearerOrSessionAuth
from tracehub.core.errors import Conflict
from tracehub.core.problems import (
    CONFLICT,
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
    if loc and loc[0] in ("file", "form", "cookie"):
        loc = loc[1:]  # where the value came from, not part of its name
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "payload")]
    return ".".join(parts)


def camel_path(path: str) -> str:
    """``company_prefixes.1`` -> ``companyPrefixes.1``: a service's field name as the API spells it.

    Only the field itself is renamed; what follows (a list index, a key of a free-form object such
    as ``attributes.alcohol_strength``) is the caller's own and stays as sent."""
    field, dot, rest = path.partition(".")
    head, *words = field.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in words) + dot + rest


def validation_problem(exc: DjangoValidationError) -> ApiProblem:
    if hasattr(exc, "error_dict"):
        errors = [
            {"path": camel_path(field), "message": str(message)}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        errors = [{"path": "", "message": str(message)} for message in exc.messages]
    return ApiProblem(400, "Invalid request", type=VALIDATION, errors=errors)


def make_api(*, session: bool = False, **kwargs) -> NinjaAPI:
    """A NinjaAPI with the platform's problems; ``session`` also accepts console logins."""
    api = NinjaAPI(auth=BearerOrSessionAuth() if session else ApiKeyAuth(), **kwargs)

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

    @api.exception_handler(ObjectDoesNotExist)
    def _does_not_exist(request, exc):
        # One answer for "missing" and "not yours": existence must not leak (docs/permissions.md).
        return problem_response(ApiProblem(404, "Not found", type=NO_SUCH_RESOURCE))

    @api.exception_handler(PermissionDenied)
    def _forbidden(request, exc):
        return problem_response(ApiProblem(403, "Forbidden", type=SECURITY, detail=str(exc) or None))

    @api.exception_handler(DjangoValidationError)
    def _invalid(request, exc):
        return problem_response(validation_problem(exc))

    @api.exception_handler(Conflict)
    def _conflict(request, exc: Conflict):
        return problem_response(ApiProblem(409, "Conflict", type=CONFLICT, detail=str(exc.message)))

    @api.exception_handler(HttpError)
    def _http(request, exc: HttpError):
        return problem_response(ApiProblem(exc.status_code, str(exc), type=VALIDATION))

    @api.exception_handler(Exception)
    def _server(request, exc):
        # A 500 is a bug (README "Standards"); log it with its traceback, answer without one.
        log.exception("unhandled error on %s %s", request.method, request.path)
        return problem_response(ApiProblem(500, "Internal error", type=SERVER))

    return api
