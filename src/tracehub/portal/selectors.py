"""Reads of the public portal: the story of a code (product, producer, chain, badges, recall),
its look-up counter, and the reports and alerts officials read (DESIGN.md §2).

Cost per page (issue #5: 500 pages/s): what does not change from scan to scan is cached in the
portal's cache (:func:`portal_cache`: product and producer per GTIN and per product, a lot's
upstream chain, location names, the open recalls, the page shell), so a warm page costs one query
for the code's own events, plus the scan counter.

The chain of a serial whose own events name it only as an EPC (commissioned, observed, sold: no
aggregation, no transformation) is its own events plus its lot's trace back up to the serial's
commissioning: the lot part is shared by every serial of the lot and cached once. Any other code
takes the full trace back of :func:`tracehub.tracing.selectors.trace_build`, cached per code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from tracehub.accounts.models import DepartmentSector, Role, UserProfile
from tracehub.identifiers import IdentifierError
from tracehub.portal.codes import CodeRef
from tracehub.portal.models import AuthenticityAlert, Report, ScanCounter
from tracehub.portal.sql import prepared_fetch
from tracehub.registry.models import Location, Product
from tracehub.tracing.genealogy import EVENT_TABLE, INDEX_TABLE, OBJECT_ROLES, any_of, fetch, undeclared_sql
from tracehub.tracing.models import Recall, RecallStatus

#: Business steps a consumer reads, by the last word of the bizStep URI.
STEP_LABELS = {
    "commissioning": _("Produced and coded (生产赋码)"),
    "packing": _("Packed (装箱)"),
    "unpacking": _("Unpacked (拆箱)"),
    "shipping": _("Shipped (发货)"),
    "receiving": _("Received (收货)"),
    "accepting": _("Accepted (验收)"),
    "inspecting": _("Inspected (检验)"),
    "storing": _("Stored (仓储)"),
    "retail_selling": _("Sold at retail (零售)"),
    "dispensing": _("Dispensed (药房售出)"),
    "harvesting": _("Harvested (采收)"),
    "slaughtering": _("Slaughtered (屠宰)"),
    "customs_clearance": _("Cleared by customs (通关放行)"),
    "transforming": _("Processed (加工)"),
    "loading": _("Loaded (装车)"),
    "departing": _("Departed (出发)"),
    "arriving": _("Arrived (到达)"),
    "entering_exiting": _("Entered or left (进出场)"),
    "destroying": _("Destroyed (销毁)"),
    "decommissioning": _("Decommissioned (注销)"),
}

#: Documents the public may see the number of (certificates, tests, declarations), by kind; the
#: business documents (orders, invoices, bills of lading) stay private.
PUBLIC_DOCUMENTS = {
    "animal_quarantine_certificate": _("Animal quarantine certificate (动物检疫合格证明)"),
    "meat_quality_certificate": _("Meat quality certificate (肉品品质检验合格证)"),
    "produce_compliance_certificate": _("Compliance certificate (承诺达标合格证)"),
    "entry_inspection_certificate": _("Entry inspection certificate (入境货物检验检疫证明)"),
    "export_health_certificate": _("Health certificate of the exporting country (官方卫生证书)"),
    "customs_declaration": _("Customs declaration (报关单)"),
    "inspection_report": _("Inspection report (检验报告)"),
    "certification": _("Certificate (认证证书)"),  # EPCIS 2.0 certificationInfo
}
#: bizTransaction types whose numbers are public whatever the document kind.
PUBLIC_TRANSACTION_TYPES = frozenset({"cert", "testres"})

RESULT_LABELS = {
    "pass": _("pass (合格)"),
    "fail": _("fail (不合格)"),
    "negative": _("negative (阴性)"),
    "positive": _("positive (阳性)"),
}

#: Sector attributes of a product (registry) the page shows, with their labels.
ATTRIBUTE_LABELS = {
    "approval_number": _("Approval number (批准文号)"),
    "dosage_form": _("Dosage form (剂型)"),
    "origin_country": _("Country of origin (原产国)"),
    "origin_region": _("Region of origin (产地)"),
    "alcohol_strength": _("Alcohol (酒精度)"),
    "variety": _("Variety (品种)"),
    "pesticide_registration": _("Pesticide registration (农药登记证号)"),
    "toxicity": _("Toxicity (毒性)"),
    "active_ingredient": _("Active ingredient (有效成分)"),
}

#: Sensor readings (EPCIS 2.0 sensorElementList) the page sums up as a range, by measurement type.
SENSOR_LABELS = {
    "Temperature": _("Temperature recorded (温度记录)"),
    "RelativeHumidity": _("Humidity recorded (湿度记录)"),
}
UNIT_SYMBOLS = {"CEL": "°C", "FAH": "°F", "P1": "%"}

SOLD_STEPS = frozenset({"retail_selling", "dispensing"})
COMMISSION_STEP = "commissioning"


#: Entries of the portal's own per-process cache (:func:`portal_cache`) unless settings say otherwise.
DEFAULT_CACHE_ENTRIES = 20_000
_LOCAL_CACHE: LocMemCache | None = None


def portal_cache() -> BaseCache:
    """The cache of the page's immutable and slowly changing parts (docs/portal.md, "Cost of a page").

    ``CACHES["portal"]`` when the settings name one; else the default cache when the settings make it
    a shared one (Redis, Memcached, a database or file cache); else a per-process ``LocMemCache`` of
    its own with ``TRACEHUB_PORTAL_CACHE_ENTRIES`` entries (default 20,000). Django's default
    ``LocMemCache`` keeps only 300 entries: the pages of a thousand lots (a shell per language, the
    lot's chain and its commissioning event each) would push each other out on every scan.
    """
    global _LOCAL_CACHE
    configured = settings.CACHES
    if "portal" in configured:
        return caches["portal"]
    backend = configured.get("default", {}).get("BACKEND", "")
    if backend and not backend.endswith("locmem.LocMemCache"):
        return caches["default"]
    if _LOCAL_CACHE is None:
        entries = int(getattr(settings, "TRACEHUB_PORTAL_CACHE_ENTRIES", DEFAULT_CACHE_ENTRIES))
        _LOCAL_CACHE = LocMemCache(
            "tracehub-portal",
            {"TIMEOUT": settings.TRACEHUB_PORTAL_CACHE_SECONDS, "OPTIONS": {"MAX_ENTRIES": entries}},
        )
    return _LOCAL_CACHE


def step_word(biz_step: str) -> str:
    """``urn:epcglobal:cbv:bizstep:shipping`` / ``https://ref.gs1.org/cbv/BizStep-shipping`` -> shipping."""
    word = biz_step.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    return word.removeprefix("BizStep-")


def step_label(biz_step: str) -> str:
    word = step_word(biz_step)
    label = STEP_LABELS.get(word)
    return str(label) if label is not None else word.replace("_", " ")


# ------------------------------------------------------------------------------------------------
# Product, producer and the bureau responsible.
# ------------------------------------------------------------------------------------------------


def _product_dict(product: Product) -> dict[str, Any]:
    party = product.party
    return {
        "id": product.pk,
        "key": product.key,
        "gtin": product.gtin,
        "name": product.name,
        "name_en": product.name_en,
        "brand": product.brand,
        "category": product.category,
        "specification": product.specification,
        "attributes": dict(product.attributes or {}),
        "shelf_life_days": product.shelf_life_days,
        "sectors": sorted(s.sector for s in product.sectors.all()),
        # Varies the cached page fragments: a change of the product or its party shows at once.
        "version": f"{product.updated_at.timestamp()}:{party.updated_at.timestamp()}:{party.filing_status}",
        "party": {
            "name": party.name,
            "name_en": party.name_en,
            "filing_status": party.filing_status,
            "filing_number": party.filing_number,
            "country": party.country,
            "district": party.district,
        },
    }


def product_cache_key(gtin: str) -> str:
    return f"portal:product:{gtin}"


def product_id_cache_key(pk: int) -> str:
    return f"portal:product-id:{pk}"


def _product_query():
    return Product.objects.select_related("party").prefetch_related("sectors")


def product_for_code(ref: CodeRef, allocation: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The registered product of a code (cached): by GTIN, else through the code allocation that
    issued it (``allocation``, as :func:`allocation_for` gives it for a platform code)."""
    cache = portal_cache()
    if ref.gtin:
        cache_key = product_cache_key(ref.gtin)
        found = cache.get(cache_key)
        if found is None:
            product = _product_query().filter(gtin=ref.gtin).first()
            found = _product_dict(product) if product is not None else {}
            cache.set(cache_key, found, settings.TRACEHUB_PORTAL_CACHE_SECONDS)
        return found or None
    if ref.kind == "platform" and allocation is None:
        allocation = allocation_for(ref)
    if not isinstance(allocation, dict):
        return None
    cache_key = product_id_cache_key(allocation["product_id"])
    found = cache.get(cache_key)
    if found is None:
        product = _product_query().filter(pk=allocation["product_id"]).first()
        found = _product_dict(product) if product is not None else {}
        cache.set(cache_key, found, settings.TRACEHUB_PORTAL_CACHE_SECONDS)
    return found or None


def allocation_for(ref: CodeRef):
    """The code allocation (赋码) that issued the code, or None.

    A platform trace code: ``{"id", "party_id", "product_id", "lot"}`` of the allocation range that
    holds it (``registry.selectors.code_allocation_holding``, one indexed look-up). A GS1 serial: the
    ``CodeAllocation`` of ``registry.selectors.code_allocation_find``. Other codes: None.
    """
    from tracehub.registry import selectors as registry_selectors

    try:
        if ref.kind == "platform":
            if ref.platform_kind != "trace":
                return None
            return registry_selectors.code_allocation_holding(platform_code=ref.key)
        if ref.kind == "serial":
            return registry_selectors.code_allocation_find(gtin=ref.gtin, serial=ref.serial)
    except (IdentifierError, ValueError):
        return None
    return None


def departments_for_sectors(sectors: list[str]) -> list[int]:
    """Departments responsible for any of the sectors, and their parent departments (商务局 for
    酒类流通管理局's liquor), in a stable order."""
    rows = DepartmentSector.objects.filter(sector__in=sectors).values_list(
        "department_id", "department__parent_id"
    )
    found: dict[int, None] = {}
    for department, parent in sorted(rows):
        found[department] = None
        if parent is not None:
            found[parent] = None
    return list(found)


def officials_of(department_ids: list[int]) -> list:
    """The official accounts of the departments (to notify)."""
    return [
        profile.user
        for profile in UserProfile.objects.filter(
            role=Role.OFFICIAL, department_id__in=department_ids, user__is_active=True
        ).select_related("user")
    ]


# ------------------------------------------------------------------------------------------------
# The chain (from source to this item).
# ------------------------------------------------------------------------------------------------


@dataclass
class OwnEvents:
    """The code's own events, fresh on every scan (they decide the authenticity checks)."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    roles: set[str] = field(default_factory=set)
    lot: str = ""  # ILMD lot number of the commissioning event
    commissioned_at: datetime | None = None
    ilmd: dict[str, Any] = field(default_factory=dict)  # the commissioning event's ILMD

    @property
    def commissioned(self) -> bool:
        return self.commissioned_at is not None

    @property
    def sold_at(self) -> datetime | None:
        times = [row["time"] for row in self.rows if row["step"] in SOLD_STEPS]
        return min(times) if times else None


def _aware(value) -> datetime:
    from tracehub.tracing.genealogy import _aware as aware

    return aware(value)


#: Events are immutable (O3): their public rows are cached for a day.
EVENT_SECONDS = 24 * 3600


#: The own events of a code (PostgreSQL, prepared): its object rows and their live events.
_OWN_EVENTS_SQL = (
    "SELECT e.id, i.role, e.event_time, e.event_type, e.action, e.biz_step, e.disposition, "  # noqa: S608
    "e.biz_location, e.read_point "
    f"FROM {INDEX_TABLE} i JOIN {EVENT_TABLE} e ON e.id = i.event_id "
    f"WHERE i.key = $1 AND i.role IN ({', '.join(repr(role) for role in OBJECT_ROLES)}) "
    f"AND NOT e.error_declared AND {undeclared_sql('e.id', vendor='postgresql')}"
)


def own_events(key: str) -> OwnEvents:
    """Every live event naming ``key`` as an object (one query, prepared on PostgreSQL; the events'
    public rows come from the cache, their documents are read only for events not seen yet: a
    commissioning event of a thousand serials is a 50 KB document, parsed once, not once per serial)."""
    if connection.vendor == "postgresql":
        rows = prepared_fetch("tracehub_portal_own_events", "text", _OWN_EVENTS_SQL, [key])
    else:
        roles_sql, roles = any_of("i.role", OBJECT_ROLES)
        rows = fetch(
            "SELECT e.id, i.role, e.event_time, e.event_type, e.action, e.biz_step, e.disposition, "  # noqa: S608
            "e.biz_location, e.read_point "
            f"FROM {INDEX_TABLE} i JOIN {EVENT_TABLE} e ON e.id = i.event_id "
            f"WHERE i.key = %s AND {roles_sql} AND NOT e.error_declared AND {undeclared_sql('e.id')}",
            [key, *roles],
        )
    result = OwnEvents()
    facts: dict[int, tuple] = {}
    for pk, role, *rest in rows:
        result.roles.add(role)
        facts.setdefault(pk, tuple(rest))
    cache = portal_cache()
    cached = cache.get_many([f"portal:event:{pk}" for pk in facts])
    events = {pk: cached[f"portal:event:{pk}"] for pk in facts if f"portal:event:{pk}" in cached}
    missing = [pk for pk in facts if pk not in events]
    if missing:
        fresh = {}
        for pk, document in _documents_of(missing).items():
            time, event_type, action, biz_step, disposition, biz_location, read_point = facts[pk]
            fresh[pk] = {
                "row": event_dict(
                    pk=pk,
                    time=_aware(time),
                    event_type=event_type,
                    action=action or "",
                    biz_step=biz_step or "",
                    disposition=disposition or "",
                    location=biz_location or read_point or "",
                    document=document,
                ),
                "lot": _ilmd_lot(document),
                "ilmd": {k.rsplit(":", 1)[-1]: v for k, v in (document.get("ilmd") or {}).items()},
            }
        cache.set_many({f"portal:event:{pk}": value for pk, value in fresh.items()}, EVENT_SECONDS)
        events.update(fresh)
    for pk in facts:
        event = events[pk]
        row = event["row"]
        result.rows.append(row)
        commissions = row["step"] == COMMISSION_STEP or (
            row["type"] == "ObjectEvent" and row["action"] == "ADD"
        )
        if commissions and (result.commissioned_at is None or row["time"] < result.commissioned_at):
            result.commissioned_at = row["time"]
            result.lot = event["lot"]
            result.ilmd = event["ilmd"]
    result.rows.sort(key=lambda r: (r["time"], r["pk"]))
    return result


def _ilmd_lot(document: dict[str, Any]) -> str:
    for name, value in (document.get("ilmd") or {}).items():
        if name.rsplit(":", 1)[-1] == "lotNumber" and isinstance(value, str):
            return value
    return ""


def event_dict(
    *,
    pk: int,
    time: datetime,
    event_type: str,
    action: str,
    biz_step: str,
    disposition: str,
    location: str,
    document: dict[str, Any],
) -> dict[str, Any]:
    """What the public sees of one event: step, time, place, and its public badges."""
    documents: list[list[str]] = []
    for item in document.get("bizTransactionList") or ():
        if not isinstance(item, dict):
            continue
        uri = str(item.get("bizTransaction", ""))
        kind_type = str(item.get("type", "")).rsplit(":", 1)[-1].rsplit("-", 1)[-1]
        head, _, number = uri.rpartition(":")
        kind = head.rsplit(":", 1)[-1] if head.startswith("urn:tracehub:doc:") else ""
        if kind in PUBLIC_DOCUMENTS or (kind_type in PUBLIC_TRANSACTION_TYPES and number):
            entry = [kind or kind_type, number]
            if entry not in documents:
                documents.append(entry)
    certifications = document.get("certificationInfo") or []
    if isinstance(certifications, str):
        certifications = [certifications]
    for uri in certifications:
        if isinstance(uri, str) and uri:
            documents.append(["certification", uri.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]])
    inspections: list[list[str]] = []
    for name, value in list(document.items()) + list((document.get("ilmd") or {}).items()):
        if not isinstance(value, dict) or ":" not in name:
            continue
        fields = {k.rsplit(":", 1)[-1]: v for k, v in value.items()}
        if "result" in fields:
            inspections.append([str(fields.get("testItem", name.rsplit(":", 1)[-1])), str(fields["result"])])
    sensors: list[list[Any]] = []
    for element in document.get("sensorElementList") or ():
        for report in (element or {}).get("sensorReport") or ():
            kind = str(report.get("type", "")).rsplit("-", 1)[-1].rsplit(":", 1)[-1]
            value = report.get("value", report.get("minValue"))
            if kind and isinstance(value, int | float):
                sensors.append([kind, value, str(report.get("uom", ""))])
    return {
        "pk": pk,
        "time": time,
        "type": event_type,
        "action": action,
        "step": step_word(biz_step),
        "disposition": disposition.rsplit(":", 1)[-1].rsplit("-", 1)[-1],
        "location": location,
        "documents": documents,
        "inspections": inspections,
        "sensors": sensors,
    }


def _documents_of(pks: list[int]) -> dict[int, dict[str, Any]]:
    if not pks:
        return {}
    sql, params = any_of("id", pks)
    rows = fetch(f"SELECT id, document FROM {EVENT_TABLE} WHERE {sql}", params)  # noqa: S608
    return {pk: orjson.loads(doc) for pk, doc in rows}


def _trace_rows(
    key: str, *, until: datetime | None = None, skip_lot_rows_of: str = ""
) -> list[dict[str, Any]]:
    """The events of a trace back from ``key`` as public rows."""
    from tracehub.tracing.selectors import BACK, trace_build

    trace = trace_build(key=key, direction=BACK, until=until)
    events = [
        event
        for event in trace.events
        if not (skip_lot_rows_of and set(event.keys.items()) == {(skip_lot_rows_of, "lot")})
    ]
    documents = _documents_of([event.pk for event in events])
    return [
        event_dict(
            pk=event.pk,
            time=event.time,
            event_type=event.event_type,
            action=event.action,
            biz_step=event.biz_step,
            disposition=(documents.get(event.pk) or {}).get("disposition", ""),
            location=event.location,
            document=documents.get(event.pk) or {},
        )
        for event in events
    ]


def _has_history(lot_key: str) -> bool:
    """Whether any event names the lot itself (as a class, an input or output, a parent …) rather
    than only as the lot of serials commissioned in it: only then has it an upstream to trace."""
    roles = [role for role in OBJECT_ROLES if role != "lot"]
    roles_sql, params = any_of("role", roles)
    sql = f"SELECT 1 FROM {INDEX_TABLE} WHERE key = %s AND {roles_sql} LIMIT 1"  # noqa: S608
    return bool(fetch(sql, [lot_key, *params]))


def chain_rows(ref: CodeRef, own: OwnEvents) -> list[dict[str, Any]]:
    """The chain from the source to this code, oldest first (cached where it can be)."""
    ttl = settings.TRACEHUB_PORTAL_CACHE_SECONDS
    cache = portal_cache()
    if ref.kind == "serial" and own.rows and own.roles <= {"epc"}:
        lot = own.lot or ref.lot
        upstream: list[dict[str, Any]] = []
        if lot and own.commissioned_at is not None:
            lot_key = f"01/{ref.gtin}/10/{lot}"
            cache_key = f"portal:lotchain:{lot_key}:{own.commissioned_at.timestamp()}"
            upstream = cache.get(cache_key)
            if upstream is None:
                upstream = []
                if _has_history(lot_key):
                    upstream = _trace_rows(lot_key, until=own.commissioned_at, skip_lot_rows_of=lot_key)
                cache.set(cache_key, upstream, ttl)
        mine = {row["pk"] for row in own.rows}
        rows = [row for row in upstream if row["pk"] not in mine] + own.rows
    elif not own.rows:
        return []
    else:
        cache_key = f"portal:chain:{ref.key}"
        rows = cache.get(cache_key)
        if rows is None:
            rows = _trace_rows(ref.key)
            cache.set(cache_key, rows, ttl)
    return sorted(rows, key=lambda r: (r["time"], r["pk"]))


def places(keys: set[str]) -> dict[str, dict[str, str]]:
    """Public facts of the locations: name, district and holder (cached per location)."""
    keys = {key for key in keys if key}
    found: dict[str, dict[str, str]] = {}
    missing = []
    cache = portal_cache()
    cached = cache.get_many([f"portal:place:{key}" for key in keys])
    for key in keys:
        value = cached.get(f"portal:place:{key}")
        if value is None:
            missing.append(key)
        else:
            found[key] = value
    if missing:
        fresh = {}
        for location in Location.objects.filter(key__in=missing).select_related("party"):
            fresh[location.key] = {
                "name": location.name,
                "name_en": location.name_en or location.name,
                "district": location.district,
                "district_label": str(location.get_district_display()) if location.district else "",
                "party": location.party.name,
                "party_en": location.party.name_en or location.party.name,
            }
        for key in missing:
            fresh.setdefault(key, {})
        cache.set_many(
            {f"portal:place:{k}": v for k, v in fresh.items()}, settings.TRACEHUB_PORTAL_CACHE_SECONDS
        )
        found.update(fresh)
    return found


# ------------------------------------------------------------------------------------------------
# Recalls.
# ------------------------------------------------------------------------------------------------


OPEN_RECALLS_KEY = "portal:open-recalls"


def open_recalls_exist() -> bool:
    """Whether any recall is open (cached for TRACEHUB_PORTAL_RECALL_SECONDS, and forgotten in this
    process whenever a recall is saved): most pages then need no recall look-up at all."""
    cache = portal_cache()
    found = cache.get(OPEN_RECALLS_KEY)
    if found is None:
        found = Recall.objects.filter(status=RecallStatus.OPEN).exists()
        cache.set(OPEN_RECALLS_KEY, found, settings.TRACEHUB_PORTAL_RECALL_SECONDS)
    return found


def recall_for(
    ref: CodeRef, own: OwnEvents, *, product: dict[str, Any] | None = None, lot: str = ""
) -> dict[str, Any] | None:
    """The open recall covering the code, its lot or its whole product, if any (one indexed
    look-up in the recalled codes, :func:`tracehub.tracing.selectors.recalls_covering`). The lot and
    the GTIN of a platform code are those of its allocation's product and lot."""
    from tracehub.tracing.selectors import recalls_covering

    if not open_recalls_exist():
        return None
    lot = lot or own.lot or ref.lot
    gtin = ref.gtin or (product or {}).get("gtin") or ""
    keys = [
        key
        for key in (
            ref.key,
            f"01/{gtin}/10/{lot}" if gtin and lot else "",
            f"01/{gtin}" if gtin else "",
            (product or {}).get("key", "") if ref.kind == "platform" else "",
        )
        if key
    ]
    recalls = recalls_covering(identifiers=list(dict.fromkeys(keys)))
    if not recalls:
        return None
    recall = recalls[0]
    return {"recall_id": recall.recall_id, "reason": recall.reason, "declared_at": recall.declared_at}


# ------------------------------------------------------------------------------------------------
# Counters, alerts and reports.
# ------------------------------------------------------------------------------------------------


def counter_get(code: str) -> ScanCounter | None:
    return ScanCounter.objects.filter(code=code).first()


def _sector_scope(actor) -> Q:
    """Reports and alerts an actor may read: every one for operators, those of the official's
    sectors (their department's and its sub-departments') for officials, none for the others."""
    from tracehub.registry.actors import ActorKind

    if actor.kind in (ActorKind.OPERATOR, ActorKind.SYSTEM):
        return Q()
    if actor.kind == ActorKind.OFFICIAL and actor.sectors:
        return Q(sector__in=sorted(actor.sectors))
    return Q(pk__in=[])


def report_list(*, actor, status: str = "") -> QuerySet[Report]:
    qs = Report.objects.filter(_sector_scope(actor)).select_related("department", "answered_by")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def report_get(*, actor, pk: int) -> Report:
    """One report the actor may read; ``Report.DoesNotExist`` otherwise (a 404: nothing leaks)."""
    return report_list(actor=actor).get(pk=pk)


def alert_list(*, actor) -> QuerySet[AuthenticityAlert]:
    return (
        AuthenticityAlert.objects.filter(_sector_scope(actor))
        .select_related("department")
        .order_by("-created_at", "-id")
    )
