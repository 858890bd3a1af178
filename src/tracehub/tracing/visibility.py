"""Who sees which part of a trace (issue #4 item 2; O1, O2; docs/permissions.md "Traces").

"An official sees the whole trace in their sectors, an enterprise sees its own part plus the one
step up and down that its own records name." :func:`trace_visibility` turns an actor into the
``visible`` hook of :func:`tracehub.tracing.selectors.trace_build`: a callable given the events of
the whole trace that answers the pks the actor may see.

* Platform operators, platform API clients and the system (the CLI): everything (no hook).
* An official, or a department's subsystem: the events of their department's sectors (and its
  sub-departments'). An event's sectors are those of the registered products of the identifiers
  it moved (by GTIN or platform product code) and of the party holding its location: the same
  rule as capture (``tracehub.registry.capture.DepartmentGuard``), so a department traces what
  its subsystem may capture. Districts do not narrow a trace: goods cross districts.
* An enterprise user, or a party's API client: the events at its own locations (held or
  operated), or naming it (its PGLN or one of its locations) as source or destination; plus the
  one step up and down its records name: for each of its receipts, the shipment of those goods
  that preceded it, and for each of its shipments, the receipt that followed it.
* Anyone else (certification auditors, users without a role) may not trace: ``TraceRefused``.

``trace_build`` then walks the genealogy again over the visible events only, so an identifier,
location or party reached only through an invisible event is not answered at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q

from tracehub.registry.actors import Actor
from tracehub.registry.capture import DepartmentGuard
from tracehub.registry.models import Location, Party, ProductSector
from tracehub.tracing.genealogy import chunks
from tracehub.tracing.selectors import RECEIPT_STEPS, SHIPPING, TraceEvent, Visibility


class TraceRefused(Exception):
    """The actor's role may not trace at all (403)."""


def may_trace(actor: Actor) -> bool:
    return actor.sees_all or actor.oversees or actor.acts_for_party


def trace_visibility(actor: Actor) -> Visibility | None:
    """The ``visible`` hook for ``actor``; None when it sees every event. O1, O2."""
    if actor.sees_all:
        return None
    if actor.oversees:
        return sector_visibility(actor.sectors)
    if actor.acts_for_party:
        return party_visibility(actor.party_id)
    raise TraceRefused(actor.kind)


# -- sectors -----------------------------------------------------------------------------------------


def product_key(key: str) -> str:
    """The registry product key of an identifier key (``01/{GTIN}``, or the platform product)."""
    return DepartmentGuard._product_key(key)


def event_sectors(events: Iterable[TraceEvent]) -> dict[int, set[str]]:
    """pk -> the sectors of each event (products moved, party of the location): two queries."""
    events = list(events)
    products = {product_key(key) for event in events for key in event.keys}
    locations = {event.location for event in events if event.location}
    product_sectors: dict[str, set[str]] = defaultdict(set)
    for part in chunks(sorted(products)):
        for key, sector in ProductSector.objects.filter(product__key__in=part).values_list(
            "product__key", "sector"
        ):
            product_sectors[key].add(sector)
    location_sectors: dict[str, set[str]] = defaultdict(set)
    for part in chunks(sorted(locations)):
        for key, sector in Location.objects.filter(key__in=part).values_list("key", "party__sectors__sector"):
            if sector:
                location_sectors[key].add(sector)
    result: dict[int, set[str]] = {}
    for event in events:
        sectors: set[str] = set(location_sectors.get(event.location, ()))
        for key in event.keys:
            sectors |= product_sectors.get(product_key(key), set())
        result[event.pk] = sectors
    return result


def sector_visibility(sectors: frozenset[str]) -> Visibility:
    """Events of any of ``sectors`` (an official's or a department subsystem's)."""

    def visible(events: list[TraceEvent]) -> set[int]:
        return {pk for pk, found in event_sectors(events).items() if found & sectors}

    return visible


# -- a party ------------------------------------------------------------------------------------------


def party_identities(party_id: int) -> tuple[frozenset[str], frozenset[str]]:
    """(location keys the party holds or operates, those and its PGLN): one query each."""
    locations = frozenset(
        Location.objects.filter(Q(party_id=party_id) | Q(operator_id=party_id)).values_list("key", flat=True)
    )
    pgln = Party.objects.filter(pk=party_id).values_list("pgln", flat=True).first()
    return locations, locations | ({pgln} if pgln else frozenset())


def party_visibility(party_id: int | None) -> Visibility:
    """The party's own events and the counterpart shipment or receipt of each (one step up, down)."""

    def visible(events: list[TraceEvent]) -> set[int]:
        if party_id is None:
            return set()
        locations, identities = party_identities(party_id)
        own = {
            event.pk
            for event in events
            if event.location in locations
            or any(value in identities for _, value in event.sources + event.destinations)
        }
        shipments: dict[str, list[TraceEvent]] = defaultdict(list)
        receipts: dict[str, list[TraceEvent]] = defaultdict(list)
        for event in events:  # in event-time order
            if event.biz_step == SHIPPING:
                for key in event.keys:
                    shipments[key].append(event)
            elif event.biz_step in RECEIPT_STEPS:
                for key in event.keys:
                    receipts[key].append(event)
        result = set(own)
        for event in events:
            if event.pk not in own:
                continue
            if event.biz_step in RECEIPT_STEPS:  # one step up: the shipment these goods came by
                for key in event.keys:
                    before = [s for s in shipments.get(key, ()) if s.time <= event.time]
                    if before:
                        result.add(before[-1].pk)
            elif event.biz_step == SHIPPING:  # one step down: the receipt at the other end
                for key in event.keys:
                    after = [r for r in receipts.get(key, ()) if r.time >= event.time]
                    if after:
                        result.add(after[0].pk)
        return result

    return visible


def overseen_sectors(actor: Actor) -> frozenset[str] | None:
    """Sectors whose recalls and findings the actor sees; None: every one (the platform)."""
    if actor.sees_all:
        return None
    if actor.oversees:
        return actor.sectors
    return frozenset()


__all__ = [
    "TraceRefused",
    "event_sectors",
    "may_trace",
    "overseen_sectors",
    "party_visibility",
    "sector_visibility",
    "trace_visibility",
]
