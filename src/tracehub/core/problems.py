"""One error envelope for every API: RFC 7807 problem details, as the EPCIS 2.0 REST binding uses.

Every 4xx names what is wrong: ``errors`` lists each field by its path (and, for capture, the
event index and eventID), so a sender can fix its document without guessing.
"""

from __future__ import annotations

from typing import Any

import orjson
from django.http import HttpResponse

PROBLEM_CONTENT_TYPE = "application/problem+json"

#: EPCIS 2.0 REST binding exception types (openapi.json, "epcisException:…").
VALIDATION = "epcisException:ValidationException"
QUERY_PARAMETER = "epcisException:QueryParameterException"
NO_SUCH_RESOURCE = "epcisException:NoSuchResourceException"
NO_SUCH_NAME = "epcisException:NoSuchNameException"
SECURITY = "epcisException:SecurityException"
CAPTURE_LIMIT = "epcisException:CaptureLimitExceededException"
UNSUPPORTED_MEDIA = "epcisException:UnsupportedMediaTypeException"
NOT_ACCEPTABLE = "epcisException:NotAcceptableException"
METHOD_NOT_ALLOWED = "epcisException:MethodNotAllowedException"
CONFLICT = "epcisException:ConflictException"
SERVER = "epcisException:ImplementationException"


class ApiProblem(Exception):
    """Raised anywhere below an API function; rendered as a problem response."""

    def __init__(
        self,
        status: int,
        title: str,
        *,
        type: str = VALIDATION,  # noqa: A002 - the RFC 7807 member name
        detail: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(title)
        self.status = status
        self.title = title
        self.type = type
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        data: dict[str, Any] = {"type": self.type, "title": self.title, "status": self.status}
        if self.detail:
            data["detail"] = self.detail
        if self.errors:
            data["errors"] = self.errors
        return data


def problem_response(problem: ApiProblem) -> HttpResponse:
    response = HttpResponse(
        orjson.dumps(problem.body()), status=problem.status, content_type=PROBLEM_CONTENT_TYPE
    )
    for name, value in problem.headers.items():
        response[name] = value
    return response
