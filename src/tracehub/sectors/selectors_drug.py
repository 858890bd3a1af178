"""Reads of the drug subsystem (G2): the enterprise data centre, enforcement cases, alerts, and
where a drug lot went, by district and pharmacy (去向). Each a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from tracehub.accounts.models import District
from tracehub.registry.actors import Actor
from tracehub.registry.models import FilingStatus, Licence, LicenceKind, Location, Party, PartyType
from tracehub.sectors.models_drug import DispensingAlert, DrugCase, DrugInfo, MedicalLicence

SECTOR = "drug"
#: Registry licence kinds that entitle a party to receive drugs (药品生产/经营许可证; retail
#: pharmacies hold a 药品经营许可证 too).
DRUG_LICENCE_KINDS = (LicenceKind.DRUG_MANUFACTURING, LicenceKind.DRUG_DISTRIBUTION)
#: Party types of the drug data centre (药品企业大数据中心).
DRUG_PARTY_TYPES = (
    PartyType.MANUFACTURER,
    PartyType.WHOLESALER,
    PartyType.PHARMACY,
    PartyType.HOSPITAL,
)
LIST_LIMIT = 200
PARTY_PREFIX = "urn:tracehub:party:"


_READY: set[tuple[str, str]] = set()


def g2_tables_ready() -> bool:
    """Whether the database has the G2/G6 tables. Until the sectors migrations include them
    (regenerated at integration), the capture rules that read them stand aside instead of failing
    every capture of a drug event; once found, the answer is kept for the database."""
    from django.db import connection

    from tracehub.sectors.models_import import ForeignProducer

    key = (connection.alias, str(connection.settings_dict.get("NAME")))
    if key in _READY:
        return True
    needed = {MedicalLicence._meta.db_table, DispensingAlert._meta.db_table, ForeignProducer._meta.db_table}
    if needed <= set(connection.introspection.table_names()):
        _READY.add(key)
        return True
    return False


def party_for_key(key: str) -> Party | None:
    """The registry party of an event's party identifier (canonical key: 417/<GLN> or a platform
    party URI by USCC or record id); None when no party has it. One query."""
    if key.startswith(PARTY_PREFIX):
        tail = key[len(PARTY_PREFIX) :]
        if tail.startswith("id:") and tail[3:].isdigit():
            return Party.objects.filter(pk=int(tail[3:])).first()
        return Party.objects.filter(uscc=tail.upper()).first()
    return Party.objects.filter(pgln=key).first()


def _valid_on(day: dt.date) -> Q:
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=day)) & (
        Q(valid_until__isnull=True) | Q(valid_until__gte=day)
    )


def drug_licence_holders(party_ids: Iterable[int], *, day: dt.date) -> set[int]:
    """Which of these parties hold, on ``day``, a valid drug licence or medical institution licence
    and an approved filing. Two queries."""
    ids = list(party_ids)
    if not ids:
        return set()
    filed = Q(party__filing_status=FilingStatus.APPROVED)
    licensed = set(
        Licence.objects.filter(
            _valid_on(day), filed, party_id__in=ids, kind__in=DRUG_LICENCE_KINDS
        ).values_list("party_id", flat=True)
    )
    if g2_tables_ready():
        practice = MedicalLicence.objects.filter(_valid_on(day), filed, party_id__in=ids)
        licensed |= set(practice.values_list("party_id", flat=True))
    return licensed


# -- the enterprise data centre ---------------------------------------------------------------------


def _scope(actor: Actor, parties: QuerySet) -> QuerySet:
    """Parties the actor may see in the data centre: the platform and drug officials all (officials
    within their districts); an enterprise its own party."""
    if actor.sees_all:
        return parties
    if actor.oversees and SECTOR in actor.sectors:
        if actor.districts is None:
            return parties
        return parties.filter(Q(district__in=actor.districts) | Q(district=""))
    if actor.party_id is not None:
        return parties.filter(pk=actor.party_id)
    return parties.none()


def data_centre_parties(*, actor: Actor, q: str = "", party_type: str = "") -> list[Party]:
    """Drug enterprises (药品企业) with their licences and number of cases: three queries."""
    rows = Party.objects.filter(Q(sectors__sector=SECTOR) | Q(party_type__in=DRUG_PARTY_TYPES)).distinct()
    rows = _scope(actor, rows)
    if q:
        rows = rows.filter(
            Q(name__icontains=q) | Q(uscc__iexact=q) | Q(licences__number__iexact=q)
        ).distinct()
    if party_type:
        rows = rows.filter(party_type=party_type)
    rows = rows.annotate(case_count=Count("drug_cases", distinct=True)).prefetch_related(
        Prefetch(
            "licences",
            queryset=Licence.objects.filter(kind__in=DRUG_LICENCE_KINDS + (LicenceKind.BUSINESS_LICENCE,)),
            to_attr="drug_licences",
        ),
        Prefetch("medical_licences", to_attr="practice_licences"),
    )
    return list(rows.order_by("name", "id")[:LIST_LIMIT])


def case_list(*, actor: Actor, q: str = "", party_id: int | None = None) -> QuerySet[DrugCase]:
    """Enforcement cases (案件) officials search: by party name, USCC, case number or violation."""
    rows = DrugCase.objects.select_related("party", "product")
    if not (actor.sees_all or (actor.oversees and SECTOR in actor.sectors)):
        return rows.none()
    if actor.districts is not None and not actor.sees_all:
        rows = rows.filter(Q(party__district__in=actor.districts) | Q(party__district=""))
    if q:
        rows = rows.filter(
            Q(party__name__icontains=q)
            | Q(party__uscc__iexact=q)
            | Q(number__icontains=q)
            | Q(violation__icontains=q)
        )
    if party_id is not None:
        rows = rows.filter(party_id=party_id)
    return rows.order_by("-opened_on", "-id")


def drug_info_list(*, q: str = "") -> QuerySet[DrugInfo]:
    rows = DrugInfo.objects.select_related("product", "holder")
    if q:
        rows = rows.filter(
            Q(product__name__icontains=q) | Q(approval_number__iexact=q) | Q(standard_code=q) | Q(udi_di=q)
        )
    return rows.order_by("approval_number", "id")


def alert_list(*, actor: Actor) -> QuerySet[DispensingAlert]:
    if actor.sees_all or (actor.oversees and SECTOR in actor.sectors):
        return DispensingAlert.objects.all()
    return DispensingAlert.objects.none()


# -- where a drug lot went (去向) ----------------------------------------------------------------------


def lot_key(gtin: str, lot: str) -> str:
    return f"01/{gtin}/10/{lot}"


def lot_destinations(*, key: str) -> dict[str, Any]:
    """Where a drug lot (canonical key ``01/<GTIN>/10/<lot>``) went: every pharmacy or hospital
    that received any of its packs (or cartons or cases holding them), by district, with the packs
    received and dispensed there. Uses the tracing app's forward trace."""
    from tracehub.tracing.selectors import trace_build

    trace = trace_build(key=key, direction="forward")
    received: dict[str, set[str]] = defaultdict(set)
    dispensed: dict[str, set[str]] = defaultdict(set)
    packs = {k for k in trace.keys if k.startswith("01/") and "/21/" in k}
    for event in trace.events:
        if not event.location:
            continue
        if event.biz_step == "receiving":
            received[event.location].update(k for k in event.keys)
        elif event.biz_step == "dispensing":
            dispensed[event.location].update(k for k in event.keys if k in packs)
    places = list(received.keys() | dispensed.keys())
    locations = {loc.key: loc for loc in Location.objects.filter(key__in=places).select_related("party")}
    contents = _packs_in(trace, packs)
    districts: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for place in places:
        location = locations.get(place)
        if location is None or location.party.party_type not in (PartyType.PHARMACY, PartyType.HOSPITAL):
            continue
        got = {p for k in received.get(place, ()) for p in contents.get(k, {k} & packs)}
        district = location.district or location.party.district or ""
        districts[district].append(
            {
                "party": location.party.name,
                "partyType": location.party.party_type,
                "location": location.name,
                "locationKey": place,
                "packsReceived": len(got),
                "packsDispensed": len(dispensed.get(place, ())),
            }
        )
    labels = dict(District.choices)
    return {
        "lot": key,
        "packs": len(packs),
        "districts": [
            {
                "district": code,
                "name": str(labels.get(code, code or "—")),
                "places": sorted(rows, key=lambda r: r["party"]),
                "packsReceived": sum(r["packsReceived"] for r in rows),
            }
            for code, rows in sorted(districts.items())
        ],
    }


def _packs_in(trace, packs: set[str]) -> dict[str, set[str]]:
    """The packs a container (case or carton) held, from the trace's packing events (no query)."""
    children: dict[str, set[str]] = defaultdict(set)
    for event in trace.events:
        if event.event_type != "AggregationEvent" or event.action not in ("ADD", "OBSERVE"):
            continue
        document = event.document or {}
        parent = next((k for k, role in event.keys.items() if role == "parent"), None)
        if parent is None:
            continue
        children[parent].update(k for k, role in event.keys.items() if role == "child")
        del document
    resolved: dict[str, set[str]] = {}

    def expand(key: str, seen: frozenset[str] = frozenset()) -> set[str]:
        if key in packs:
            return {key}
        if key in resolved:
            return resolved[key]
        out: set[str] = set()
        for child in children.get(key, ()):
            if child not in seen:
                out |= expand(child, seen | {key})
        resolved[key] = out
        return out

    return {key: expand(key) for key in children}
