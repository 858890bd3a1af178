"""Reads of the imported-food subsystem (G6): foreign producers, importers' filings, import records
and the import sales records (销售记录) built from the importer's shipping events."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
from django.db.models import Q, QuerySet

from tracehub.epcis.models import Event, EventIndex
from tracehub.registry.actors import Actor
from tracehub.registry.models import FilingStatus, Licence, LicenceKind, Party
from tracehub.sectors.models_import import ForeignProducer, ImportRecord

SECTOR = "import_food"
LIST_LIMIT = 200


def producer_by_number(number: str) -> ForeignProducer | None:
    from tracehub.sectors.selectors_drug import g2_tables_ready

    if not g2_tables_ready():
        return None
    return ForeignProducer.objects.filter(registration_number=(number or "").strip().upper()).first()


def importer_filed(party: Party, *, day: dt.date) -> bool:
    """The party's filing is approved and it holds an importer filing (进口商备案) valid on ``day``."""
    if party.filing_status != FilingStatus.APPROVED:
        return False
    return Licence.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=day),
        Q(valid_until__isnull=True) | Q(valid_until__gte=day),
        party=party,
        kind=LicenceKind.IMPORTER_FILING,
    ).exists()


def _scope(actor: Actor, rows: QuerySet[ImportRecord]) -> QuerySet[ImportRecord]:
    if actor.sees_all:
        return rows
    if actor.oversees and SECTOR in actor.sectors:
        if actor.districts is None:
            return rows
        return rows.filter(Q(importer__district__in=actor.districts) | Q(importer__district=""))
    if actor.party_id is not None:
        return rows.filter(importer_id=actor.party_id)
    return rows.none()


def import_record_list(*, actor: Actor, q: str = "") -> QuerySet[ImportRecord]:
    """Import records the actor may see (the importer its own; customs officials all): one query."""
    rows = ImportRecord.objects.select_related("importer", "exporter", "producer", "storage")
    if q:
        rows = rows.filter(
            Q(name__icontains=q)
            | Q(brand__icontains=q)
            | Q(lot__iexact=q)
            | Q(declaration_number=q)
            | Q(importer__name__icontains=q)
        )
    return _scope(actor, rows).order_by("-entry_date", "-id")


def import_record_get(*, actor: Actor, pk: int) -> ImportRecord | None:
    return import_record_list(actor=actor).filter(pk=pk).first()


def producer_list(*, q: str = "") -> QuerySet[ForeignProducer]:
    rows = ForeignProducer.objects.all()
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(registration_number__iexact=q) | Q(name_zh__icontains=q))
    return rows.order_by("country", "name", "id")


def importer_key(party: Party) -> str:
    from tracehub.identifiers import canonical_key
    from tracehub.sectors.entry import party_uri

    return canonical_key(party_uri(party))


def import_sales_records(record: ImportRecord) -> list[dict[str, Any]]:
    """The import sales records (销售记录) of a record's lot: every shipping event by the importer of
    anything the lot reached (cases, items), in time order, with buyer, items, documents. Uses the
    tracing app's forward genealogy from each received object, then two queries for the events."""
    from tracehub.tracing import genealogy

    seller = importer_key(record.importer)
    pks: set[int] = set()
    with genealogy.serial_reads():
        for key in record.objects_received or [record.lot_key]:
            pks |= genealogy.trace(key, direction=genealogy.FORWARD).event_pks
    if not pks:
        return []
    selling = set(
        EventIndex.objects.filter(event_id__in=pks, role="source", key=seller).values_list(
            "event_id", flat=True
        )
    )
    events = Event.objects.filter(pk__in=selling, biz_step="shipping").order_by("event_time", "id")
    out = []
    for event in events:
        document = orjson.loads(event.document)
        buyers = [
            d.get("destination")
            for d in document.get("destinationList") or ()
            if d.get("type") == "owning_party"
        ]
        out.append(
            {
                "eventID": event.event_id,
                "time": event.event_time.isoformat(),
                "buyer": buyers[0] if buyers else "",
                "objects": list(document.get("epcList") or [])
                + [q.get("epcClass") for q in document.get("quantityList") or ()],
                "documents": [t.get("bizTransaction") for t in document.get("bizTransactionList") or ()],
            }
        )
    return out
