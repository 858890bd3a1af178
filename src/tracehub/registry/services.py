"""Writes of the registry: parties, filing, licences, locations, products, members and keys.

Every function takes keyword-only arguments and the acting ``Actor`` (DESIGN.md §2), checks what
the actor may do (``permissions``), validates every field, and writes the change together with
its audit row (before/after, O3) in one transaction; notifications go out once it commits.

Errors: ``ValidationError`` keyed by field name (``attributes.toxicity``, ``company_prefixes.1``)
for bad input, ``PermissionDenied`` when the actor may see but not do, the model's
``DoesNotExist`` when the actor may not even see the object (the API answers 404 so nothing
leaks), ``tracehub.core.errors.Conflict`` for a filing transition the filing's status forbids.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from tracehub.accounts.models import ApiClient, ApiClientKind, District, Role, Sector
from tracehub.accounts.services import (
    api_client_create,
    api_client_revoke,
    audit_record,
    notification_send,
    user_create,
)
from tracehub.core.errors import Conflict
from tracehub.identifiers import IdentifierError
from tracehub.identifiers.ai_table import check_ai_value
from tracehub.identifiers.serials import SERIAL_SPACE, new_serial_key
from tracehub.registry import protect, selectors, validators
from tracehub.registry.actors import Actor, ActorKind
from tracehub.registry.models import (
    OPEN_FILING_STATUSES,
    CodeAllocation,
    CodeCounter,
    CodeNode,
    CodeScheme,
    Filing,
    FilingAction,
    FilingStatus,
    FilingStep,
    IdKind,
    Licence,
    LicenceKind,
    Location,
    LocationKind,
    Party,
    PartyApiClient,
    PartyMember,
    PartyPrefix,
    PartySector,
    PartyType,
    Product,
    ProductSector,
)
from tracehub.registry.permissions import can

log = logging.getLogger(__name__)


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


#: "Leave this field as it is" in the ``*_update`` services.
UNSET: Any = _Unset()

#: Platform codes in the ``urn:tracehub:`` namespace name their party by USCC (tracehub.demo.data):
#: a party may register only codes under its own USCC.
_PLATFORM_CODE_PREFIXES = {"loc": "urn:tracehub:loc:", "product": "urn:tracehub:product:"}


# -- plumbing --------------------------------------------------------------------------------------------


class _Errors:
    """Collects every wrong field so one answer names them all."""

    def __init__(self) -> None:
        self.errors: dict[str, list] = {}

    def add(self, field: str, message) -> None:
        self.errors.setdefault(field, []).append(message)

    def check(self, field: str, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errors in exc.message_dict.items():
                    self.errors.setdefault(name, []).extend(errors)
            else:
                self.errors.setdefault(field, []).extend(exc.messages)
            return None

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def require(actor: Actor, permission: str, obj, *, view: str, model) -> None:
    """403 if the actor sees ``obj`` but may not do this; 404 (DoesNotExist) if it cannot see it.

    For callers that show something only some may see (the members and keys of a party)."""
    if not can(actor, view, obj):
        raise model.DoesNotExist(f"{model.__name__} not found")
    if not can(actor, permission, obj):
        raise PermissionDenied(_("You may not do this."))


_require = require


def require_audit_view(*, actor: Actor) -> None:
    """Officials, operators and enterprise administrators search the audit trail (within their scope)."""
    if not can(actor, "audit.view"):
        raise PermissionDenied(_("You may not search the audit trail."))


def _audit(actor: Actor, action: str, obj, *, before=None, after=None, party_ref=None) -> None:
    audit_record(
        **actor.audit,
        action=action,
        object_type=f"{obj._meta.app_label}.{obj._meta.object_name}",
        object_id=str(obj.pk),
        before=before,
        after=after,
        party_ref=party_ref,
    )


def _notify_after_commit(users_fn, message: str, params: dict[str, Any], link: str = "") -> None:
    def send() -> None:
        notification_send(users=users_fn(), message=message, params=params, link=link)

    transaction.on_commit(send)


def _text(errors: _Errors, field: str, value: Any, *, max_length: int, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(field, _("Expected text."))
        return ""
    value = value.strip()
    if required and not value:
        errors.add(field, _("This field is required."))
    elif len(value) > max_length:
        errors.add(field, _("At most %(n)d characters.") % {"n": max_length})
    return value


def _choice(errors: _Errors, field: str, value: Any, choices, *, blank: bool = False) -> str:
    if blank and value in (None, ""):
        return ""
    if value not in choices.values:
        errors.add(
            field, _("Unknown value; expected one of %(values)s.") % {"values": ", ".join(choices.values)}
        )
        return ""
    return value


def _sectors(errors: _Errors, field: str, values: Any) -> list[str]:
    if not isinstance(values, (list, tuple, set, frozenset)) or not values:
        errors.add(field, _("Give at least one sector."))
        return []
    out: list[str] = []
    for i, value in enumerate(values):
        if value not in Sector.values:
            errors.add(
                f"{field}.{i}",
                _("Unknown sector; expected one of %(values)s.") % {"values": ", ".join(Sector.values)},
            )
        elif value not in out:
            out.append(value)
    return out


def _district(errors: _Errors, field: str, value: Any) -> str:
    if value in (None, ""):
        return ""
    if value not in District.values or value == District.CITY:
        errors.add(
            field, _("Expected the GB/T 2260 code of a Xiamen district (350203 … 350213), or nothing.")
        )
        return ""
    return value


def _decimal(
    errors: _Errors, field: str, value: Any, *, low: Decimal, high: Decimal, places: int
) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors.add(field, _("Expected a number."))
        return None
    if not number.is_finite() or not low <= number <= high:
        errors.add(field, _("Expected a number from %(low)s to %(high)s.") % {"low": low, "high": high})
        return None
    return number.quantize(Decimal(1).scaleb(-places))


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def _saving(fn):
    """Run a write; a uniqueness race lost to another writer becomes a 409, never a 500."""
    try:
        with transaction.atomic():
            return fn()
    except IntegrityError as exc:
        log.info("registry write refused by a database constraint: %s", type(exc).__name__)
        raise Conflict(
            _("This conflicts with data stored meanwhile (a duplicate identifier?); try again.")
        ) from None


# -- snapshots for the audit (masked personal data only) -----------------------------------------------


def party_snapshot(party: Party) -> dict[str, Any]:
    return {
        "name": party.name,
        "name_en": party.name_en,
        "party_type": party.party_type,
        "id_kind": party.id_kind,
        "uscc": party.uscc,
        "id_number": party.id_number_masked,
        "foreign_id": party.foreign_id,
        "country": party.country,
        "district": party.district,
        "address": party.address,
        "contact_name": party.contact_name,
        "contact_phone": party.contact_phone,
        "contact_email": party.contact_email,
        "pgln": party.pgln,
        "sectors": sorted(PartySector.objects.filter(party=party).values_list("sector", flat=True)),
        "company_prefixes": sorted(PartyPrefix.objects.filter(party=party).values_list("prefix", flat=True)),
        "filing_status": party.filing_status,
        "filing_number": party.filing_number,
    }


def licence_snapshot(licence: Licence) -> dict[str, Any]:
    return {
        "party": licence.party_id,
        "kind": licence.kind,
        "number": licence.number,
        "issuer": licence.issuer,
        "valid_from": _iso(licence.valid_from),
        "valid_until": _iso(licence.valid_until),
        "file": licence.file.name if licence.file else "",
        "file_type": licence.file_type,
        "file_size": licence.file_size,
    }


def location_snapshot(location: Location) -> dict[str, Any]:
    return {
        "party": location.party_id,
        "operator": location.operator_id,
        "key": location.key,
        "identifier": location.identifier,
        "name": location.name,
        "name_en": location.name_en,
        "kind": location.kind,
        "address": location.address,
        "district": location.district,
        "latitude": str(location.latitude) if location.latitude is not None else None,
        "longitude": str(location.longitude) if location.longitude is not None else None,
        "area_mu": str(location.area_mu) if location.area_mu is not None else None,
        "crop": location.crop,
        "variety": location.variety,
        "active": location.active,
    }


def product_snapshot(product: Product) -> dict[str, Any]:
    return {
        "party": product.party_id,
        "key": product.key,
        "gtin": product.gtin,
        "platform_code": product.platform_code,
        "name": product.name,
        "name_en": product.name_en,
        "brand": product.brand,
        "category": product.category,
        "specification": product.specification,
        "unit": product.unit,
        "shelf_life_days": product.shelf_life_days,
        "sectors": sorted(ProductSector.objects.filter(product=product).values_list("sector", flat=True)),
        "attributes": product.attributes,
        "active": product.active,
    }


# -- parties ---------------------------------------------------------------------------------------------


def _check_prefixes(errors: _Errors, field: str, values: Any, *, party: Party | None) -> list[str]:
    if values is None:
        return []
    if not isinstance(values, (list, tuple)):
        errors.add(field, _("Give a list of GS1 company prefixes."))
        return []
    out: list[str] = []
    for i, value in enumerate(values):
        prefix = errors.check(
            f"{field}.{i}", validators.normalize_company_prefix, value if isinstance(value, str) else ""
        )
        if prefix is None:
            continue
        if any(p.startswith(prefix) or prefix.startswith(p) for p in out):
            errors.add(f"{field}.{i}", _("Overlaps another prefix in this list."))
            continue
        # GS1 company prefixes never overlap: neither may be the start of another party's.
        shorter = [prefix[:n] for n in range(6, len(prefix) + 1)]
        clash = PartyPrefix.objects.filter(Q(prefix__in=shorter) | Q(prefix__startswith=prefix))
        if party is not None:
            clash = clash.exclude(party=party)
        if clash.exists():
            errors.add(
                f"{field}.{i}", _("This GS1 company prefix (or one overlapping it) belongs to another party.")
            )
            continue
        out.append(prefix)
    return out


def _check_pgln(errors: _Errors, value: Any, *, party: Party | None) -> str:
    if value in (None, ""):
        return ""
    key = errors.check("pgln", validators.normalize_pgln, value if isinstance(value, str) else "")
    if key is None:
        return ""
    clash = Party.objects.filter(pgln=key)
    if party is not None:
        clash = clash.exclude(pk=party.pk)
    if clash.exists():
        errors.add("pgln", _("Another party has this PGLN."))
    return key


def _party_create(
    *,
    actor: Actor,
    name: str,
    party_type: str,
    id_kind: str,
    sectors: Iterable[str],
    uscc: str = "",
    id_number: str = "",
    foreign_id: str = "",
    country: str = "CN",
    district: str = "",
    address: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    name_en: str = "",
    pgln: str = "",
    company_prefixes: Iterable[str] = (),
) -> Party:
    errors = _Errors()
    party = Party(
        name=_text(errors, "name", name, max_length=200, required=True),
        name_en=_text(errors, "name_en", name_en, max_length=200),
        party_type=_choice(errors, "party_type", party_type, PartyType),
        id_kind=_choice(errors, "id_kind", id_kind, IdKind),
        foreign_id=_text(errors, "foreign_id", foreign_id, max_length=100),
        district=_district(errors, "district", district),
        address=_text(errors, "address", address, max_length=300),
        contact_name=_text(errors, "contact_name", contact_name, max_length=100),
        contact_phone=_text(errors, "contact_phone", contact_phone, max_length=40),
        contact_email=_text(errors, "contact_email", contact_email, max_length=254),
    )
    if party.contact_email:
        errors.check(
            "contact_email", EmailValidator(message=_("Enter a valid e-mail address.")), party.contact_email
        )
    country = (country or "").strip().upper()
    if len(country) != 2 or not country.isalpha() or not country.isascii():
        errors.add("country", _("A country is its ISO 3166-1 two-letter code, e.g. CN."))
    party.country = country
    sector_list = _sectors(errors, "sectors", list(sectors) if sectors is not None else None)
    if party.id_kind == IdKind.USCC:
        code = errors.check("uscc", validators.normalize_uscc, uscc if isinstance(uscc, str) else "")
        if code is not None:
            if Party.objects.filter(uscc=code).exists():
                errors.add("uscc", _("A party with this unified social credit code is registered."))
            party.uscc = code
        if id_number:
            errors.add("id_number", _("A party identified by its credit code has no ID card number."))
    elif party.id_kind == IdKind.RIC:
        number = errors.check(
            "id_number", validators.normalize_ric, id_number if isinstance(id_number, str) else ""
        )
        if number is not None:
            digest = protect.digest(number)
            if Party.objects.filter(id_number_digest=digest).exists():
                errors.add("id_number", _("A party with this ID card number is registered."))
            party.id_number_protected = protect.encrypt(number)
            party.id_number_digest = digest
            party.id_number_masked = protect.mask_id_number(number)
        if uscc:
            errors.add("uscc", _("An individual identified by ID card has no credit code here."))
    elif party.id_kind == IdKind.FOREIGN:
        if country == "CN":
            errors.add("country", _("A foreign party names its country."))
        if uscc:
            errors.add("uscc", _("A foreign party has no credit code."))
        if id_number:
            errors.add("id_number", _("A foreign party has no ID card number here."))
    party.pgln = _check_pgln(errors, pgln, party=None)
    prefixes = _check_prefixes(errors, "company_prefixes", list(company_prefixes or ()), party=None)
    errors.raise_if_any()
    if actor.kind == ActorKind.OFFICIAL:
        # An official registers parties they oversee (else they could not even see the result).
        if not actor.sectors.intersection(sector_list):
            raise PermissionDenied(_("You may register parties of your department's sectors only."))
        if actor.districts is not None and party.district not in actor.districts:
            raise PermissionDenied(_("You may register parties of your districts only."))

    def write() -> Party:
        party.save()
        PartySector.objects.bulk_create([PartySector(party=party, sector=s) for s in sector_list])
        PartyPrefix.objects.bulk_create([PartyPrefix(party=party, prefix=p) for p in prefixes])
        _audit(actor, "registry.party.create", party, after=party_snapshot(party), party_ref=party.pk)
        return party

    return _saving(write)


def party_create(*, actor: Actor, **fields: Any) -> Party:
    """Register a party (主体登记). Fields: name, party_type, id_kind (uscc, ric or foreign),
    sectors, and as the kind needs uscc / id_number / country + foreign_id; optional name_en,
    district, address, contact_name, contact_phone, contact_email, pgln, company_prefixes.

    Operators, platform clients and officials (for their sectors and districts) register parties;
    an enterprise registers itself with ``party_register``.
    """
    if not can(actor, "party.create"):
        raise PermissionDenied(_("You may not register parties."))
    return _party_create(actor=actor, **fields)


def party_register(
    *,
    username: str,
    password: str,
    email: str = "",
    full_name: str = "",
    **fields: Any,
) -> tuple[Party, Any]:
    """An enterprise registers itself (自主注册): its administrator account and its party, at once.

    The party is then unfiled; its administrator submits the filing (``filing_submit``).
    Party fields as ``party_create``; errors of both are named together.
    """
    errors: dict[str, list] = {}
    with transaction.atomic():
        try:
            user = user_create(
                username=username,
                password=password,
                role=Role.ENTERPRISE_ADMIN,
                email=email,
                full_name=full_name,
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
            user = None
        actor = Actor(kind=ActorKind.ENTERPRISE_ADMIN, user=user, label=username)
        try:
            party = _party_create(actor=actor, **fields)
        except ValidationError as exc:
            errors.update(exc.message_dict)
            party = None
        if errors:
            transaction.set_rollback(True)
            raise ValidationError(errors)
        PartyMember.objects.create(user=user, party=party)
    return party, user


def _set_children(model, owner_field: str, owner, value_field: str, values) -> None:
    """Make ``owner``'s rows of ``model`` hold exactly ``values``: delete the others, add the new."""
    rows = model.objects.filter(**{owner_field: owner})
    rows.exclude(**{f"{value_field}__in": values}).delete()
    have = set(rows.values_list(value_field, flat=True))
    model.objects.bulk_create(
        [model(**{owner_field: owner, value_field: v}) for v in values if v not in have]
    )


def party_update(
    *,
    actor: Actor,
    party: Party,
    name: str = UNSET,
    name_en: str = UNSET,
    party_type: str = UNSET,
    sectors: Iterable[str] = UNSET,
    district: str = UNSET,
    address: str = UNSET,
    contact_name: str = UNSET,
    contact_phone: str = UNSET,
    contact_email: str = UNSET,
    foreign_id: str = UNSET,
    pgln: str = UNSET,
    company_prefixes: Iterable[str] = UNSET,
) -> Party:
    """Change a party's data. Its identity (credit code, ID number, kind) never changes: a
    different identity is a different party."""
    _require(actor, "party.change", party, view="party.view", model=Party)
    before = party_snapshot(party)
    errors = _Errors()
    if name is not UNSET:
        party.name = _text(errors, "name", name, max_length=200, required=True)
    if name_en is not UNSET:
        party.name_en = _text(errors, "name_en", name_en, max_length=200)
    if party_type is not UNSET:
        party.party_type = _choice(errors, "party_type", party_type, PartyType)
    if district is not UNSET:
        party.district = _district(errors, "district", district)
    for field, value, length in (
        ("address", address, 300),
        ("contact_name", contact_name, 100),
        ("contact_phone", contact_phone, 40),
        ("contact_email", contact_email, 254),
        ("foreign_id", foreign_id, 100),
    ):
        if value is not UNSET:
            setattr(party, field, _text(errors, field, value, max_length=length))
    if contact_email is not UNSET and party.contact_email:
        errors.check(
            "contact_email", EmailValidator(message=_("Enter a valid e-mail address.")), party.contact_email
        )
    sector_list = (
        None
        if sectors is UNSET
        else _sectors(errors, "sectors", list(sectors) if sectors is not None else None)
    )
    if pgln is not UNSET:
        party.pgln = _check_pgln(errors, pgln, party=party)
    prefixes = None
    if company_prefixes is not UNSET:
        prefixes = _check_prefixes(errors, "company_prefixes", list(company_prefixes or ()), party=party)
    errors.raise_if_any()

    def write() -> Party:
        party.updated_at = timezone.now()
        party.save()
        if sector_list is not None:
            _set_children(PartySector, "party", party, "sector", sector_list)
        if prefixes is not None:
            _set_children(PartyPrefix, "party", party, "prefix", prefixes)
        _audit(
            actor,
            "registry.party.update",
            party,
            before=before,
            after=party_snapshot(party),
            party_ref=party.pk,
        )
        return party

    party = _saving(write)
    # Refresh the prefetched relations the caller may read next.
    if hasattr(party, "_prefetched_objects_cache"):
        party._prefetched_objects_cache.clear()
    return party


def party_id_number_reveal(*, actor: Actor, party: Party) -> str:
    """The unmasked ID card number of an individual party: a view of personal data, audited.

    Only operators and the officials overseeing the party may; the audit row records who looked
    (never the number itself).
    """
    _require(actor, "party.reveal_id_number", party, view="party.view", model=Party)
    if party.id_kind != IdKind.RIC:
        raise Conflict(_("This party is not identified by an ID card number."))
    number = protect.decrypt(party.id_number_protected)
    with transaction.atomic():
        _audit(
            actor,
            "registry.party.view_id_number",
            party,
            after={"viewed": "id_number", "masked": party.id_number_masked},
            party_ref=party.pk,
        )
    return number


# -- members and API keys of a party ----------------------------------------------------------------------


def party_member_add(
    *,
    actor: Actor,
    party: Party,
    username: str,
    password: str | None,
    role: str,
    full_name: str = "",
    email: str = "",
):
    """Give a party a console user: an administrator or staff (企业管理员/操作员)."""
    _require(actor, "party.manage_members", party, view="party.view", model=Party)
    if role not in (Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF):
        raise ValidationError({"role": [_("A party's user is an enterprise administrator or staff.")]})
    with transaction.atomic():
        user = user_create(
            username=username,
            password=password,
            role=role,
            full_name=full_name,
            email=email,
            **_created_by(actor),
            party_ref=party.pk,
        )
        PartyMember.objects.create(user=user, party=party)
    return user


def _created_by(actor: Actor) -> dict[str, Any]:
    return {"created_by": actor.user, "created_by_client": actor.client}


def party_api_client_create(
    *, actor: Actor, party: Party, name: str, expires_at: datetime | None = None
) -> tuple[ApiClient, str]:
    """An API key for the party's enterprise system: it captures as the party (issue #3 item 5).
    Returns the client and its key, shown this once."""
    _require(actor, "party.manage_api_clients", party, view="party.view", model=Party)
    with transaction.atomic():
        try:
            client, key = api_client_create(
                name=name,
                created_by=actor.user,
                created_by_client=actor.client,
                expires_at=expires_at,
                kind=ApiClientKind.PARTY,
                party_ref=party.pk,
            )
        except ValueError as exc:
            field = "expires_at" if "expires" in str(exc) else "name"
            raise ValidationError({field: [str(exc)]}) from None
        PartyApiClient.objects.create(client=client, party=party)
    return client, key


def party_api_client_revoke(*, actor: Actor, party: Party, client: ApiClient) -> ApiClient:
    _require(actor, "party.manage_api_clients", party, view="party.view", model=Party)
    if not PartyApiClient.objects.filter(party=party, client=client).exists():
        raise ApiClient.DoesNotExist("not a client of this party")
    return api_client_revoke(
        client=client, revoked_by=actor.user, revoked_by_client=actor.client, party_ref=party.pk
    )


# -- filing ----------------------------------------------------------------------------------------------

#: action -> (statuses it starts from, status it leads to, reason required, message to the party)
_TRANSITIONS: dict[str, tuple[tuple[str, ...], str, bool, str]] = {
    FilingAction.RESUBMIT: ((FilingStatus.MORE_INFO,), FilingStatus.SUBMITTED, False, ""),
    FilingAction.APPROVE: (
        (FilingStatus.SUBMITTED,),
        FilingStatus.APPROVED,
        False,
        gettext_noop("The filing of %(party)s was approved; filing number %(number)s."),
    ),
    FilingAction.REJECT: (
        (FilingStatus.SUBMITTED, FilingStatus.MORE_INFO),
        FilingStatus.REJECTED,
        True,
        gettext_noop("The filing of %(party)s was rejected: %(reason)s"),
    ),
    FilingAction.REQUEST_INFO: (
        (FilingStatus.SUBMITTED,),
        FilingStatus.MORE_INFO,
        True,
        gettext_noop("The filing of %(party)s needs more information: %(reason)s"),
    ),
    FilingAction.SUSPEND: (
        (FilingStatus.APPROVED,),
        FilingStatus.SUSPENDED,
        True,
        gettext_noop("The filing %(number)s of %(party)s was suspended: %(reason)s"),
    ),
    FilingAction.REINSTATE: (
        (FilingStatus.SUSPENDED,),
        FilingStatus.APPROVED,
        False,
        gettext_noop("The filing %(number)s of %(party)s was reinstated."),
    ),
    FilingAction.REVOKE: (
        (FilingStatus.APPROVED, FilingStatus.SUSPENDED),
        FilingStatus.REVOKED,
        True,
        gettext_noop("The filing %(number)s of %(party)s was revoked: %(reason)s"),
    ),
}

_SUBMITTED_MESSAGE = gettext_noop("%(party)s submitted a filing for review.")


def filing_number_for(filing: Filing) -> str:
    """备案编号: XMZS-<year>-<filing id, 6 digits> (厦门追溯), unique because the id is."""
    return f"XMZS-{timezone.localtime(filing.submitted_at).year}-{filing.pk:06d}"


def _step(
    filing: Filing, actor: Actor, action: str, from_status: str, to_status: str, reason: str
) -> FilingStep:
    return FilingStep.objects.create(
        filing=filing,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor_user=actor.user,
        actor_client=actor.client,
        actor_label=(actor.label or actor.kind)[:200],
        reason=reason,
    )


def _filing_snapshot(party: Party) -> dict[str, Any]:
    data = party_snapshot(party)
    data["licences"] = [
        {"id": lic.pk, **licence_snapshot(lic)}
        for lic in Licence.objects.filter(party=party).order_by("kind", "number")
    ]
    return data


def filing_submit(*, actor: Actor, party: Party, note: str = "") -> Filing:
    """A party applies for filing (备案申请) with its data and licences as they are now.

    Only a party without an open filing (never filed, rejected or revoked) may apply.
    """
    _require(actor, "filing.submit", party, view="party.view", model=Party)
    errors = _Errors()
    note = _text(errors, "note", note, max_length=2000)
    errors.raise_if_any()
    with transaction.atomic():
        party = Party.objects.select_for_update().get(pk=party.pk)
        if party.filing_status in OPEN_FILING_STATUSES:
            raise Conflict(
                _("This party already has a filing that is %(status)s.")
                % {"status": FilingStatus(party.filing_status).label}
            )
        before = party.filing_status
        filing = Filing.objects.create(
            party=party, status=FilingStatus.SUBMITTED, note=note, snapshot=_filing_snapshot(party)
        )
        _step(filing, actor, FilingAction.SUBMIT, before, FilingStatus.SUBMITTED, note)
        party.filing_status = FilingStatus.SUBMITTED
        party.filing_number = ""
        party.save(update_fields=["filing_status", "filing_number"])
        _audit(
            actor,
            "registry.filing.submit",
            filing,
            before={"status": before},
            after={"status": FilingStatus.SUBMITTED, "note": note},
            party_ref=party.pk,
        )
        _notify_after_commit(
            lambda: selectors.officials_overseeing(party),
            _SUBMITTED_MESSAGE,
            {"party": party.name},
            f"/console/filings/{filing.pk}/",
        )
    return filing


def _filing_transition(*, actor: Actor, filing: Filing, action: str, reason: str) -> Filing:
    starts, target, reason_required, message = _TRANSITIONS[action]
    permission = "filing.submit" if action == FilingAction.RESUBMIT else "filing.decide"
    _require(actor, permission, filing, view="filing.view", model=Filing)
    errors = _Errors()
    reason = _text(errors, "reason", reason, max_length=2000, required=reason_required)
    errors.raise_if_any()
    with transaction.atomic():
        filing = Filing.objects.select_for_update().select_related("party").get(pk=filing.pk)
        if filing.status not in starts:
            raise Conflict(
                _("A filing that is %(status)s cannot be %(action)s.")
                % {"status": FilingStatus(filing.status).label, "action": FilingAction(action).label}
            )
        before = filing.status
        filing.status = target
        filing.last_reason = reason
        if action == FilingAction.RESUBMIT:
            filing.snapshot = _filing_snapshot(filing.party)
        else:
            filing.decided_at = timezone.now()
        if action == FilingAction.APPROVE and not filing.number:
            filing.number = filing_number_for(filing)
        filing.save()
        _step(filing, actor, action, before, target, reason)
        party = filing.party
        party.filing_status = target
        party.filing_number = (
            filing.number if target in (FilingStatus.APPROVED, FilingStatus.SUSPENDED) else ""
        )
        party.updated_at = timezone.now()
        party.save(update_fields=["filing_status", "filing_number", "updated_at"])
        _audit(
            actor,
            f"registry.filing.{action}",
            filing,
            before={"status": before},
            after={"status": target, "number": filing.number, "reason": reason},
            party_ref=party.pk,
        )
        params = {"party": party.name, "number": filing.number, "reason": reason}
        link = f"/console/filings/{filing.pk}/"
        if message:
            _notify_after_commit(lambda: selectors.party_users(party.pk), message, params, link)
        else:
            _notify_after_commit(
                lambda: selectors.officials_overseeing(party), _SUBMITTED_MESSAGE, params, link
            )
    return filing


def filing_resubmit(*, actor: Actor, filing: Filing, note: str = "") -> Filing:
    """The party answers a request for more information (补正) and submits again."""
    return _filing_transition(actor=actor, filing=filing, action=FilingAction.RESUBMIT, reason=note)


def filing_approve(*, actor: Actor, filing: Filing, reason: str = "") -> Filing:
    """The responsible bureau approves (准予备案): a filing number is assigned; the party may capture."""
    return _filing_transition(actor=actor, filing=filing, action=FilingAction.APPROVE, reason=reason)


def filing_reject(*, actor: Actor, filing: Filing, reason: str) -> Filing:
    return _filing_transition(actor=actor, filing=filing, action=FilingAction.REJECT, reason=reason)


def filing_request_info(*, actor: Actor, filing: Filing, reason: str) -> Filing:
    return _filing_transition(actor=actor, filing=filing, action=FilingAction.REQUEST_INFO, reason=reason)


def filing_suspend(*, actor: Actor, filing: Filing, reason: str) -> Filing:
    """Suspend (暂停): the party cannot capture until reinstated."""
    return _filing_transition(actor=actor, filing=filing, action=FilingAction.SUSPEND, reason=reason)


def filing_reinstate(*, actor: Actor, filing: Filing, reason: str = "") -> Filing:
    return _filing_transition(actor=actor, filing=filing, action=FilingAction.REINSTATE, reason=reason)


def filing_revoke(*, actor: Actor, filing: Filing, reason: str) -> Filing:
    """Revoke (撤销): the filing is closed; the party must apply again."""
    return _filing_transition(actor=actor, filing=filing, action=FilingAction.REVOKE, reason=reason)


#: The decisions by action name, for callers that take the action as data (API, console forms).
FILING_ACTIONS = {
    FilingAction.RESUBMIT: filing_resubmit,
    FilingAction.APPROVE: filing_approve,
    FilingAction.REJECT: filing_reject,
    FilingAction.REQUEST_INFO: filing_request_info,
    FilingAction.SUSPEND: filing_suspend,
    FilingAction.REINSTATE: filing_reinstate,
    FilingAction.REVOKE: filing_revoke,
}


def filing_act(*, actor: Actor, filing: Filing, action: str, reason: str = "") -> Filing:
    """Apply one of ``FILING_ACTIONS`` by name."""
    if action not in FILING_ACTIONS:
        raise ValidationError(
            {
                "action": [
                    _("Unknown action; expected one of %(values)s.") % {"values": ", ".join(FILING_ACTIONS)}
                ]
            }
        )
    if action == FilingAction.RESUBMIT:
        return filing_resubmit(actor=actor, filing=filing, note=reason)
    return FILING_ACTIONS[action](actor=actor, filing=filing, reason=reason)


# -- licences and documents ------------------------------------------------------------------------------


def _check_dates(errors: _Errors, valid_from: Any, valid_until: Any) -> tuple[date | None, date | None]:
    out = []
    for field, value in (("valid_from", valid_from), ("valid_until", valid_until)):
        if value in (None, ""):
            out.append(None)
        elif isinstance(value, date) and not isinstance(value, datetime):
            out.append(value)
        else:
            errors.add(field, _("Expected a date (YYYY-MM-DD)."))
            out.append(None)
    if out[0] and out[1] and out[1] < out[0]:
        errors.add("valid_until", _("A licence cannot end before it starts."))
    return out[0], out[1]


def _check_licence_number(errors: _Errors, kind: str, number: Any, *, licence: Licence | None) -> str:
    number = errors.check(
        "number", validators.normalize_licence_number, kind, number if isinstance(number, str) else ""
    )
    if number is None:
        return ""
    clash = Licence.objects.filter(kind=kind, number=number)
    if licence is not None:
        clash = clash.exclude(pk=licence.pk)
    if clash.exists():
        errors.add("number", _("A licence of this kind with this number is registered."))
    return number


def licence_create(
    *,
    actor: Actor,
    party: Party,
    kind: str,
    number: str,
    issuer: str = "",
    valid_from: date | None = None,
    valid_until: date | None = None,
) -> Licence:
    """Record a licence or document of a party (证照); its scan is attached with ``licence_attach_file``."""
    _require(actor, "licence.change", party, view="party.view", model=Party)
    errors = _Errors()
    kind = _choice(errors, "kind", kind, LicenceKind)
    licence = Licence(party=party, kind=kind, issuer=_text(errors, "issuer", issuer, max_length=200))
    if kind:
        licence.number = _check_licence_number(errors, kind, number, licence=None)
    licence.valid_from, licence.valid_until = _check_dates(errors, valid_from, valid_until)
    errors.raise_if_any()

    def write() -> Licence:
        licence.save()
        _audit(actor, "registry.licence.create", licence, after=licence_snapshot(licence), party_ref=party.pk)
        return licence

    return _saving(write)


def licence_update(
    *,
    actor: Actor,
    licence: Licence,
    number: str = UNSET,
    issuer: str = UNSET,
    valid_from: date | None = UNSET,
    valid_until: date | None = UNSET,
) -> Licence:
    _require(actor, "licence.change", licence, view="licence.view", model=Licence)
    before = licence_snapshot(licence)
    errors = _Errors()
    if number is not UNSET:
        licence.number = _check_licence_number(errors, licence.kind, number, licence=licence)
    if issuer is not UNSET:
        licence.issuer = _text(errors, "issuer", issuer, max_length=200)
    start = licence.valid_from if valid_from is UNSET else valid_from
    end = licence.valid_until if valid_until is UNSET else valid_until
    new_from, new_until = _check_dates(errors, start, end)
    errors.raise_if_any()
    if new_until != licence.valid_until:
        licence.expiry_notified_for = None  # a renewed licence is flagged again before its new expiry
    licence.valid_from, licence.valid_until = new_from, new_until

    def write() -> Licence:
        licence.updated_at = timezone.now()
        licence.save()
        _audit(
            actor,
            "registry.licence.update",
            licence,
            before=before,
            after=licence_snapshot(licence),
            party_ref=licence.party_id,
        )
        return licence

    return _saving(write)


def licence_attach_file(*, actor: Actor, licence: Licence, content, filename: str = "") -> Licence:
    """Attach the licence's scan: a PDF, JPEG or PNG (recognised by its content, not its name)
    of at most ``TRACEHUB_DOCUMENT_MAX_BYTES``. The stored name is generated: the uploaded name
    may carry a person's name and is not kept."""
    from django.conf import settings
    from django.core.files.base import ContentFile

    _require(actor, "licence.change", licence, view="licence.view", model=Licence)
    limit = settings.TRACEHUB_DOCUMENT_MAX_BYTES
    size = getattr(content, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            {"file": [_("The file is larger than %(n)d MiB.") % {"n": limit // (1024 * 1024)}]}
        )
    data = content.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            {"file": [_("The file is larger than %(n)d MiB.") % {"n": limit // (1024 * 1024)}]}
        )
    if not data:
        raise ValidationError({"file": [_("The file is empty.")]})
    media_type = validators.sniff_document_type(data[:16])
    if media_type is None:
        raise ValidationError({"file": [_("Only PDF, JPEG and PNG files are accepted.")]})
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[media_type]
    before = licence_snapshot(licence)
    old_name = licence.file.name if licence.file else ""
    with transaction.atomic():
        licence.file.save(f"{licence.pk}-{uuid.uuid4().hex[:12]}.{extension}", ContentFile(data), save=False)
        licence.file_type = media_type
        licence.file_size = len(data)
        licence.updated_at = timezone.now()
        licence.save(update_fields=["file", "file_type", "file_size", "updated_at"])
        _audit(
            actor,
            "registry.licence.attach_file",
            licence,
            before=before,
            after=licence_snapshot(licence),
            party_ref=licence.party_id,
        )
        new_name = licence.file.name
        storage = licence.file.storage
        if old_name and old_name != new_name:
            transaction.on_commit(lambda: storage.delete(old_name))
    return licence


def licence_file_open(*, actor: Actor, licence: Licence):
    """Open a licence's scan for reading: a view of a party document, audited."""
    _require(actor, "licence.view", licence, view="licence.view", model=Licence)
    if not licence.file:
        raise Licence.DoesNotExist("no file attached")
    with transaction.atomic():
        _audit(
            actor,
            "registry.licence.view_file",
            licence,
            after={"file": licence.file.name},
            party_ref=licence.party_id,
        )
    return licence.file.open("rb")


def licence_delete(*, actor: Actor, licence: Licence) -> None:
    """Remove a licence (e.g. one recorded by mistake); its audit rows stay (issue #3 item 8)."""
    _require(actor, "licence.change", licence, view="licence.view", model=Licence)
    before = licence_snapshot(licence)
    name = licence.file.name if licence.file else ""
    storage = licence.file.storage
    with transaction.atomic():
        _audit(actor, "registry.licence.delete", licence, before=before, party_ref=licence.party_id)
        licence.delete()
        if name:
            transaction.on_commit(lambda: storage.delete(name))


def licence_expiry_notify(*, today: date | None = None, within_days: int | None = None) -> list[Licence]:
    """Notify each party's users of licences expiring soon, once per expiry date (系统任务).
    Returns the licences notified now."""
    notified = []
    for licence in selectors.licences_expiring(today=today, within_days=within_days):
        if licence.expiry_notified_for == licence.valid_until:
            continue
        with transaction.atomic():
            Licence.objects.filter(pk=licence.pk).update(expiry_notified_for=licence.valid_until)
            audit_record(
                action="registry.licence.expiry_notified",
                object_type="registry.Licence",
                object_id=str(licence.pk),
                after={"valid_until": _iso(licence.valid_until)},
                party_ref=licence.party_id,
            )
            _notify_after_commit(
                lambda party_id=licence.party_id: selectors.party_users(party_id),
                gettext_noop("Licence %(number)s (%(kind)s) of %(party)s expires on %(date)s."),
                {
                    "number": licence.number,
                    "kind": licence.kind,
                    "party": licence.party.name,
                    "date": licence.valid_until.isoformat(),
                },
                f"/console/licences/{licence.pk}/",
            )
        notified.append(licence)
    return notified


# -- locations -------------------------------------------------------------------------------------------


def _owns_code(errors: _Errors, field: str, kind: str, code: str, party: Party) -> None:
    """A party registers identifiers of its own: an SGLN or GTIN under one of its GS1 company
    prefixes, a ``urn:tracehub:`` platform code under its own credit code. Otherwise anybody
    could claim another's location and capture events there (issue #3 item 5)."""
    from tracehub.identifiers import company_prefix_candidates

    if kind == "platform":
        namespace = _PLATFORM_CODE_PREFIXES["loc" if field == "identifier" else "product"]
        if code.startswith(namespace):
            owner = code[len(namespace) :].split(":", 1)[0]
            if not party.uscc or owner != party.uscc:
                errors.add(field, _("A platform code in this namespace names its own party's credit code."))
        return
    prefixes = set(PartyPrefix.objects.filter(party=party).values_list("prefix", flat=True))
    if not prefixes.intersection(company_prefix_candidates(code)):
        errors.add(
            field, _("This GS1 key is not under a company prefix of the party: register the prefix first.")
        )


def location_create(
    *,
    actor: Actor,
    party: Party,
    identifier: str,
    name: str,
    kind: str,
    name_en: str = "",
    address: str = "",
    district: str = "",
    latitude: Any = None,
    longitude: Any = None,
    area_mu: Any = None,
    crop: str = "",
    variety: str = "",
    operator: Party | None = None,
) -> Location:
    """Register a location (节点/场所) of a party by its SGLN or platform node code."""
    _require(actor, "location.change", party, view="party.view", model=Party)
    errors = _Errors()
    location = Location(party=party, operator=operator)
    result = errors.check(
        "identifier",
        validators.normalize_location_identifier,
        identifier if isinstance(identifier, str) else "",
    )
    if result is not None:
        location.key, location.id_kind, location.identifier = result
        if Location.objects.filter(key=location.key).exists():
            errors.add("identifier", _("This location is registered."))
        else:
            _owns_code(errors, "identifier", location.id_kind, location.key, party)
    _location_fields(
        errors,
        location,
        name=name,
        kind=kind,
        name_en=name_en,
        address=address,
        district=district,
        latitude=latitude,
        longitude=longitude,
        area_mu=area_mu,
        crop=crop,
        variety=variety,
    )
    if operator is not None and operator.pk == party.pk:
        location.operator = None
    errors.raise_if_any()

    def write() -> Location:
        location.save()
        _audit(
            actor, "registry.location.create", location, after=location_snapshot(location), party_ref=party.pk
        )
        return location

    return _saving(write)


def _location_fields(errors: _Errors, location: Location, **fields: Any) -> None:
    if "name" in fields:
        location.name = _text(errors, "name", fields["name"], max_length=200, required=True)
    if "name_en" in fields:
        location.name_en = _text(errors, "name_en", fields["name_en"], max_length=200)
    if "kind" in fields:
        location.kind = _choice(errors, "kind", fields["kind"], LocationKind)
    if "address" in fields:
        location.address = _text(errors, "address", fields["address"], max_length=300)
    if "district" in fields:
        location.district = _district(errors, "district", fields["district"])
    if "latitude" in fields:
        location.latitude = _decimal(
            errors, "latitude", fields["latitude"], low=Decimal(-90), high=Decimal(90), places=6
        )
    if "longitude" in fields:
        location.longitude = _decimal(
            errors, "longitude", fields["longitude"], low=Decimal(-180), high=Decimal(180), places=6
        )
    if "area_mu" in fields:
        area = _decimal(
            errors, "area_mu", fields["area_mu"], low=Decimal("0.01"), high=Decimal("99999999"), places=2
        )
        location.area_mu = area
    if "crop" in fields:
        location.crop = _text(errors, "crop", fields["crop"], max_length=100)
    if "variety" in fields:
        location.variety = _text(errors, "variety", fields["variety"], max_length=100)


def location_update(*, actor: Actor, location: Location, **fields: Any) -> Location:
    """Change a location's data: name, name_en, kind, address, district, latitude, longitude,
    area_mu, crop, variety, active, operator. Its identifier never changes (events refer to it)."""
    _require(actor, "location.change", location, view="location.view", model=Location)
    allowed = {
        "name",
        "name_en",
        "kind",
        "address",
        "district",
        "latitude",
        "longitude",
        "area_mu",
        "crop",
        "variety",
        "active",
        "operator",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed.")] for name in sorted(unknown)})
    before = location_snapshot(location)
    errors = _Errors()
    _location_fields(errors, location, **{k: v for k, v in fields.items() if k not in ("active", "operator")})
    if "active" in fields:
        if not isinstance(fields["active"], bool):
            errors.add("active", _("Expected true or false."))
        else:
            location.active = fields["active"]
    if "operator" in fields:
        operator = fields["operator"]
        location.operator = None if operator is None or operator.pk == location.party_id else operator
    errors.raise_if_any()

    def write() -> Location:
        location.updated_at = timezone.now()
        location.save()
        _audit(
            actor,
            "registry.location.update",
            location,
            before=before,
            after=location_snapshot(location),
            party_ref=location.party_id,
        )
        return location

    return _saving(write)


# -- products --------------------------------------------------------------------------------------------


def product_create(
    *,
    actor: Actor,
    party: Party,
    name: str,
    sectors: Iterable[str],
    gtin: str = "",
    platform_code: str = "",
    name_en: str = "",
    brand: str = "",
    category: str = "",
    specification: str = "",
    unit: str = "",
    shelf_life_days: int | None = None,
    attributes: dict[str, Any] | None = None,
) -> Product:
    """Register a product (产品) of its brand owner by GTIN or platform product code."""
    _require(actor, "product.change", party, view="party.view", model=Party)
    errors = _Errors()
    product = Product(party=party)
    result = errors.check(
        "gtin" if gtin else "platform_code",
        validators.normalize_product_identifier,
        gtin=gtin if isinstance(gtin, str) else "",
        platform_code=platform_code if isinstance(platform_code, str) else "",
    )
    if result is not None:
        product.key, product.gtin, product.platform_code = result
        field = "gtin" if product.gtin else "platform_code"
        if Product.objects.filter(key=product.key).exists():
            errors.add(field, _("This product is registered."))
        else:
            _owns_code(errors, field, "gs1" if product.gtin else "platform", product.key, party)
    sector_list = _product_fields(
        errors,
        product,
        name=name,
        name_en=name_en,
        brand=brand,
        category=category,
        specification=specification,
        unit=unit,
        shelf_life_days=shelf_life_days,
        sectors=sectors,
        attributes=attributes,
    )
    errors.raise_if_any()

    def write() -> Product:
        product.save()
        ProductSector.objects.bulk_create([ProductSector(product=product, sector=s) for s in sector_list])
        _audit(actor, "registry.product.create", product, after=product_snapshot(product), party_ref=party.pk)
        return product

    return _saving(write)


def _product_fields(errors: _Errors, product: Product, **fields: Any) -> list[str] | None:
    for name, length, required in (
        ("name", 200, True),
        ("name_en", 200, False),
        ("brand", 100, False),
        ("category", 100, False),
        ("specification", 200, False),
        ("unit", 20, False),
    ):
        if name in fields:
            setattr(product, name, _text(errors, name, fields[name], max_length=length, required=required))
    if "shelf_life_days" in fields:
        value = fields["shelf_life_days"]
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= 36500
        ):
            errors.add("shelf_life_days", _("Expected a number of days from 1 to 36500."))
        else:
            product.shelf_life_days = value
    sector_list = None
    if "sectors" in fields:
        sector_list = _sectors(
            errors, "sectors", list(fields["sectors"]) if fields["sectors"] is not None else None
        )
    if "attributes" in fields or sector_list is not None:
        sectors_now = sector_list if sector_list is not None else product.sector_codes if product.pk else []
        attributes = fields.get("attributes", product.attributes)
        checked = errors.check("attributes", validators.check_product_attributes, attributes, sectors_now)
        if checked is not None:
            product.attributes = checked
    return sector_list


def product_update(*, actor: Actor, product: Product, **fields: Any) -> Product:
    """Change a product's data: name, name_en, brand, category, specification, unit,
    shelf_life_days, sectors, attributes, active. Its GTIN or code never changes."""
    _require(actor, "product.change", product, view="product.view", model=Product)
    allowed = {
        "name",
        "name_en",
        "brand",
        "category",
        "specification",
        "unit",
        "shelf_life_days",
        "sectors",
        "attributes",
        "active",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed.")] for name in sorted(unknown)})
    before = product_snapshot(product)
    errors = _Errors()
    sector_list = _product_fields(errors, product, **{k: v for k, v in fields.items() if k != "active"})
    if "active" in fields:
        if not isinstance(fields["active"], bool):
            errors.add("active", _("Expected true or false."))
        else:
            product.active = fields["active"]
    errors.raise_if_any()

    def write() -> Product:
        product.updated_at = timezone.now()
        product.save()
        if sector_list is not None:
            _set_children(ProductSector, "product", product, "sector", sector_list)
        _audit(
            actor,
            "registry.product.update",
            product,
            before=before,
            after=product_snapshot(product),
            party_ref=product.party_id,
        )
        return product

    product = _saving(write)
    if hasattr(product, "_prefetched_objects_cache"):
        product._prefetched_objects_cache.clear()
    return product


# -- code allocation (赋码, docs/codes.md) ------------------------------------------------------------

#: Most codes one allocation hands out (a CSV of them streams; labels are printed page by page).
MAX_CODES_PER_ALLOCATION = 1_000_000
#: Platform trace codes of one node on one day: the code's four sequence digits (0000-9999).
PLATFORM_CODES_PER_DAY = 10_000
#: Node numbers of one district: the code's digits 7-10 (0001-9999).
NODES_PER_DISTRICT = 9_999


def _locked_counter(scheme: str, key: str):
    """The counter of (scheme, key), created at 0 when new, locked until the transaction ends.

    ``SELECT … FOR UPDATE`` on PostgreSQL: a second allocation of the same numbering space waits
    here until the first commits and then reads its ``next_sequence``. SQLite serialises writing
    transactions anyway. Two first allocations racing to create the row: the loser's insert fails
    on the unique constraint inside its savepoint, and it locks the winner's row instead.
    """
    counters = CodeCounter.objects.select_for_update()
    counter = counters.filter(scheme=scheme, key=key).first()
    if counter is None:
        try:
            with transaction.atomic():
                CodeCounter.objects.create(
                    scheme=scheme, key=key, secret=new_serial_key().hex() if scheme == "gs1" else ""
                )
        except IntegrityError:
            pass
        counter = counters.get(scheme=scheme, key=key)
    return counter


def _code_node(party: Party, district: str) -> int:
    """The party's node number in ``district``, given from the district's counter on first use."""
    node = CodeNode.objects.filter(party=party, district=district).values_list("node", flat=True).first()
    if node is not None:
        return node
    counter = _locked_counter("node", district)
    # Another allocation of this party may have given it while this one waited for the lock.
    node = CodeNode.objects.filter(party=party, district=district).values_list("node", flat=True).first()
    if node is not None:
        return node
    if counter.next_sequence >= NODES_PER_DISTRICT:
        raise ValidationError({"scheme": [_("The district has no node number left for platform codes.")]})
    node = counter.next_sequence + 1
    CodeNode.objects.create(party=party, district=district, node=node)
    counter.next_sequence = node
    counter.updated_at = timezone.now()
    counter.save(update_fields=["next_sequence", "updated_at"])
    return node


def code_allocation_create(
    *,
    actor: Actor,
    party: Party,
    product: Product,
    count: int,
    scheme: str,
    lot: str = "",
) -> CodeAllocation:
    """Allocate ``count`` codes (赋码) of ``scheme`` to ``party`` for its ``product`` and ``lot``.

    ``scheme`` is ``gs1`` (serial numbers of the product's GTIN: SGTINs, AI 21) or ``platform``
    (平台追溯码 of the party's node in its district, dated today). The party must be filed and
    approved (409 otherwise); an enterprise allocates for its own products only (its
    administrator, staff or API client; operators and platform clients for any). The range is
    taken from the numbering space's counter under a row lock and recorded with its audit row in
    one transaction: concurrent allocations never overlap and no code is handed out twice.
    Returns the ``CodeAllocation``; its codes are listed by ``selectors.code_allocation_codes``.
    """
    _require(actor, "code.allocate", product, view="product.view", model=Product)
    errors = _Errors()
    if party.pk != product.party_id:
        errors.add("product", _("The product is not a product of this party."))
    if scheme not in CodeScheme.values:
        errors.add("scheme", _("Expected one of: %(choices)s.") % {"choices": ", ".join(CodeScheme.values)})
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_CODES_PER_ALLOCATION:
        errors.add("count", _("Expected a whole number from 1 to %(n)d.") % {"n": MAX_CODES_PER_ALLOCATION})
    if not isinstance(lot, str):
        errors.add("lot", _("Expected text."))
        lot = ""
    lot = lot.strip()
    if lot:
        try:
            check_ai_value("10", lot)
        except IdentifierError as exc:
            errors.add("lot", _("Not a valid GS1 lot number (AI 10): %(reason)s") % {"reason": exc})
    if not product.active:
        errors.add("product", _("The product is inactive."))
    if scheme == CodeScheme.GS1 and not product.gtin:
        errors.add("scheme", _("GS1 serial numbers need a product with a GTIN; use platform trace codes."))
    district = party.district
    if scheme == CodeScheme.PLATFORM and (not district or district == District.CITY):
        errors.add("scheme", _("Platform trace codes need the party's district (区县) in Xiamen."))
    errors.raise_if_any()

    with transaction.atomic():
        # The filing as stored now, not as the caller's copy of the party remembers it.
        status = Party.objects.filter(pk=party.pk).values_list("filing_status", flat=True).first()
        if status != FilingStatus.APPROVED:
            raise Conflict(
                _("Codes are allocated only to filed parties; this party's filing is: %(status)s.")
                % {"status": FilingStatus(status or FilingStatus.UNFILED).label}
            )
        if scheme == CodeScheme.GS1:
            key, space = product.gtin.zfill(14), SERIAL_SPACE
        else:
            node = _code_node(party, district)
            key, space = f"{district}{node:04d}{timezone.localdate():%y%m%d}", PLATFORM_CODES_PER_DAY
        counter = _locked_counter(scheme, key)
        left = space - counter.next_sequence
        if count > left:
            message = (
                _("Only %(n)d platform trace codes are left for today (10,000 a day per node).")
                if scheme == CodeScheme.PLATFORM
                else _("Only %(n)d serial numbers are left for this GTIN.")
            )
            raise ValidationError({"count": [message % {"n": left}]})
        first = counter.next_sequence
        allocation = CodeAllocation.objects.create(
            party=party,
            product=product,
            lot=lot,
            scheme=scheme,
            counter_key=key,
            first_sequence=first,
            last_sequence=first + count - 1,
            count=count,
            created_by=actor.user,
            created_by_client=actor.client,
            actor_label=str(actor)[:200],
        )
        counter.next_sequence = first + count
        counter.updated_at = timezone.now()
        counter.save(update_fields=["next_sequence", "updated_at"])
        _audit(
            actor,
            "registry.code.allocate",
            allocation,
            after={
                "product": product.key,
                "lot": lot,
                "scheme": scheme,
                "counter_key": key,
                "first_sequence": first,
                "last_sequence": first + count - 1,
                "count": count,
            },
            party_ref=party.pk,
        )
    return allocation
