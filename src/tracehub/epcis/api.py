"""The EPCIS 2.0 REST binding under /epcis/ (GS1 EPCIS 2.0 §12; openapi.json of the binding).

Thin: each function parses its input, calls one service or selector and renders the answer;
errors are RFC 7807 problems naming each wrong field (core.problems).
"""

from __future__ import annotations

import io
from urllib.parse import urlencode

import orjson
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Schema

from tracehub.core.ninja import make_api
from tracehub.core.problems import (
    CAPTURE_LIMIT,
    NO_SUCH_RESOURCE,
    NOT_ACCEPTABLE,
    QUERY_PARAMETER,
    SECURITY,
    UNSUPPORTED_MEDIA,
    VALIDATION,
    ApiProblem,
)
from tracehub.epcis import selectors, services
from tracehub.epcis.models import CaptureErrorBehaviour, CaptureJob
from tracehub.epcis.query import (
    QueryParameterError,
    make_page_token,
    parse_query,
    read_page_token,
)
from tracehub.epcis.render import IdentifierFormatter, event_output, merged_namespaces, query_document
from tracehub.epcis.sources import media_kind
from tracehub.epcis.vocab import BIZ_STEP, DISPOSITION, EVENT_TYPES, canonical_term
from tracehub.epcis.xmlformat import render_query_document_xml
from tracehub.identifiers import IdentifierError, canonical_key
from tracehub.registry.capture import capture_refusal
from tracehub.registry.visibility import event_scope

epcis_api = make_api(
    title="TraceHub EPCIS 2.0 repository",
    version="2.0.0",
    urls_namespace="epcis",
    description="GS1 EPCIS 2.0 REST binding: capture, query and discovery of traceability events.",
)

VERSION_HEADERS = {
    "GS1-EPCIS-Version": "2.0.0",
    "GS1-CBV-Version": "2.0.0",
    "GS1-EPCIS-Min": "1.2.0",
    "GS1-EPCIS-Max": "2.0.0",
}
_CHUNK = 1024 * 1024


class CaptureJobOut(Schema):
    captureID: str
    createdAt: str
    finishedAt: str | None = None
    running: bool
    success: bool
    captureErrorBehaviour: str
    errors: list[dict]
    eventCount: int
    capturedCount: int
    duplicateCount: int
    errorCount: int


def _job_out(job: CaptureJob) -> dict:
    return {
        "captureID": job.capture_id,
        "createdAt": job.created_at.isoformat(),
        "finishedAt": job.finished_at.isoformat() if job.finished_at else None,
        "running": job.running,
        "success": job.status == "succeeded",
        "captureErrorBehaviour": job.error_behaviour,
        "errors": job.errors,
        "eventCount": job.event_count,
        "capturedCount": job.captured_count,
        "duplicateCount": job.duplicate_count,
        "errorCount": job.error_count,
    }


def _json(data, *, status: int = 200, content_type: str = "application/json", headers=None) -> HttpResponse:
    response = HttpResponse(orjson.dumps(data), status=status, content_type=content_type)
    for name, value in {**VERSION_HEADERS, **(headers or {})}.items():
        response[name] = value
    return response


# -- capture ---------------------------------------------------------------------------------


def _read_body(request: HttpRequest):
    """Check media type and size, then hand back (kind, stream, size, spool path)."""
    kind = media_kind(request.content_type)
    if kind is None and request.META.get("CONTENT_LENGTH") in (None, "", "0"):
        raise ApiProblem(400, "Empty body", type=VALIDATION, detail="The request has no document.")
    if kind is None:
        raise ApiProblem(
            415,
            "Unsupported media type",
            type=UNSUPPORTED_MEDIA,
            detail="Send application/ld+json, application/json or application/xml.",
        )
    limit = settings.TRACEHUB_CAPTURE_MAX_BYTES
    declared = request.META.get("CONTENT_LENGTH")
    if declared and declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    inline_max = settings.TRACEHUB_CAPTURE_INLINE_MAX_BYTES
    buffer = bytearray()
    spool = None
    total = 0
    try:
        while True:
            chunk = request.read(_CHUNK)
            if not chunk:
                break
            total += len(chunk)
            if total > limit:
                raise _too_large(limit)
            if spool is None:
                buffer.extend(chunk)
                if len(buffer) > inline_max:
                    spool = _SpoolWriter()
                    spool.write(bytes(buffer))
                    buffer = bytearray()
            else:
                spool.write(chunk)
    except ApiProblem:
        if spool is not None:
            spool.discard()
        raise
    if total == 0:
        raise ApiProblem(400, "Empty body", type=VALIDATION, detail="The request has no document.")
    if spool is not None:
        return kind, None, total, spool.close()
    return kind, io.BytesIO(bytes(buffer)), total, ""


class _SpoolWriter:
    def __init__(self) -> None:
        import uuid
        from pathlib import Path

        directory = Path(settings.TRACEHUB_CAPTURE_SPOOL_DIR)
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / f"{uuid.uuid4().hex}.body"
        self.fh = open(self.path, "wb")  # noqa: SIM115 - closed in close()/discard()

    def write(self, data: bytes) -> None:
        self.fh.write(data)

    def close(self) -> str:
        self.fh.close()
        return str(self.path)

    def discard(self) -> None:
        self.fh.close()
        self.path.unlink(missing_ok=True)


def _too_large(limit: int) -> ApiProblem:
    return ApiProblem(
        413,
        "Capture document too large",
        type=CAPTURE_LIMIT,
        detail=f"A capture document may have at most {limit} bytes; split it into several captures.",
    )


def _error_behaviour(request: HttpRequest) -> str:
    value = request.headers.get("GS1-Capture-Error-Behaviour", CaptureErrorBehaviour.ROLLBACK).strip().lower()
    if value not in CaptureErrorBehaviour.values:
        raise ApiProblem(
            400,
            "Invalid header",
            type=VALIDATION,
            errors=[{"path": "GS1-Capture-Error-Behaviour", "message": "expected rollback or proceed"}],
        )
    return value


def _capture(request: HttpRequest, *, single_event: bool) -> HttpResponse:
    refusal = capture_refusal(request.api_client)
    if refusal:
        # An unfiled or suspended party captures nothing (issue #3 item 5): refuse before reading.
        raise ApiProblem(403, "The client may not capture", type=SECURITY, detail=refusal)
    behaviour = _error_behaviour(request)
    kind, stream, size, spool_path = _read_body(request)
    if single_event and kind != "json":
        raise ApiProblem(
            415,
            "Unsupported media type",
            type=UNSUPPORTED_MEDIA,
            detail="POST /events takes one event as JSON-LD; send XML documents to /capture.",
        )
    job = services.capture_job_create(
        client=request.api_client,
        media_type=kind,
        size_bytes=size,
        error_behaviour=behaviour,
        spool_path=spool_path,
    )
    location = f"{request.path.rsplit('/', 1)[0]}/capture/{job.capture_id}"
    headers = {"Location": location}
    if spool_path:
        services.capture_job_enqueue(job=job)
        return _json(_job_out(job), status=202, headers=headers)
    outcome = services.capture_job_run(job=job, stream=stream, single_event=single_event)
    job = outcome.job
    if job.status == "failed" and job.captured_count == 0 and job.errors:
        # The document was refused whole: say so now, with every error (the job keeps them too).
        # 403 when the client may not capture some event (issue #3 item 5), else 400.
        raise ApiProblem(
            403 if outcome.forbidden else 400,
            "The client may not capture this document; nothing was stored"
            if outcome.forbidden
            else "The capture document is invalid; nothing was stored",
            type=SECURITY if outcome.forbidden else VALIDATION,
            detail=f"Capture job {job.capture_id}: {job.error_count or len(job.errors)} refused.",
            errors=job.errors,
            headers=headers,
        )
    return _json(_job_out(job), status=202 if not single_event else 201, headers=headers)


@epcis_api.post(
    "/capture",
    tags=["Capture"],
    summary="Capture an EPCIS document (JSON-LD or XML)",
    response={202: CaptureJobOut},
)
def capture(request):
    return _capture(request, single_event=False)


@epcis_api.get("/capture", tags=["Capture"], summary="This client's capture jobs, newest first")
def capture_list(request, perPage: int = 30, page: int = 1):  # noqa: N803 - binding names
    per_page = _per_page(perPage)
    if page < 1:
        raise ApiProblem(
            400,
            "Invalid request",
            type=QUERY_PARAMETER,
            errors=[{"path": "page", "message": "expected a page number from 1"}],
        )
    jobs = selectors.capture_job_list(client=request.api_client)[(page - 1) * per_page : page * per_page]
    return _json({"captureJobs": [_job_out(j) for j in jobs]})


@epcis_api.get(
    "/capture/{captureID}", tags=["Capture"], summary="One capture job", response={200: CaptureJobOut}
)
def capture_get(request, captureID: str):  # noqa: N803
    job = selectors.capture_job_get(capture_id=captureID, client=request.api_client)
    if job is None:
        raise ApiProblem(
            404,
            "No such capture job",
            type=NO_SUCH_RESOURCE,
            detail=f"No capture job {captureID} of this client.",
        )
    return _json(_job_out(job))


# -- queries ---------------------------------------------------------------------------------


def _per_page(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= settings.TRACEHUB_QUERY_MAX_PER_PAGE:
        raise ApiProblem(
            400,
            "Invalid query parameter",
            type=QUERY_PARAMETER,
            errors=[{"path": "perPage", "message": f"expected 1 to {settings.TRACEHUB_QUERY_MAX_PER_PAGE}"}],
        )
    return number


def _wants_xml(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    if not accept or "*/*" in accept or "json" in accept:
        return False
    if "xml" in accept:
        return True
    raise ApiProblem(
        406,
        "Not acceptable",
        type=NOT_ACCEPTABLE,
        detail="Ask for application/ld+json, application/json or application/xml.",
    )


def _query_response(request: HttpRequest, *, fixed: dict[str, str] | None = None) -> HttpResponse:
    wants_xml = _wants_xml(request)
    scope = event_scope(request.api_client)
    try:
        query = parse_query(request.GET, fixed=fixed)
        per_page = _per_page(request.GET.get("perPage", settings.TRACEHUB_QUERY_DEFAULT_PER_PAGE))
        after, returned = None, 0
        token = request.GET.get("nextPageToken")
        if token:
            after, returned = read_page_token(token, query=query)
    except QueryParameterError as exc:
        raise ApiProblem(400, "Invalid query parameter", type=QUERY_PARAMETER, errors=exc.errors) from exc
    if query.max_event_count is not None and not token:
        total = selectors.event_count(query, scope=scope)
        if total > query.max_event_count:
            raise ApiProblem(
                413,
                "Query too large",
                type="epcisException:QueryTooLargeException",
                detail=f"{total} events match; maxEventCount is {query.max_event_count}.",
            )
    page = selectors.event_page(query, per_page=per_page, after=after, returned=returned, scope=scope)
    fmt = IdentifierFormatter(selectors.known_company_prefixes())
    events = [event_output(e, page.declarations.get(e.id), fmt) for e in page.events]
    namespaces = merged_namespaces(page.events, page.declarations)
    headers = {}
    if page.next_after is not None:
        next_token = make_page_token(query=query, after=page.next_after, returned=page.returned_total)
        params = [(k, v) for k, v in request.GET.items() if k != "nextPageToken"]
        params.append(("nextPageToken", next_token))
        headers["Link"] = f'<{request.path}?{urlencode(params)}>; rel="next"'
        headers["GS1-Next-Page-Token"] = next_token
    if wants_xml:
        body = render_query_document_xml(
            events=events,
            namespaces=namespaces,
            query_name="SimpleEventQuery",
            creation_date=query_document(events=[], namespaces={})["creationDate"],
        )
        response = HttpResponse(body, content_type="application/xml")
        for name, value in {**VERSION_HEADERS, **headers}.items():
            response[name] = value
        return response
    content_type = (
        "application/ld+json" if "ld+json" in request.headers.get("Accept", "") else "application/json"
    )
    return _json(
        query_document(events=events, namespaces=namespaces), content_type=content_type, headers=headers
    )


@epcis_api.get("/events", tags=["Events"], summary="Query events (SimpleEventQuery parameters, paged)")
def events_query(request):
    return _query_response(request)


@epcis_api.post("/events", tags=["Capture"], summary="Capture one event", response={201: CaptureJobOut})
def event_capture(request):
    return _capture(request, single_event=True)


@epcis_api.get("/events/{path:eventID}", tags=["Events"], summary="One event by its eventID")
def event_get(request, eventID: str):  # noqa: N803
    return (
        _query_response(request, fixed={"EQ_eventID": eventID})
        if selectors.event_by_id(eventID, scope=event_scope(request.api_client))
        else _no_such("event", eventID)
    )


def _no_such(what: str, value: str):
    raise ApiProblem(404, f"No such {what}", type=NO_SUCH_RESOURCE, detail=f"No {what} {value} is stored.")


# -- discovery (top-level resources) -------------------------------------------------------

_RESOURCES = ["eventTypes", "epcs", "bizSteps", "bizLocations", "readPoints", "dispositions"]


@epcis_api.get("/", tags=["Discovery"], summary="The top-level resources")
def top_level(request):
    return _json(_RESOURCES)


def _listing(request, values: list[str], *, key_name: str) -> HttpResponse:
    return _json({"@set": values, "type": "Collection", "member": key_name})


def _discovery_params(request) -> tuple[int, str | None]:
    unknown = set(request.GET) - {"perPage", "nextPageToken"}
    if unknown:
        raise ApiProblem(
            400,
            "Invalid query parameter",
            type=QUERY_PARAMETER,
            errors=[{"path": n, "message": "unknown parameter"} for n in sorted(unknown)],
        )
    return _per_page(request.GET.get("perPage", settings.TRACEHUB_QUERY_DEFAULT_PER_PAGE)), request.GET.get(
        "nextPageToken"
    )


def _paged_list(request, values_fn) -> HttpResponse:
    per_page, after = _discovery_params(request)
    values = values_fn(per_page + 1, after)
    headers = {}
    if len(values) > per_page:
        values = values[:per_page]
        headers["Link"] = (
            f'<{request.path}?{urlencode({"perPage": per_page, "nextPageToken": values[-1]})}>; rel="next"'
        )
    return _json(values, headers=headers)


@epcis_api.get("/eventTypes", tags=["Discovery"], summary="Event types")
def event_types(request):
    _discovery_params(request)
    return _json(list(EVENT_TYPES))


@epcis_api.get("/eventTypes/{eventType}", tags=["Discovery"], summary="One event type's sub-resources")
def event_type_get(request, eventType: str):  # noqa: N803
    if eventType not in EVENT_TYPES:
        _no_such("event type", eventType)
    return _json(["events"])


@epcis_api.get("/eventTypes/{eventType}/events", tags=["Discovery"], summary="Events of one type")
def event_type_events(request, eventType: str):  # noqa: N803
    if eventType not in EVENT_TYPES:
        _no_such("event type", eventType)
    return _query_response(request, fixed={"eventType": eventType})


def _answer_keys(keys: list[str]) -> list[str]:
    fmt = IdentifierFormatter(selectors.known_company_prefixes())
    return [fmt.key(k) for k in keys]


def _checked_key(value: str, what: str) -> str:
    try:
        return canonical_key(value)
    except IdentifierError as exc:
        raise ApiProblem(
            400, f"Invalid {what}", type=QUERY_PARAMETER, errors=[{"path": what, "message": str(exc)}]
        ) from exc


@epcis_api.get("/epcs", tags=["Discovery"], summary="Identifiers that have events")
def epcs(request):
    return _paged_list(
        request,
        lambda n, after: _answer_keys(
            selectors.distinct_keys(
                ("epc", "child", "parent", "input", "output"),
                limit=n,
                after=after and _checked_key(after, "nextPageToken"),
                scope=event_scope(request.api_client),
            )
        ),
    )


@epcis_api.get("/epcs/{path:epc}/events", tags=["Discovery"], summary="Events of one identifier")
def epc_events(request, epc: str):
    _checked_key(epc, "epc")
    return _query_response(request, fixed={"MATCH_anyEPC": epc})


@epcis_api.get("/epcs/{path:epc}", tags=["Discovery"], summary="One identifier's sub-resources")
def epc_get(request, epc: str):
    _checked_key(epc, "epc")
    return _json(["events"])


def _vocab_routes(name: str, field: str, param: str, vocab) -> None:
    def listing(request):
        return _paged_list(
            request,
            lambda n, after: selectors.distinct_values(
                field, limit=n, after=after, scope=event_scope(request.api_client)
            ),
        )

    def one(request, value: str):
        if canonical_term(vocab, value) is None:
            raise ApiProblem(
                400,
                f"Invalid {name}",
                type=QUERY_PARAMETER,
                errors=[{"path": name, "message": f"{value!r} is not a CBV term nor a URI"}],
            )
        return _json(["events"])

    def events(request, value: str):
        return _query_response(request, fixed={param: value})

    epcis_api.get(
        f"/{name}s", tags=["Discovery"], summary=f"{name} values that occur", operation_id=f"{name}_list"
    )(listing)
    epcis_api.get(
        f"/{name}s/{{path:value}}/events",
        tags=["Discovery"],
        summary=f"Events by {name}",
        operation_id=f"{name}_events",
    )(events)
    epcis_api.get(
        f"/{name}s/{{path:value}}", tags=["Discovery"], summary=f"One {name}", operation_id=f"{name}_get"
    )(one)


def _location_routes(name: str, field: str, param: str) -> None:
    def listing(request):
        return _paged_list(
            request,
            lambda n, after: _answer_keys(
                selectors.distinct_values(
                    field,
                    limit=n,
                    after=after and _checked_key(after, "nextPageToken"),
                    scope=event_scope(request.api_client),
                )
            ),
        )

    def one(request, value: str):
        _checked_key(value, name)
        return _json(["events"])

    def events(request, value: str):
        _checked_key(value, name)
        return _query_response(request, fixed={param: value})

    epcis_api.get(
        f"/{name}s", tags=["Discovery"], summary=f"{name} values that occur", operation_id=f"{name}_list"
    )(listing)
    epcis_api.get(
        f"/{name}s/{{path:value}}/events",
        tags=["Discovery"],
        summary=f"Events by {name}",
        operation_id=f"{name}_events",
    )(events)
    epcis_api.get(
        f"/{name}s/{{path:value}}", tags=["Discovery"], summary=f"One {name}", operation_id=f"{name}_get"
    )(one)


_vocab_routes("bizStep", "biz_step", "EQ_bizStep", BIZ_STEP)
_vocab_routes("disposition", "disposition", "EQ_disposition", DISPOSITION)
_location_routes("bizLocation", "biz_location", "EQ_bizLocation")
_location_routes("readPoint", "read_point", "EQ_readPoint")
