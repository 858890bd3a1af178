"""Request hygiene shared by every page and API."""

from __future__ import annotations

from tracehub.core.problems import QUERY_PARAMETER, ApiProblem, problem_response


class RejectNulMiddleware:
    """Refuse a NUL character in the path or query string with a 400.

    No identifier, parameter or path segment may contain one, and PostgreSQL cannot store or
    compare text that does: caught here once, it cannot reach a query and become a 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        bad = ["path"] if "\x00" in request.path else []
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                bad.append(key.replace("\x00", "\\x00"))
        if bad:
            return problem_response(
                ApiProblem(
                    400,
                    "Invalid request",
                    type=QUERY_PARAMETER,
                    detail="The path or a query parameter contains a NUL character.",
                    errors=[{"path": name, "message": "contains a NUL character"} for name in bad],
                )
            )
        return self.get_response(request)
