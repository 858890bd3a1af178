"""Reads of the registry, each scoped to what the actor may see (``permissions``), free of N+1.

A list returns a queryset with its relations prefetched: a page of it costs the same few queries
whatever its size (asserted in tests/registry/test_api.py). A ``*_get`` raises the model's
``DoesNotExist`` both for a missing object and for one the actor may not see, so an answer never
tells another party's data exists (404, docs/permissions.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from stdnum.iso7064 import mod_97_10

from tracehub.accounts.models import AuditEntry
from tracehub.identifiers import IdentifierError, parse_platform_trace_code, validate_gtin
from tracehub.identifiers.platform import parse_platform_uri
from tracehub.identifiers.serials import SerialCipher
from tracehub.registry import permissions, protect
from tracehub.registry.actors import Actor
from tracehub.registry.models import (
    CodeAllocation,
    CodeCounter,
    CodeScheme,
    Filing,
    FilingStep,
    Licence,
    Location,
    Party,
    PartyApiClient,
    PartyMember,
    PartyPrefix,
    PartySector,
    Product,
    ProductSector,
)


def _scoped(qs: QuerySet, scope) -> QuerySet:
    return qs if scope is None else qs.filter(scope)


def _contains(q: str | None, *fields: str) -> Q | None:
    q = (q or "").strip()
    if not q:
        return None
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__icontains": q})
    return condition


# -- parties ------------------------------------------------------------------------------------------


def _party_qs() -> QuerySet[Party]:
    return Party.objects.prefetch_related(
        Prefetch("sectors", queryset=PartySector.objects.order_by("sector")),
        Prefetch("prefixes", queryset=PartyPrefix.objects.order_by("prefix")),
    )


def party_list(
    *,
    actor: Actor,
    sector: str | None = None,
    district: str | None = None,
    party_type: str | None = None,
    status: str | None = None,
    q: str | None = None,
) -> QuerySet[Party]:
    qs = _scoped(_party_qs(), permissions.party_scope(actor))
    if sector:
        qs = qs.filter(Exists(PartySector.objects.filter(party_id=OuterRef("pk"), sector=sector)))
    if district:
        qs = qs.filter(district=district)
    if party_type:
        qs = qs.filter(party_type=party_type)
    if status:
        qs = qs.filter(filing_status=status)
    text = _contains(q, "name", "name_en", "uscc", "address")
    if text is not None:
        qs = qs.filter(text)
    return qs.order_by("name", "id")


def party_get(*, actor: Actor, pk: int) -> Party:
    return _scoped(_party_qs(), permissions.party_scope(actor)).get(pk=pk)


def party_by_uscc(*, actor: Actor, uscc: str) -> Party:
    return _scoped(_party_qs(), permissions.party_scope(actor)).get(uscc=uscc.strip().upper())


def party_by_id_number(*, actor: Actor, id_number: str) -> Party:
    """Find an individual by ID number through its keyed digest (the number is never queried)."""
    return _scoped(_party_qs(), permissions.party_scope(actor)).get(
        id_number_digest=protect.digest(id_number.strip())
    )


def party_of_user(user) -> Party | None:
    member = PartyMember.objects.filter(user=user).select_related("party").first()
    return member.party if member else None


def party_members(*, party: Party) -> QuerySet[PartyMember]:
    return (
        PartyMember.objects.filter(party=party)
        .select_related("user", "user__profile")
        .order_by("user__username")
    )


def party_api_clients(*, party: Party) -> QuerySet[PartyApiClient]:
    return PartyApiClient.objects.filter(party=party).select_related("client").order_by("client__name")


def party_users(party_id: int) -> list:
    """The console users of a party (who are notified of its filing)."""
    return [
        m.user
        for m in PartyMember.objects.filter(party_id=party_id, user__is_active=True).select_related("user")
    ]


def officials_overseeing(party: Party) -> list:
    """The officials who may decide the party's filing (notified when it is submitted)."""
    from tracehub.accounts.models import District, Role, UserProfile
    from tracehub.registry.actors import _department_sectors

    sectors = set(party.sector_codes)
    users = []
    profiles = UserProfile.objects.filter(role=Role.OFFICIAL, user__is_active=True).select_related("user")
    by_department: dict[int, frozenset[str]] = {}
    for profile in profiles:
        if profile.department_id not in by_department:
            by_department[profile.department_id] = _department_sectors(profile.department_id)
        if not sectors.intersection(by_department[profile.department_id]):
            continue
        districts = set(profile.districts or ())
        if District.CITY in districts or party.district in districts:
            users.append(profile.user)
    return users


# -- filings -------------------------------------------------------------------------------------------


def _filing_qs() -> QuerySet[Filing]:
    return Filing.objects.select_related("party").prefetch_related(
        Prefetch("party__sectors", queryset=PartySector.objects.order_by("sector")),
        Prefetch("steps", queryset=FilingStep.objects.order_by("at", "id")),
    )


def filing_list(
    *,
    actor: Actor,
    status: str | None = None,
    party_id: int | None = None,
    sector: str | None = None,
    district: str | None = None,
    q: str | None = None,
) -> QuerySet[Filing]:
    qs = _scoped(_filing_qs(), permissions.filing_scope(actor))
    if status:
        qs = qs.filter(status=status)
    if party_id:
        qs = qs.filter(party_id=party_id)
    if sector:
        qs = qs.filter(Exists(PartySector.objects.filter(party_id=OuterRef("party_id"), sector=sector)))
    if district:
        qs = qs.filter(party__district=district)
    text = _contains(q, "party__name", "party__uscc", "number")
    if text is not None:
        qs = qs.filter(text)
    return qs.order_by("-submitted_at", "-id")


def filing_review_queue(*, actor: Actor) -> QuerySet[Filing]:
    """Filings waiting for a decision of this actor, oldest first (the officials' review queue)."""
    return filing_list(actor=actor, status="submitted").order_by("submitted_at", "id")


def filing_get(*, actor: Actor, pk: int) -> Filing:
    return _scoped(_filing_qs(), permissions.filing_scope(actor)).get(pk=pk)


# -- licences ------------------------------------------------------------------------------------------


def licence_list(
    *,
    actor: Actor,
    party_id: int | None = None,
    kind: str | None = None,
    expiring_within_days: int | None = None,
    q: str | None = None,
) -> QuerySet[Licence]:
    qs = _scoped(Licence.objects.select_related("party"), permissions.licence_scope(actor))
    if party_id:
        qs = qs.filter(party_id=party_id)
    if kind:
        qs = qs.filter(kind=kind)
    if expiring_within_days is not None:
        today = timezone.localdate()
        qs = qs.filter(valid_until__gte=today, valid_until__lte=today + timedelta(days=expiring_within_days))
    text = _contains(q, "number", "issuer", "party__name")
    if text is not None:
        qs = qs.filter(text)
    return qs.order_by("party_id", "kind", "number", "id")


def licence_get(*, actor: Actor, pk: int) -> Licence:
    return _scoped(Licence.objects.select_related("party"), permissions.licence_scope(actor)).get(pk=pk)


def licences_expiring(*, today: date | None = None, within_days: int | None = None) -> QuerySet[Licence]:
    """Licences whose validity ends within ``within_days`` (default TRACEHUB_LICENCE_EXPIRY_DAYS)
    from ``today``, not yet expired: the ones flagged to their party (issue #3 item 2)."""
    today = today or timezone.localdate()
    days = settings.TRACEHUB_LICENCE_EXPIRY_DAYS if within_days is None else within_days
    return (
        Licence.objects.filter(valid_until__gte=today, valid_until__lte=today + timedelta(days=days))
        .select_related("party")
        .order_by("valid_until", "id")
    )


def licence_is_expiring(licence: Licence, *, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    if licence.valid_until is None:
        return False
    return today <= licence.valid_until <= today + timedelta(days=settings.TRACEHUB_LICENCE_EXPIRY_DAYS)


# -- locations -----------------------------------------------------------------------------------------


def _location_qs() -> QuerySet[Location]:
    return Location.objects.select_related("party", "operator")


def location_list(
    *,
    actor: Actor,
    party_id: int | None = None,
    district: str | None = None,
    kind: str | None = None,
    q: str | None = None,
) -> QuerySet[Location]:
    qs = _scoped(_location_qs(), permissions.location_scope(actor))
    if party_id:
        qs = qs.filter(Q(party_id=party_id) | Q(operator_id=party_id))
    if district:
        qs = qs.filter(district=district)
    if kind:
        qs = qs.filter(kind=kind)
    text = _contains(q, "name", "name_en", "address", "key")
    if text is not None:
        qs = qs.filter(text)
    return qs.order_by("party_id", "name", "id")


def location_get(*, actor: Actor, pk: int) -> Location:
    return _scoped(_location_qs(), permissions.location_scope(actor)).get(pk=pk)


# -- products ------------------------------------------------------------------------------------------


def _product_qs() -> QuerySet[Product]:
    return Product.objects.select_related("party").prefetch_related(
        Prefetch("sectors", queryset=ProductSector.objects.order_by("sector"))
    )


def product_list(
    *,
    actor: Actor,
    party_id: int | None = None,
    sector: str | None = None,
    q: str | None = None,
) -> QuerySet[Product]:
    qs = _scoped(_product_qs(), permissions.product_scope(actor))
    if party_id:
        qs = qs.filter(party_id=party_id)
    if sector:
        qs = qs.filter(Exists(ProductSector.objects.filter(product_id=OuterRef("pk"), sector=sector)))
    text = _contains(q, "name", "name_en", "brand", "gtin", "platform_code")
    if text is not None:
        qs = qs.filter(text)
    return qs.order_by("party_id", "name", "id")


def product_get(*, actor: Actor, pk: int) -> Product:
    return _scoped(_product_qs(), permissions.product_scope(actor)).get(pk=pk)


# -- audit ---------------------------------------------------------------------------------------------


def audit_list(
    *,
    actor: Actor,
    object_type: str | None = None,
    object_id: str | None = None,
    action: str | None = None,
    party_id: int | None = None,
    actor_label: str | None = None,
    since=None,
    until=None,
) -> QuerySet[AuditEntry]:
    """The audit trail (审计日志) as this actor may search it (issue #3 item 8)."""
    qs = _scoped(AuditEntry.objects.all(), permissions.audit_scope(actor))
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if action:
        qs = qs.filter(action__startswith=action)
    if party_id:
        qs = qs.filter(party_ref=party_id)
    if actor_label:
        qs = qs.filter(actor_label__icontains=actor_label)
    if since:
        qs = qs.filter(at__gte=since)
    if until:
        qs = qs.filter(at__lt=until)
    return qs.order_by("-at", "-id")


# -- for the event store -------------------------------------------------------------------------------


def registered_company_prefixes() -> frozenset[str]:
    """GS1 company prefixes registered on parties (their length is then known, DESIGN.md §3)."""
    return frozenset(PartyPrefix.objects.values_list("prefix", flat=True))


# -- code allocation (赋码, docs/codes.md) ------------------------------------------------------------


def _allocation_qs() -> QuerySet[CodeAllocation]:
    return CodeAllocation.objects.select_related("party", "product")


def code_allocation_list(
    *,
    actor: Actor,
    party_id: int | None = None,
    product_id: int | None = None,
    scheme: str | None = None,
    lot: str | None = None,
    q: str | None = None,
) -> QuerySet[CodeAllocation]:
    """The allocations of the products the actor sees, newest first (one query a page)."""
    qs = _scoped(_allocation_qs(), permissions.code_allocation_scope(actor))
    if party_id:
        qs = qs.filter(party_id=party_id)
    if product_id:
        qs = qs.filter(product_id=product_id)
    if scheme:
        qs = qs.filter(scheme=scheme)
    if lot:
        qs = qs.filter(lot=lot)
    text = _contains(q, "lot", "product__name", "product__gtin", "counter_key")
    if text is not None:
        qs = qs.filter(text)
    return qs.order_by("-created_at", "-id")


def code_allocation_get(*, actor: Actor, pk: int) -> CodeAllocation:
    return _scoped(_allocation_qs(), permissions.code_allocation_scope(actor)).get(pk=pk)


def _range_holding(scheme: str, key: str, sequence: int) -> CodeAllocation | None:
    """The allocation whose range holds ``sequence``: one backward scan of the unique index
    (scheme, counter_key, first_sequence) to the nearest range starting at or before it."""
    allocation = (
        _allocation_qs()
        .filter(scheme=scheme, counter_key=key, first_sequence__lte=sequence)
        .order_by("-first_sequence")
        .first()
    )
    if allocation is None or allocation.last_sequence < sequence:
        return None
    return allocation


def code_allocation_find(
    *, gtin: str | None = None, serial: str | None = None, platform_code: str | None = None
) -> CodeAllocation | None:
    """The allocation a code was handed out in, or None: was this code ever allocated, and to
    which party, product and lot? For the public portal (no actor: it decides what to show).

    ``gtin`` and ``serial`` (AI 01 and 21, any GTIN length) for a GS1 serial, or ``platform_code``
    (22 digits, grouped, or its ``urn:tracehub:code:trace:`` URI). Malformed input is simply not
    allocated (None). Two indexed look-ups for a serial (the GTIN's counter and key, then the
    range), one for a platform code, whatever the number of codes allocated.
    """
    if platform_code:
        text = platform_code.strip()
        try:
            if text[:4].lower() == "urn:":
                parsed = parse_platform_uri(text)
                if parsed is None or parsed.kind != "trace":
                    return None
                code = parsed.value
            else:
                code = parse_platform_trace_code(text).code
        except IdentifierError:
            return None
        return _range_holding(CodeScheme.PLATFORM, code[:16], int(code[16:20]))
    if gtin and serial:
        try:
            key = validate_gtin(gtin.strip())
        except IdentifierError:
            return None
        counter = (
            CodeCounter.objects.filter(scheme=CodeScheme.GS1, key=key).only("secret", "next_sequence").first()
        )
        if counter is None or not counter.secret:
            return None
        sequence = SerialCipher(bytes.fromhex(counter.secret)).decode(serial)
        if sequence is None or sequence >= counter.next_sequence:
            return None
        return _range_holding(CodeScheme.GS1, key, sequence)
    return None


def code_allocation_codes(
    allocation: CodeAllocation, *, start: int = 0, stop: int | None = None
) -> Iterator[str]:
    """The codes of an allocation, positions ``start`` … ``stop - 1`` (0-based), in order, computed
    as they are read (a million cost constant memory): GS1 serials (13 digits) or platform trace
    codes (22 digits)."""
    stop = allocation.count if stop is None else min(stop, allocation.count)
    if not 0 <= start < stop:
        return iter(())
    first, last = allocation.first_sequence + start, allocation.first_sequence + stop - 1
    if allocation.scheme == CodeScheme.GS1:
        secret = CodeCounter.objects.filter(scheme=CodeScheme.GS1, key=allocation.counter_key).values_list(
            "secret", flat=True
        )[0]
        return SerialCipher(bytes.fromhex(secret)).serials(first, last)
    key = allocation.counter_key
    return (
        f"{key}{seq:04d}{mod_97_10.calc_check_digits(f'{key}{seq:04d}')}" for seq in range(first, last + 1)
    )


def code_allocation_first_last(allocation: CodeAllocation) -> tuple[str, str]:
    """The first and last code of an allocation (for its detail page and API answer)."""
    first = next(iter(code_allocation_codes(allocation, start=0, stop=1)))
    last = next(iter(code_allocation_codes(allocation, start=allocation.count - 1)))
    return first, last


def code_allocation_holding(*, platform_code: str) -> dict | None:
    """The allocation range that holds a platform trace code (平台追溯码), as plain values, or None.

    For the public page ``/t/{code}``: ``{"id", "party_id", "product_id", "lot"}`` of the allocation,
    without loading the party or the product (the portal caches those per product). ``platform_code``
    is the 22-digit code, grouped, or its ``urn:tracehub:code:trace:`` URI; a malformed code or one
    of another kind is simply not held (None). One backward scan of the unique index (scheme,
    counter_key, first_sequence), whatever the number of codes allocated.
    """
    text = (platform_code or "").strip()
    try:
        if text[:4].lower() == "urn:":
            parsed = parse_platform_uri(text)
            if parsed is None or parsed.kind != "trace":
                return None
            code = parsed.value
        else:
            code = parse_platform_trace_code(text).code
    except IdentifierError:
        return None
    sequence = int(code[16:20])
    row = (
        CodeAllocation.objects.filter(
            scheme=CodeScheme.PLATFORM, counter_key=code[:16], first_sequence__lte=sequence
        )
        .order_by("-first_sequence")
        .values("id", "party_id", "product_id", "lot", "last_sequence")
        .first()
    )
    if row is None or row.pop("last_sequence") < sequence:
        return None
    return row
