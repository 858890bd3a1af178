"""The farm produce API under /api/v1/sectors/agri (G4; 农业农村局): planting plots and livestock
farms, compliance certificates (承诺达标合格证), rapid residue tests (快检), market inspections
(市场查验), the information evaluation (信息评价) and the coverage statistics.

Lists answer 200 with what the caller may see (selectors_agri); another party's object is 404;
wrong fields are named in a 400 problem (``errors[].path``); the evaluation and the coverage are
for the agriculture bureau and the platform only (403 for everyone else).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from ninja import Query, Router, Schema, Status

from tracehub.core.problems import NO_SUCH_RESOURCE, SECURITY, VALIDATION, ApiProblem
from tracehub.identifiers import IdentifierError, canonical_key
from tracehub.registry.actors import Actor, actor_for_request
from tracehub.registry.models import Location, Party
from tracehub.sectors import selectors_agri as selectors
from tracehub.sectors.messages import api_error
from tracehub.sectors.models_agri import LivestockFarm, PlantingPlot, ProduceCertificate
from tracehub.sectors.services import StepRefused
from tracehub.sectors.services_agri import (
    AgriInvalid,
    certificate_issue,
    farm_create,
    farm_delete,
    farm_update,
    market_inspection_record,
    plot_create,
    plot_delete,
    plot_update,
    rapid_test_record,
)

router = Router(tags=["sectors: farm produce"])


def _invalid(exc: AgriInvalid, title: str = "Invalid record") -> ApiProblem:
    # English with the message's code and params, whatever the request language (issue #7 i18n).
    return ApiProblem(400, title, type=VALIDATION, errors=[api_error(k, m) for k, m in exc.errors.items()])


def _forbidden(detail: str) -> ApiProblem:
    return ApiProblem(403, "Forbidden", type=SECURITY, detail=detail)


@contextmanager
def _as_problem(title: str = "Invalid record") -> Iterator[None]:
    """A service's refusal as the API's problem: wrong fields (``AgriInvalid``) a 400 naming them,
    a party the caller may not act for (``PermissionDenied``) a 403."""
    try:
        yield
    except AgriInvalid as exc:
        raise _invalid(exc, title) from exc
    except PermissionDenied as exc:
        raise _forbidden(str(exc)) from exc


def _not_found(what: str) -> ApiProblem:
    return ApiProblem(404, f"No such {what}", type=NO_SUCH_RESOURCE)


def _require_writer(actor: Actor) -> None:
    if not (actor.sees_all or actor.acts_for_party):
        raise _forbidden("only a party's users and clients, and the platform, record farm produce data")


def _require_bureau(actor: Actor) -> None:
    if not (actor.sees_all or selectors.is_agri_official(actor)):
        raise _forbidden("the agriculture bureau's officials and the platform only")


def _party(actor: Actor, party_id: int | None) -> Party:
    """The party a record is written for: the caller's own, or (for the platform) ``party``."""
    if party_id is None:
        if actor.party_id is None:
            raise ApiProblem(
                400, "Invalid record", type=VALIDATION, errors=[{"path": "party", "message": "required"}]
            )
        party_id = actor.party_id
    party = Party.objects.filter(pk=party_id).first()
    if party is None or not selectors.may_see_party(actor, party):
        raise _not_found("party")
    return party


def _location(actor: Actor, identifier: str | None, path: str = "location") -> Location | None:
    if not identifier:
        return None
    try:
        key = canonical_key(identifier)
    except IdentifierError as exc:
        raise ApiProblem(
            400, "Invalid record", type=VALIDATION, errors=[{"path": path, "message": str(exc)}]
        ) from exc
    found = Location.objects.select_related("party", "operator").filter(key=key).first()
    if found is None:
        raise ApiProblem(
            400, "Invalid record", type=VALIDATION, errors=[{"path": path, "message": "no such location"}]
        )
    return found


# -- plots and farms -----------------------------------------------------------------------------


def plot_out(plot: PlantingPlot) -> dict[str, Any]:
    return {
        "id": plot.pk,
        "party": {"id": plot.party_id, "name": plot.party.name},
        "name": plot.name,
        "areaMu": str(plot.area_mu),
        "crop": plot.crop,
        "variety": plot.variety,
        "district": plot.district,
        "location": plot.location.identifier if plot.location else None,
    }


class PlotIn(Schema):
    party: int | None = None
    name: str
    areaMu: str  # noqa: N815 - JSON name
    crop: str
    variety: str
    district: str = ""
    location: str | None = None


class PlotPatch(Schema):
    name: str | None = None
    areaMu: str | None = None  # noqa: N815
    crop: str | None = None
    variety: str | None = None
    district: str | None = None


@router.get("/sectors/agri/plots", summary="Planting plots (种植地块) the caller may see")
def plots(request, q: str = "", limit: int = Query(200, ge=1, le=1000)):
    actor = actor_for_request(request)
    return [plot_out(p) for p in selectors.plots_for(actor, q=q)[:limit]]


@router.post("/sectors/agri/plots", response={201: dict}, summary="Record a planting plot")
def plot_new(request, payload: PlotIn):
    actor = actor_for_request(request)
    _require_writer(actor)
    party = _party(actor, payload.party)
    with _as_problem():
        plot = plot_create(
            actor=actor,
            party=party,
            name=payload.name,
            area_mu=payload.areaMu,
            crop=payload.crop,
            variety=payload.variety,
            district=payload.district,
            location=_location(actor, payload.location),
        )
    return Status(201, plot_out(plot))


def _own_plot(actor: Actor, plot_id: int) -> PlantingPlot:
    plot = selectors.plots_for(actor).filter(pk=plot_id).first()
    if plot is None:
        raise _not_found("plot")
    return plot


@router.patch("/sectors/agri/plots/{plot_id}", summary="Change a planting plot")
def plot_change(request, plot_id: int, payload: PlotPatch):
    actor = actor_for_request(request)
    plot = _own_plot(actor, plot_id)
    with _as_problem():
        plot_update(
            actor=actor,
            plot=plot,
            name=payload.name,
            area_mu=payload.areaMu,
            crop=payload.crop,
            variety=payload.variety,
            district=payload.district,
        )
    return plot_out(plot)


@router.delete("/sectors/agri/plots/{plot_id}", response={204: None}, summary="Delete a planting plot")
def plot_remove(request, plot_id: int):
    actor = actor_for_request(request)
    plot = _own_plot(actor, plot_id)
    try:
        plot_delete(actor=actor, plot=plot)
    except AgriInvalid as exc:
        raise ApiProblem(409, "Plot in use", type=VALIDATION, detail=str(exc.errors["plot"])) from exc
    except PermissionDenied as exc:
        raise _forbidden(str(exc)) from exc
    return Status(204, None)


def farm_out(farm: LivestockFarm) -> dict[str, Any]:
    return {
        "id": farm.pk,
        "party": {"id": farm.party_id, "name": farm.party.name},
        "name": farm.name,
        "species": farm.species,
        "headCount": farm.head_count,
        "annualOutput": farm.annual_output,
        "epidemicCertificate": farm.epidemic_certificate,
        "district": farm.district,
        "location": farm.location.identifier if farm.location else None,
    }


class FarmIn(Schema):
    party: int | None = None
    name: str
    species: str
    headCount: int  # noqa: N815
    annualOutput: int = 0  # noqa: N815
    epidemicCertificate: str = ""  # noqa: N815
    district: str = ""
    location: str | None = None


class FarmPatch(Schema):
    headCount: int | None = None  # noqa: N815
    annualOutput: int | None = None  # noqa: N815
    epidemicCertificate: str | None = None  # noqa: N815


@router.get("/sectors/agri/farms", summary="Livestock and poultry farms (畜禽养殖场) the caller may see")
def farms(request, limit: int = Query(200, ge=1, le=1000)):
    actor = actor_for_request(request)
    return [farm_out(f) for f in selectors.farms_for(actor)[:limit]]


@router.post("/sectors/agri/farms", response={201: dict}, summary="Record a livestock or poultry farm")
def farm_new(request, payload: FarmIn):
    actor = actor_for_request(request)
    _require_writer(actor)
    party = _party(actor, payload.party)
    with _as_problem():
        farm = farm_create(
            actor=actor,
            party=party,
            name=payload.name,
            species=payload.species,
            head_count=payload.headCount,
            annual_output=payload.annualOutput,
            epidemic_certificate=payload.epidemicCertificate,
            district=payload.district,
            location=_location(actor, payload.location),
        )
    return Status(201, farm_out(farm))


def _own_farm(actor: Actor, farm_id: int) -> LivestockFarm:
    farm = selectors.farms_for(actor).filter(pk=farm_id).first()
    if farm is None:
        raise _not_found("farm")
    return farm


@router.patch("/sectors/agri/farms/{farm_id}", summary="Change a farm's stock, output or certificate")
def farm_change(request, farm_id: int, payload: FarmPatch):
    actor = actor_for_request(request)
    farm = _own_farm(actor, farm_id)
    with _as_problem():
        farm_update(
            actor=actor,
            farm=farm,
            head_count=payload.headCount,
            annual_output=payload.annualOutput,
            epidemic_certificate=payload.epidemicCertificate,
        )
    return farm_out(farm)


@router.delete("/sectors/agri/farms/{farm_id}", response={204: None}, summary="Delete a farm")
def farm_remove(request, farm_id: int):
    actor = actor_for_request(request)
    farm = _own_farm(actor, farm_id)
    try:
        farm_delete(actor=actor, farm=farm)
    except PermissionDenied as exc:
        raise _forbidden(str(exc)) from exc
    return Status(204, None)


# -- certificates, tests, inspections -----------------------------------------------------------


def certificate_out(c: ProduceCertificate) -> dict[str, Any]:
    return {
        "number": c.number,
        "uri": c.uri,
        "producer": {"id": c.party_id, "name": c.party.name},
        "site": c.location.identifier,
        "plot": c.plot_id,
        "product": c.product_name,
        "lot": c.lot,
        "quantity": str(c.quantity),
        "unit": c.unit,
        "origin": c.origin,
        "productionDate": c.production_date.isoformat(),
        "commitments": c.commitments,
        "testBasis": c.test_basis,
        "contactPhone": c.contact_phone,
        "status": c.status,
        "issuedAt": c.issued_at.isoformat(),
        "eventID": c.event_id,
    }


class CertificateIn(Schema):
    location: str
    lot: str
    product: str
    quantity: str
    unit: str
    origin: str
    productionDate: str  # noqa: N815
    commitments: list[str]
    testBasis: str  # noqa: N815
    plot: int | None = None
    contactPhone: str = ""  # noqa: N815
    issuedAt: dt.datetime | None = None  # noqa: N815


@router.get(
    "/sectors/agri/certificates", summary="Compliance certificates (承诺达标合格证) the caller may see"
)
def certificates(request, q: str = "", status: str = "", limit: int = Query(200, ge=1, le=1000)):
    actor = actor_for_request(request)
    return [certificate_out(c) for c in selectors.certificates_for(actor, q=q, status=status)[:limit]]


@router.post(
    "/sectors/agri/certificates",
    response={201: dict},
    summary="Issue a compliance certificate for a lot (number allocated, certificate_issuing event captured)",
)
def certificate_new(request, payload: CertificateIn):
    actor = actor_for_request(request)
    _require_writer(actor)
    location = _location(actor, payload.location)
    plot = None
    if payload.plot is not None:
        plot = selectors.plots_for(actor).filter(pk=payload.plot).first()
        if plot is None:
            raise ApiProblem(
                400,
                "Invalid certificate",
                type=VALIDATION,
                errors=[{"path": "plot", "message": "no such plot"}],
            )
    try:
        found = certificate_issue(
            actor=actor,
            location=location,
            lot=payload.lot,
            product_name=payload.product,
            quantity=payload.quantity,
            unit=payload.unit,
            origin=payload.origin,
            production_date=payload.productionDate,
            commitments=payload.commitments,
            test_basis=payload.testBasis,
            plot=plot,
            contact_phone=payload.contactPhone,
            issued_at=payload.issuedAt,
        )
    except AgriInvalid as exc:
        raise _invalid(exc, "Invalid certificate") from exc
    except StepRefused as exc:
        raise ApiProblem(
            403 if exc.forbidden else 400,
            "Certificate refused",
            type=SECURITY if exc.forbidden else VALIDATION,
            errors=[api_error(e["field"], e) for e in exc.errors],
        ) from exc
    except PermissionDenied as exc:
        raise _forbidden(str(exc)) from exc
    return Status(201, certificate_out(found))


@router.get("/sectors/agri/certificates/{number}", summary="One compliance certificate")
def certificate(request, number: str):
    actor = actor_for_request(request)
    found = selectors.certificate_get(actor, number=number)
    if found is None:
        raise _not_found("certificate")
    return certificate_out(found)


def test_out(t) -> dict[str, Any]:
    return {
        "id": t.pk,
        "producer": {"id": t.party_id, "name": t.party.name},
        "lot": t.lot,
        "certificate": t.certificate.number if t.certificate else None,
        "sample": t.sample,
        "item": t.item,
        "method": t.method,
        "value": str(t.value),
        "limit": str(t.limit),
        "unit": t.unit,
        "passed": t.passed,
        "tester": t.tester,
        "testedAt": t.tested_at.isoformat(),
        "eventID": t.event_id or None,
    }


class TestIn(Schema):
    lot: str
    sample: str
    item: str
    value: str
    limit: str
    unit: str
    tester: str
    method: str = ""
    testedAt: dt.datetime | None = None  # noqa: N815
    certificate: str | None = None
    party: int | None = None
    location: str | None = None


@router.get("/sectors/agri/tests", summary="Rapid residue tests (快检) the caller may see")
def tests(request, lot: str = "", failed: bool = False, limit: int = Query(200, ge=1, le=1000)):
    actor = actor_for_request(request)
    return [test_out(t) for t in selectors.tests_for(actor, lot=lot, failed=failed)[:limit]]


@router.post("/sectors/agri/tests", response={201: dict}, summary="Record a rapid residue test")
def test_new(request, payload: TestIn):
    actor = actor_for_request(request)
    if not (actor.sees_all or actor.acts_for_party or selectors.is_agri_official(actor)):
        raise _forbidden("producers, the agriculture bureau and the platform record rapid tests")
    found_certificate = None
    if payload.certificate:
        found_certificate = selectors.certificate_get(actor, number=payload.certificate)
        if found_certificate is None:
            raise _not_found("certificate")
    party = _party(actor, payload.party) if payload.party is not None else None
    try:
        test = rapid_test_record(
            actor=actor,
            lot=payload.lot,
            sample=payload.sample,
            item=payload.item,
            value=payload.value,
            limit=payload.limit,
            unit=payload.unit,
            tester=payload.tester,
            method=payload.method,
            tested_at=payload.testedAt,
            certificate=found_certificate,
            party=party,
            location=_location(actor, payload.location),
        )
    except AgriInvalid as exc:
        raise _invalid(exc, "Invalid test") from exc
    except StepRefused as exc:
        raise ApiProblem(
            403 if exc.forbidden else 400,
            "Test refused",
            type=SECURITY if exc.forbidden else VALIDATION,
            errors=[api_error(e["field"], e) for e in exc.errors],
        ) from exc
    except PermissionDenied as exc:
        raise _forbidden(str(exc)) from exc
    return Status(201, test_out(test))


def inspection_out(i) -> dict[str, Any]:
    return {
        "id": i.pk,
        "market": i.market.identifier,
        "seller": {"id": i.seller_id, "name": i.seller.name},
        "lot": i.lot,
        "certificateNumber": i.certificate_number or None,
        "certificateCheck": i.certificate_check,
        "testResult": i.test_result,
        "outcome": i.outcome,
        "note": i.note,
        "inspector": i.inspector,
        "inspectedAt": i.inspected_at.isoformat(),
    }


class InspectionIn(Schema):
    market: str
    seller: int
    lot: str
    outcome: str
    certificateNumber: str = ""  # noqa: N815
    testResult: str = ""  # noqa: N815
    note: str = ""
    inspectedAt: dt.datetime | None = None  # noqa: N815


@router.get("/sectors/agri/inspections", summary="Market inspections (市场查验) the caller may see")
def inspections(request, limit: int = Query(200, ge=1, le=1000)):
    actor = actor_for_request(request)
    return [inspection_out(i) for i in selectors.inspections_for(actor)[:limit]]


@router.post(
    "/sectors/agri/inspections", response={201: dict}, summary="Record a market inspection (officials)"
)
def inspection_new(request, payload: InspectionIn):
    actor = actor_for_request(request)
    _require_bureau(actor)
    market = _location(actor, payload.market, "market")
    seller = Party.objects.filter(pk=payload.seller).first()
    if seller is None:
        raise ApiProblem(
            400,
            "Invalid inspection",
            type=VALIDATION,
            errors=[{"path": "seller", "message": "no such party"}],
        )
    with _as_problem("Invalid inspection"):
        inspection = market_inspection_record(
            actor=actor,
            market=market,
            seller=seller,
            lot=payload.lot,
            outcome=payload.outcome,
            certificate_number=payload.certificateNumber,
            test_result=payload.testResult,
            note=payload.note,
            inspected_at=payload.inspectedAt,
        )
    return Status(201, inspection_out(inspection))


# -- evaluation and coverage ---------------------------------------------------------------------


def score_out(s: selectors.PartyScore) -> dict[str, Any]:
    def share(v):
        return None if v is None else round(v, 4)

    return {
        "party": {"id": s.party.pk, "name": s.party.name, "district": s.party.district},
        "certificates": s.certificates,
        "plots": s.plots,
        "farms": s.farms,
        "tests": s.tests,
        "completeness": share(s.completeness),
        "timeliness": share(s.timeliness),
        "passShare": share(s.pass_share),
        "score": s.score,
        "grade": s.grade,
    }


@router.get("/sectors/agri/evaluation", summary="Information evaluation (信息评价) per party (officials)")
def evaluation(
    request, sort: str = "-score", page: int = Query(1, ge=1), size: int = Query(50, ge=1, le=500)
):
    actor = actor_for_request(request)
    _require_bureau(actor)
    paginator = Paginator(selectors.evaluation(actor, sort=sort), size)
    current = paginator.get_page(page)
    return {
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
        "results": [score_out(s) for s in current.object_list],
    }


@router.get(
    "/sectors/agri/coverage", summary="Varieties and planted area covered by traceability (officials)"
)
def coverage(request):
    actor = actor_for_request(request)
    _require_bureau(actor)
    districts, total = selectors.coverage(actor)
    return {"districts": [d.as_json() for d in districts], "total": total.as_json()}
