"""The registry under /api/v1/ (issue #3 item 9): parties, filings, licences, locations, products, audit.

Thin: each function reads its input, calls one selector or service with the request's actor, and
shapes the answer. Who may do what is decided by the services and selectors (docs/permissions.md);
their exceptions become problems in ``tracehub.core.ninja`` (400 naming fields, 403, 404, 409).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from ninja import File, Router, Status, UploadedFile

from tracehub.accounts.models import ApiClient, District, Sector
from tracehub.accounts.selectors import department_list
from tracehub.registry import schemas as s
from tracehub.registry import selectors, services
from tracehub.registry.actors import actor_for_request
from tracehub.registry.models import (
    Filing,
    FilingAction,
    FilingStatus,
    Licence,
    LicenceKind,
    Location,
    LocationKind,
    Party,
    PartyType,
    Product,
)

router = Router(by_alias=True)

MAX_LIMIT = settings.TRACEHUB_API_MAX_LIMIT
DEFAULT_LIMIT = settings.TRACEHUB_API_DEFAULT_LIMIT


def _page(qs, limit: int, offset: int, shape) -> dict:
    return {
        "count": qs.count(),
        "limit": limit,
        "offset": offset,
        "items": [shape(o) for o in qs[offset : offset + limit]],
    }


def _paging(limit: int, offset: int) -> None:
    errors = {}
    if not 1 <= limit <= MAX_LIMIT:
        errors["limit"] = [_("Expected 1 to %(n)d.") % {"n": MAX_LIMIT}]
    if offset < 0:
        errors["offset"] = [_("Expected 0 or more.")]
    if errors:
        raise ValidationError(errors)


def _own_party(request, party_id: int | None) -> Party:
    """The party named in the body, or the caller's own when it acts for one."""
    actor = actor_for_request(request)
    if party_id is None:
        if actor.party_id is None:
            raise ValidationError({"party_id": [_("Name the party (partyId).")]})
        party_id = actor.party_id
    return selectors.party_get(actor=actor, pk=party_id)


def _any_party(field: str, party_id: int | None) -> Party | None:
    """A party named as a reference (a stall's operator): any registered party."""
    if party_id is None:
        return None
    party = Party.objects.filter(pk=party_id).first()
    if party is None:
        raise ValidationError({field: [_("No such party.")]})
    return party


def _float(value):
    return float(value) if value is not None else None


# -- shapes ---------------------------------------------------------------------------------------------


def party_out(p: Party) -> dict:
    return {
        "id": p.pk,
        "name": p.name,
        "name_en": p.name_en,
        "party_type": p.party_type,
        "id_kind": p.id_kind,
        "uscc": p.uscc,
        "id_number_masked": p.id_number_masked,
        "foreign_id": p.foreign_id,
        "country": p.country,
        "district": p.district,
        "address": p.address,
        "contact_name": p.contact_name,
        "contact_phone": p.contact_phone,
        "contact_email": p.contact_email,
        "pgln": p.pgln,
        "company_prefixes": [x.prefix for x in p.prefixes.all()],
        "sectors": [x.sector for x in p.sectors.all()],
        "filing_status": p.filing_status,
        "filing_number": p.filing_number,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
    }


def filing_out(f: Filing) -> dict:
    return {
        "id": f.pk,
        "party_id": f.party_id,
        "party_name": f.party.name,
        "status": f.status,
        "number": f.number,
        "note": f.note,
        "submitted_at": f.submitted_at,
        "decided_at": f.decided_at,
        "last_reason": f.last_reason,
        "steps": [
            {
                "action": st.action,
                "from_status": st.from_status,
                "to_status": st.to_status,
                "at": st.at,
                "actor": st.actor_label,
                "reason": st.reason,
            }
            for st in f.steps.all()
        ],
    }


def licence_out(lic: Licence) -> dict:
    return {
        "id": lic.pk,
        "party_id": lic.party_id,
        "kind": lic.kind,
        "number": lic.number,
        "issuer": lic.issuer,
        "valid_from": lic.valid_from,
        "valid_until": lic.valid_until,
        "expiring_soon": selectors.licence_is_expiring(lic),
        "has_file": bool(lic.file),
        "file_type": lic.file_type,
        "file_size": lic.file_size,
        "created_at": lic.created_at,
        "updated_at": lic.updated_at,
    }


def location_out(loc: Location) -> dict:
    return {
        "id": loc.pk,
        "party_id": loc.party_id,
        "operator_id": loc.operator_id,
        "key": loc.key,
        "identifier": loc.identifier,
        "id_kind": loc.id_kind,
        "name": loc.name,
        "name_en": loc.name_en,
        "kind": loc.kind,
        "address": loc.address,
        "district": loc.district,
        "latitude": _float(loc.latitude),
        "longitude": _float(loc.longitude),
        "area_mu": _float(loc.area_mu),
        "crop": loc.crop,
        "variety": loc.variety,
        "active": loc.active,
    }


def product_out(p: Product) -> dict:
    return {
        "id": p.pk,
        "party_id": p.party_id,
        "key": p.key,
        "gtin": p.gtin,
        "platform_code": p.platform_code,
        "name": p.name,
        "name_en": p.name_en,
        "brand": p.brand,
        "category": p.category,
        "specification": p.specification,
        "unit": p.unit,
        "shelf_life_days": p.shelf_life_days,
        "sectors": [x.sector for x in p.sectors.all()],
        "attributes": p.attributes,
        "active": p.active,
    }


def client_out(c: ApiClient) -> dict:
    return {
        "name": c.name,
        "key_prefix": c.key_prefix,
        "created_at": c.created_at,
        "expires_at": c.expires_at,
        "revoked_at": c.revoked_at,
        "last_used_at": c.last_used_at,
    }


# -- parties --------------------------------------------------------------------------------------------


@router.get("/parties", response=s.PartyPage, tags=["registry"], summary="Parties (主体) the caller may see")
def party_list(
    request,
    sector: Sector | None = None,
    district: District | None = None,
    partyType: PartyType | None = None,  # noqa: N803 - API parameter names are camelCase
    status: FilingStatus | None = None,
    q: str | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
):
    _paging(limit, offset)
    qs = selectors.party_list(
        actor=actor_for_request(request),
        sector=sector,
        district=district,
        party_type=partyType,
        status=status,
        q=q,
    )
    return _page(qs, limit, offset, party_out)


@router.post("/parties", response={201: s.PartyOut}, tags=["registry"], summary="Register a party")
def party_create(request, payload: s.PartyIn):
    data = payload.model_dump()
    data["sectors"] = [str(x) for x in data["sectors"]]
    party = services.party_create(actor=actor_for_request(request), **data)
    return Status(201, party_out(selectors.party_get(actor=actor_for_request(request), pk=party.pk)))


@router.get("/parties/{party_id}", response=s.PartyOut, tags=["registry"], summary="One party")
def party_get(request, party_id: int):
    return party_out(selectors.party_get(actor=actor_for_request(request), pk=party_id))


@router.patch("/parties/{party_id}", response=s.PartyOut, tags=["registry"], summary="Change a party's data")
def party_update(request, party_id: int, payload: s.PartyPatch):
    actor = actor_for_request(request)
    party = selectors.party_get(actor=actor, pk=party_id)
    services.party_update(actor=actor, party=party, **payload.model_dump(exclude_unset=True))
    return party_out(selectors.party_get(actor=actor, pk=party_id))


@router.post(
    "/parties/{party_id}/id-number",
    response=s.IdNumberOut,
    tags=["registry"],
    summary="Unmask an individual's ID card number (audited view of personal data)",
)
def party_id_number(request, party_id: int):
    actor = actor_for_request(request)
    party = selectors.party_get(actor=actor, pk=party_id)
    return {"id_number": services.party_id_number_reveal(actor=actor, party=party)}


@router.post(
    "/parties/{party_id}/filings",
    response={201: s.FilingOut},
    tags=["filing"],
    summary="Apply for filing (备案申请)",
)
def filing_submit(request, party_id: int, payload: s.FilingSubmitIn):
    actor = actor_for_request(request)
    party = selectors.party_get(actor=actor, pk=party_id)
    filing = services.filing_submit(actor=actor, party=party, note=payload.note)
    return Status(201, filing_out(selectors.filing_get(actor=actor, pk=filing.pk)))


@router.get(
    "/parties/{party_id}/members", response=list[s.MemberOut], tags=["registry"], summary="A party's users"
)
def member_list(request, party_id: int):
    actor = actor_for_request(request)
    party = selectors.party_get(actor=actor, pk=party_id)
    services.require(actor, "party.manage_members", party, view="party.view", model=Party)
    return [_member_out(m.user) for m in selectors.party_members(party=party)]


def _member_out(user) -> dict:
    profile = getattr(user, "profile", None)
    return {
        "id": user.pk,
        "username": user.get_username(),
        "role": profile.role if profile else "",
        "full_name": user.get_full_name(),
        "email": user.email,
        "active": user.is_active,
    }


@router.post(
    "/parties/{party_id}/members",
    response={201: s.MemberOut},
    tags=["registry"],
    summary="Add a user to a party",
)
def member_add(request, party_id: int, payload: s.MemberIn):
    actor = actor_for_request(request)
    party = selectors.party_get(actor=actor, pk=party_id)
    user = services.party_member_add(actor=actor, party=party, **payload.model_dump())
    return Status(201, _member_out(user))


@router.get(
    "/parties/{party_id}/api-clients",
    response=list[s.ApiClientOut],
    tags=["registry"],
    summary="A party's API keys",
)
def party_client_list(request, party_id: int):
    actor = actor_for_request(request)
    party = selectors.party_get(actor=actor, pk=party_id)
    services.require(actor, "party.manage_api_clients", party, view="party.view", model=Party)
    return [client_out(b.client) for b in selectors.party_api_clients(party=party)]


@router.post(
    "/parties/{party_id}/api-clients",
    response={201: s.ApiClientCreatedOut},
    tags=["registry"],
    summary="Create an API key for a party's system (shown once)",
)
def party_client_create(request, party_id: int, payload: s.ApiClientIn):
    actor = actor_for_request(request)
    party = selectors.party_get(actor=actor, pk=party_id)
    client, key = services.party_api_client_create(
        actor=actor, party=party, name=payload.name, expires_at=payload.expires_at
    )
    return Status(201, {**client_out(client), "key": key})


@router.post(
    "/parties/{party_id}/api-clients/{key_prefix}/revoke",
    response=s.ApiClientOut,
    tags=["registry"],
    summary="Revoke a party's API key",
)
def party_client_revoke(request, party_id: int, key_prefix: str):
    actor = actor_for_request(request)
    party = selectors.party_get(actor=actor, pk=party_id)
    client = ApiClient.objects.filter(key_prefix=key_prefix).first()
    if client is None:
        raise ApiClient.DoesNotExist("no such key")
    return client_out(services.party_api_client_revoke(actor=actor, party=party, client=client))


# -- filings --------------------------------------------------------------------------------------------


@router.get("/filings", response=s.FilingPage, tags=["filing"], summary="Filings (备案) the caller may see")
def filing_list(
    request,
    status: FilingStatus | None = None,
    partyId: int | None = None,  # noqa: N803
    sector: Sector | None = None,
    district: District | None = None,
    q: str | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
):
    _paging(limit, offset)
    qs = selectors.filing_list(
        actor=actor_for_request(request),
        status=status,
        party_id=partyId,
        sector=sector,
        district=district,
        q=q,
    )
    return _page(qs, limit, offset, filing_out)


@router.get(
    "/filings/{filing_id}", response=s.FilingOut, tags=["filing"], summary="One filing with its history"
)
def filing_get(request, filing_id: int):
    return filing_out(selectors.filing_get(actor=actor_for_request(request), pk=filing_id))


def _filing_action_route(action: str, summary: str) -> None:
    def act(request, filing_id: int, payload: s.FilingActionIn):
        actor = actor_for_request(request)
        filing = selectors.filing_get(actor=actor, pk=filing_id)
        services.filing_act(actor=actor, filing=filing, action=action, reason=payload.reason)
        return filing_out(selectors.filing_get(actor=actor, pk=filing_id))

    router.post(
        f"/filings/{{filing_id}}/{action.replace('_', '-')}",
        response=s.FilingOut,
        tags=["filing"],
        summary=summary,
        operation_id=f"filing_{action}",
    )(act)


_filing_action_route(FilingAction.APPROVE, "Approve a filing (准予备案): assigns the filing number")
_filing_action_route(FilingAction.REJECT, "Reject a filing, with the reason")
_filing_action_route(FilingAction.REQUEST_INFO, "Ask the party for more information, with the reason")
_filing_action_route(FilingAction.RESUBMIT, "Resubmit a filing after more information was asked for")
_filing_action_route(FilingAction.SUSPEND, "Suspend an approved filing, with the reason")
_filing_action_route(FilingAction.REINSTATE, "Reinstate a suspended filing")
_filing_action_route(FilingAction.REVOKE, "Revoke a filing, with the reason")


# -- licences -------------------------------------------------------------------------------------------


@router.get("/licences", response=s.LicencePage, tags=["registry"], summary="Licences and documents (证照)")
def licence_list(
    request,
    partyId: int | None = None,  # noqa: N803
    kind: LicenceKind | None = None,
    expiringWithinDays: int | None = None,  # noqa: N803
    q: str | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
):
    _paging(limit, offset)
    if expiringWithinDays is not None and not 0 <= expiringWithinDays <= 3660:
        raise ValidationError({"expiring_within_days": [_("Expected 0 to 3660 days.")]})
    qs = selectors.licence_list(
        actor=actor_for_request(request),
        party_id=partyId,
        kind=kind,
        expiring_within_days=expiringWithinDays,
        q=q,
    )
    return _page(qs, limit, offset, licence_out)


@router.post(
    "/licences", response={201: s.LicenceOut}, tags=["registry"], summary="Record a licence or document"
)
def licence_create(request, payload: s.LicenceIn):
    party = _own_party(request, payload.party_id)
    data = payload.model_dump(exclude={"party_id"})
    licence = services.licence_create(actor=actor_for_request(request), party=party, **data)
    return Status(201, licence_out(licence))


@router.get("/licences/{licence_id}", response=s.LicenceOut, tags=["registry"], summary="One licence")
def licence_get(request, licence_id: int):
    return licence_out(selectors.licence_get(actor=actor_for_request(request), pk=licence_id))


@router.patch("/licences/{licence_id}", response=s.LicenceOut, tags=["registry"], summary="Change a licence")
def licence_update(request, licence_id: int, payload: s.LicencePatch):
    actor = actor_for_request(request)
    licence = selectors.licence_get(actor=actor, pk=licence_id)
    return licence_out(
        services.licence_update(actor=actor, licence=licence, **payload.model_dump(exclude_unset=True))
    )


@router.delete("/licences/{licence_id}", response={204: None}, tags=["registry"], summary="Remove a licence")
def licence_delete(request, licence_id: int):
    actor = actor_for_request(request)
    services.licence_delete(actor=actor, licence=selectors.licence_get(actor=actor, pk=licence_id))
    return Status(204, None)


@router.post(
    "/licences/{licence_id}/file",
    response=s.LicenceOut,
    tags=["registry"],
    summary="Attach the licence's scan (PDF, JPEG or PNG; multipart field 'file')",
)
def licence_file_upload(request, licence_id: int, file: File[UploadedFile]):
    actor = actor_for_request(request)
    licence = selectors.licence_get(actor=actor, pk=licence_id)
    return licence_out(
        services.licence_attach_file(actor=actor, licence=licence, content=file, filename=file.name)
    )


@router.get("/licences/{licence_id}/file", tags=["registry"], summary="Download the licence's scan (audited)")
def licence_file_download(request, licence_id: int):
    actor = actor_for_request(request)
    licence = selectors.licence_get(actor=actor, pk=licence_id)
    handle = services.licence_file_open(actor=actor, licence=licence)
    extension = licence.file.name.rsplit(".", 1)[-1]
    return FileResponse(
        handle,
        content_type=licence.file_type,
        as_attachment=True,
        filename=f"licence-{licence.pk}.{extension}",
    )


# -- locations ------------------------------------------------------------------------------------------


@router.get("/locations", response=s.LocationPage, tags=["registry"], summary="Locations (节点/场所)")
def location_list(
    request,
    partyId: int | None = None,  # noqa: N803
    district: District | None = None,
    kind: LocationKind | None = None,
    q: str | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
):
    _paging(limit, offset)
    qs = selectors.location_list(
        actor=actor_for_request(request), party_id=partyId, district=district, kind=kind, q=q
    )
    return _page(qs, limit, offset, location_out)


@router.post("/locations", response={201: s.LocationOut}, tags=["registry"], summary="Register a location")
def location_create(request, payload: s.LocationIn):
    party = _own_party(request, payload.party_id)
    data = payload.model_dump(exclude={"party_id", "operator_id"})
    operator = _any_party("operator_id", payload.operator_id)
    location = services.location_create(
        actor=actor_for_request(request), party=party, operator=operator, **data
    )
    return Status(201, location_out(location))


@router.get("/locations/{location_id}", response=s.LocationOut, tags=["registry"], summary="One location")
def location_get(request, location_id: int):
    return location_out(selectors.location_get(actor=actor_for_request(request), pk=location_id))


@router.patch(
    "/locations/{location_id}", response=s.LocationOut, tags=["registry"], summary="Change a location"
)
def location_update(request, location_id: int, payload: s.LocationPatch):
    actor = actor_for_request(request)
    location = selectors.location_get(actor=actor, pk=location_id)
    data = payload.model_dump(exclude_unset=True)
    if "operator_id" in data:
        data["operator"] = _any_party("operator_id", data.pop("operator_id"))
    return location_out(services.location_update(actor=actor, location=location, **data))


# -- products -------------------------------------------------------------------------------------------


@router.get("/products", response=s.ProductPage, tags=["registry"], summary="Products (产品)")
def product_list(
    request,
    partyId: int | None = None,  # noqa: N803
    sector: Sector | None = None,
    q: str | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
):
    _paging(limit, offset)
    qs = selectors.product_list(actor=actor_for_request(request), party_id=partyId, sector=sector, q=q)
    return _page(qs, limit, offset, product_out)


@router.post("/products", response={201: s.ProductOut}, tags=["registry"], summary="Register a product")
def product_create(request, payload: s.ProductIn):
    actor = actor_for_request(request)
    party = _own_party(request, payload.party_id)
    data = payload.model_dump(exclude={"party_id"})
    data["sectors"] = [str(x) for x in data["sectors"]]
    product = services.product_create(actor=actor, party=party, **data)
    return Status(201, product_out(selectors.product_get(actor=actor, pk=product.pk)))


@router.get("/products/{product_id}", response=s.ProductOut, tags=["registry"], summary="One product")
def product_get(request, product_id: int):
    return product_out(selectors.product_get(actor=actor_for_request(request), pk=product_id))


@router.patch("/products/{product_id}", response=s.ProductOut, tags=["registry"], summary="Change a product")
def product_update(request, product_id: int, payload: s.ProductPatch):
    actor = actor_for_request(request)
    product = selectors.product_get(actor=actor, pk=product_id)
    data = payload.model_dump(exclude_unset=True)
    if data.get("sectors") is not None:
        data["sectors"] = [str(x) for x in data["sectors"]]
    services.product_update(actor=actor, product=product, **data)
    return product_out(selectors.product_get(actor=actor, pk=product_id))


# -- audit and reference data -----------------------------------------------------------------------------


@router.get("/audit", response=s.AuditPage, tags=["audit"], summary="Search the audit trail (审计日志)")
def audit_list(
    request,
    objectType: str | None = None,  # noqa: N803
    objectId: str | None = None,  # noqa: N803
    action: str | None = None,
    partyId: int | None = None,  # noqa: N803
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
):
    _paging(limit, offset)
    who = actor_for_request(request)
    services.require_audit_view(actor=who)
    qs = selectors.audit_list(
        actor=who,
        object_type=objectType,
        object_id=objectId,
        action=action,
        party_id=partyId,
        actor_label=actor,
        since=since,
        until=until,
    )
    return _page(
        qs,
        limit,
        offset,
        lambda e: {
            "id": e.pk,
            "at": e.at,
            "actor": e.actor_label,
            "action": e.action,
            "object_type": e.object_type,
            "object_id": e.object_id,
            "party_id": e.party_ref,
            "before": e.before,
            "after": e.after,
        },
    )


@router.get(
    "/departments", response=list[s.DepartmentOut], tags=["platform"], summary="Departments and their sectors"
)
def departments(request):
    return [
        {
            "code": d.code,
            "name": d.name,
            "parent": d.parent.code if d.parent else None,
            "sectors": sorted(x.sector for x in d.sectors.all()),
        }
        for d in department_list()
    ]
