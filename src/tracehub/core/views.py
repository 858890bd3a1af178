"""Pages of the platform core: home, console landing, and the error pages.

Error pages are rendered in the user's language (LocaleMiddleware has chosen it before any
of these run). Under the API prefixes the same errors are answered as problem details
(core.problems), since an integration client cannot read an HTML page.
"""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token
from django.views.generic import TemplateView

from tracehub.core.console import menu
from tracehub.core.context_processors import PLATFORM_NAME
from tracehub.core.problems import (
    NO_SUCH_RESOURCE,
    SECURITY,
    SERVER,
    VALIDATION,
    ApiProblem,
    problem_response,
)

log = logging.getLogger(__name__)

#: Paths answered by the JSON APIs (ninja): their errors are problem details, not pages.
API_PREFIXES = ("/api/", "/epcis/")


class HomeView(TemplateView):
    """The public front page: what the platform is, the code lookup, where to go next."""

    template_name = "core/home.html"


@login_required
def console_index(request: HttpRequest) -> HttpResponse:
    """The console landing page; other console pages extend the same layout (console/base.html).

    It lists as tiles every console page the user may open, from the console menu registry.
    """
    workspaces = [
        item
        for group in menu.for_user(request.user, request.path)
        for item in group.entries
        if item.key != "core.overview"
    ]
    return render(request, "console/index.html", {"workspaces": workspaces})


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIXES)


@requires_csrf_token
def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    if _is_api(request):
        return problem_response(ApiProblem(400, "Bad request", type=VALIDATION))
    return render(request, "400.html", status=400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    if _is_api(request):
        return problem_response(ApiProblem(403, "Forbidden", type=SECURITY))
    return render(request, "403.html", status=403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    if _is_api(request):
        return problem_response(ApiProblem(404, "Not found", type=NO_SUCH_RESOURCE))
    return render(request, "404.html", {"request_path": request.path}, status=404)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return problem_response(ApiProblem(500, "Internal error", type=SERVER))
    # No request context: whatever failed (the database, a context processor) must not fail
    # the error page too. base.html leaves out the user menu and language switch without it.
    template = loader.get_template("500.html")
    return HttpResponse(template.render({"platform_name": PLATFORM_NAME}), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid CSRF token (settings.CSRF_FAILURE_VIEW).

    The technical reason goes to the log, not to the page: the user is told what to do.
    """
    log.warning("CSRF failure on %s %s: %s", request.method, request.path, reason)
    if _is_api(request):
        return problem_response(ApiProblem(403, "CSRF verification failed", type=SECURITY))
    return render(request, "403_csrf.html", status=403)
