"""The consumer query API (/api/v1/public/…): what the product page shows, as JSON.

Anonymous, read-only, rate-limited per client (its keyed digest, in the Django cache). A separate
NinjaAPI from the platform API (/api/v1/), so that nothing of it takes a key or a session: its
routes are listed in docs/permissions.md ("Public consumer API"). A look-up here is not counted as
a scan: scans are what the page counts (docs/portal.md).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from tracehub.core.ninja import make_api
from tracehub.core.problems import NO_SUCH_RESOURCE, ApiProblem
from tracehub.identifiers import IdentifierError
from tracehub.portal import codes, selectors, views
from tracehub.portal.models import AlertKind
from tracehub.portal.schemas import CodeOut, DrugQueryOut
from tracehub.registry.models import FilingStatus

public_api = make_api(
    title="TraceHub consumer query API",
    version="1.0",
    urls_namespace="api_public",
    description=(
        "Anonymous, read-only look-ups of product codes: product, producer, supply chain, certificates, "
        "recalls (一站式查询). Field names and their Chinese data-set names: docs/portal.md."
    ),
)


def _limit(request: HttpRequest) -> None:
    if views.rate_limited("api", views.client_address(request), settings.TRACEHUB_PORTAL_API_PER_MINUTE, 60):
        raise ApiProblem(429, "Too many requests", detail="Rate limit of the consumer query API exceeded.")


def _ref(code: str):
    try:
        return codes.from_text(code)
    except IdentifierError as exc:
        raise ApiProblem(400, "Invalid request", errors=[{"path": "code", "message": str(exc)}]) from None


def _step(step: dict) -> dict:
    return {
        "time": step["time"],
        "step": step["step"],
        "stepLabel": step["label"],
        "place": step["place"],
        "district": step["district"],
        "holder": step["holder"],
        "documents": [
            {"kind": kind, "label": str(selectors.PUBLIC_DOCUMENTS.get(kind, kind)), "number": number}
            for kind, number in step["documents"]
        ],
        "inspections": step["inspections"],
    }


def code_answer(request: HttpRequest, ref) -> dict:
    data = views.story(ref)
    if data is None:
        raise ApiProblem(
            404, "Not found", type=NO_SUCH_RESOURCE, detail="No product or event is known for this code."
        )
    product = data["product"]
    own = data["own"]
    counter = selectors.counter_get(ref.key)
    warnings = []
    if own.sold_at is not None and ref.kind in ("serial", "platform"):
        warnings.append(AlertKind.ALREADY_SOLD.value)
    if ref.kind in ("serial", "platform") and not own.commissioned:
        allocation = data["allocation"] if ref.kind == "platform" else selectors.allocation_for(ref)
        if allocation is None:
            warnings.append(AlertKind.NEVER_COMMISSIONED.value)
    ilmd = own.ilmd
    production = str(ilmd.get("productionDate", "") or "")
    expiry = str(ilmd.get("itemExpirationDate", "") or "")
    answer = {
        "code": ref.display,
        "key": ref.key,
        "kind": ref.kind,
        "digitalLink": ref.digital_link,
        "pageUrl": request.build_absolute_uri(ref.path),
        "lot": data["lot"],
        "productionDate": production,
        "expiryDate": expiry,
        "origin": _step(data["origin"]) if data["origin"] else None,
        "chain": [_step(step) for step in data["steps"]],
        "certificates": [
            {"kind": b["kind"], "label": b["label"], "number": b["number"]}
            for b in data["badges"]
            if b["kind"] not in ("inspection", "sensor")
        ],
        "recall": (
            {
                "recallId": data["recall"]["recall_id"],
                "reason": data["recall"]["reason"],
                "declaredAt": data["recall"]["declared_at"],
            }
            if data["recall"]
            else None
        ),
        "lookups": {
            "count": counter.count if counter else 0,
            "firstAt": counter.first_at if counter else None,
        },
        "warnings": warnings,
    }
    if product:
        party = product["party"]
        answer["product"] = {
            "gtin": product["gtin"],
            "name": product["name"],
            "nameEn": product["name_en"],
            "brand": product["brand"],
            "category": product["category"],
            "specification": product["specification"],
            "sectors": product["sectors"],
            "attributes": product["attributes"],
        }
        answer["producer"] = {
            "name": party["name"],
            "nameEn": party["name_en"],
            "filingStatus": party["filing_status"],
            "filingStatusLabel": str(FilingStatus(party["filing_status"]).label),
            "filingNumber": party["filing_number"],
            "country": party["country"],
        }
        if "drug" in product["sectors"]:
            answer["drug"] = _drug(ref, product, data, production, expiry)
    return answer


def _drug(ref, product: dict, data: dict, production: str, expiry: str) -> dict:
    attributes = product["attributes"]
    name = product["name"]
    generic = name.split(" ", 1)[0]
    return DrugQueryOut(
        drugGenericName=generic,
        dosageForm=str(attributes.get("dosage_form", "")),
        specification=product["specification"] or (name.split(" ", 1)[1] if " " in name else ""),
        approvalNumber=str(attributes.get("approval_number", "")),
        marketingAuthorizationHolder=product["party"]["name"],
        manufacturer=product["party"]["name"],
        productionDate=production,
        expiryDate=expiry,
        batchNumber=data["lot"],
        traceCode=ref.display,
        dispensed=data["own"].sold_at is not None,
    ).model_dump()


@public_api.get(
    "/codes",
    auth=None,
    response=CodeOut,
    tags=["public"],
    summary="Look up any product code: product, producer, chain, certificates, recall",
)
def code_lookup(request, code: str):
    """``code``: a GS1 Digital Link (compressed or not), element strings, an EPC URN, a resolver
    path, a platform code (drug 20 digits …) or a GTIN."""
    _limit(request)
    return code_answer(request, _ref(code))


@public_api.get(
    "/drugs",
    auth=None,
    response=DrugQueryOut,
    tags=["public"],
    summary="The drug consumer query data set (药品追溯消费者查询) of a drug trace code",
)
def drug_lookup(request, code: str):
    _limit(request)
    answer = code_answer(request, _ref(code))
    if answer.get("drug") is None:
        raise ApiProblem(404, "Not found", type=NO_SUCH_RESOURCE, detail="This code is not a drug's code.")
    return answer["drug"]
