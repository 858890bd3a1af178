"""Reads of the event store: EPCIS queries, capture jobs, discovery lists.

Every per-identifier filter is an indexed look-up in EventIndex by canonical key (DESIGN.md §3).
A page costs a fixed number of queries whatever its size (asserted in tests).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from tracehub.accounts.models import ApiClient
from tracehub.epcis.models import CaptureJob, CompanyPrefix, Event, EventIndex
from tracehub.epcis.query import EventQuery, IdentifierMatch
from tracehub.registry.selectors import registered_company_prefixes
from tracehub.registry.visibility import PLACE_ROLES, EventScope


@dataclass
class EventPage:
    events: list[Event]
    declarations: dict[int, Event]
    next_after: tuple | None
    returned_total: int


def capture_job_get(*, capture_id: str, client=None) -> CaptureJob | None:
    qs = CaptureJob.objects.filter(capture_id=capture_id)
    if client is not None:
        qs = qs.filter(client=client)
    return qs.first()


def capture_job_list(*, client=None) -> QuerySet[CaptureJob]:
    qs = CaptureJob.objects.all()
    if client is not None:
        qs = qs.filter(client=client)
    return qs.order_by("-created_at", "-id")


def _match_q(match: IdentifierMatch) -> Q:
    inner = EventIndex.objects.filter(event=OuterRef("pk"), role__in=match.roles)
    if match.qualifier is not None:
        inner = inner.filter(qualifier=match.qualifier)
    key_q = Q()
    if match.keys:
        key_q |= Q(key__in=match.keys)
    for pattern in match.patterns:
        key_q |= Q(key__like_escaped=pattern)
    return Q(Exists(inner.filter(key_q)))


def scoped_events(scope: EventScope | None) -> QuerySet[Event]:
    """The recorded events (not error declarations) a reader may see (registry.visibility)."""
    qs = Event.objects.filter(declares_error_for__isnull=True)
    if scope is not None:
        places = EventIndex.objects.filter(event=OuterRef("pk"), role__in=PLACE_ROLES, key__in=scope.keys)
        qs = qs.filter(Q(client_id__in=scope.client_ids) | Q(Exists(places)))
    return qs


def event_queryset(query: EventQuery, *, scope: EventScope | None = None) -> QuerySet[Event]:
    """The events a query selects within the reader's scope."""
    qs = scoped_events(scope)
    if query.event_types:
        qs = qs.filter(event_type__in=query.event_types)
    if query.ge_event_time:
        qs = qs.filter(event_time__gte=query.ge_event_time)
    if query.lt_event_time:
        qs = qs.filter(event_time__lt=query.lt_event_time)
    if query.ge_record_time:
        qs = qs.filter(record_time__gte=query.ge_record_time)
    if query.lt_record_time:
        qs = qs.filter(record_time__lt=query.lt_record_time)
    if query.actions:
        qs = qs.filter(action__in=query.actions)
    if query.biz_steps:
        qs = qs.filter(biz_step__in=query.biz_steps)
    if query.dispositions:
        qs = qs.filter(disposition__in=query.dispositions)
    if query.event_ids:
        qs = qs.filter(event_id__in=query.event_ids)
    if query.exists_error_declaration:
        qs = qs.filter(
            Q(error_declared=True) | Q(Exists(Event.objects.filter(declares_error_for=OuterRef("pk"))))
        )
    for match in query.matches:
        qs = qs.filter(_match_q(match))
    return qs


def _order(query: EventQuery) -> tuple[str, str]:
    field = "event_time" if query.order_by == "eventTime" else "id"
    sign = "-" if query.descending else ""
    return field, sign


def event_page(
    query: EventQuery, *, per_page: int, after: tuple | None, returned: int, scope: EventScope | None = None
) -> EventPage:
    """One page of results, keyset-paged on (order field, id) so deep pages stay fast."""
    qs = event_queryset(query, scope=scope)
    field, sign = _order(query)
    if after:
        if field == "id":
            qs = qs.filter(id__lt=after[0]) if query.descending else qs.filter(id__gt=after[0])
        else:
            from django.utils.dateparse import parse_datetime

            moment = parse_datetime(after[0])
            if query.descending:
                qs = qs.filter(Q(event_time__lt=moment) | Q(event_time=moment, id__lt=after[1]))
            else:
                qs = qs.filter(Q(event_time__gt=moment) | Q(event_time=moment, id__gt=after[1]))
    ordering = [f"{sign}{field}"] if field == "id" else [f"{sign}event_time", f"{sign}id"]
    limit = per_page
    if query.event_count_limit is not None:
        limit = max(0, min(per_page, query.event_count_limit - returned))
    events = list(qs.order_by(*ordering)[: limit + 1]) if limit else []
    has_more = len(events) > limit
    events = events[:limit]
    next_after = None
    if has_more and events:
        last = events[-1]
        next_after = (last.id,) if field == "id" else (last.event_time.isoformat(), last.id)
    return EventPage(
        events=events,
        declarations=declarations_for([e.id for e in events]),
        next_after=next_after,
        returned_total=returned + len(events),
    )


def declarations_for(event_ids: list[int]) -> dict[int, Event]:
    """The latest error declaration of each event that has one, in one query."""
    result: dict[int, Event] = {}
    if not event_ids:
        return result
    for decl in Event.objects.filter(declares_error_for_id__in=event_ids).order_by("id"):
        result[decl.declares_error_for_id] = decl
    return result


def event_count(query: EventQuery, *, scope: EventScope | None = None) -> int:
    return event_queryset(query, scope=scope).count()


def event_by_id(event_id: str, *, scope: EventScope | None = None) -> Event | None:
    return scoped_events(scope).filter(event_id=event_id).first()


def known_company_prefixes() -> frozenset[str]:
    """Prefixes whose length is known: learned from captured EPC URNs, and registered on parties
    in the registry (DESIGN.md §3), so answers give EPC URNs for both."""
    return frozenset(CompanyPrefix.objects.values_list("prefix", flat=True)) | registered_company_prefixes()


def distinct_values(
    field: str, *, limit: int, after: str | None, scope: EventScope | None = None
) -> list[str]:
    """Discovery lists (/bizSteps, /readPoints …): the distinct values stored, paged by value."""
    qs = scoped_events(scope).exclude(**{field: ""})
    if after:
        qs = qs.filter(**{f"{field}__gt": after})
    return list(qs.order_by(field).values_list(field, flat=True).distinct()[:limit])


def distinct_keys(
    roles: tuple[str, ...], *, limit: int, after: str | None, scope: EventScope | None = None
) -> list[str]:
    qs = EventIndex.objects.filter(role__in=roles)
    if scope is not None:
        qs = qs.filter(event__in=scoped_events(scope))
    if after:
        qs = qs.filter(key__gt=after)
    return list(qs.order_by("key").values_list("key", flat=True).distinct()[:limit])


@dataclass
class ChainVerification:
    checked: int
    head: str
    broken_at: int | None = None
    broken_event_id: str | None = None
    reason: str = ""


def chain_verify(*, batch: int = 5000) -> ChainVerification:
    """Recompute every link in record order; stop at the first that does not match."""
    from tracehub.epcis import store

    previous = store.GENESIS
    checked = 0
    last_id = 0
    fields = (
        "id",
        "event_id",
        "event_hash",
        "record_time",
        "document",
        "declares_error_for_id",
        "chain_hash",
    )
    while True:
        rows = list(Event.objects.filter(id__gt=last_id).order_by("id").values_list(*fields)[:batch])
        if not rows:
            return ChainVerification(checked=checked, head=previous)
        for row_id, event_id, event_hash, record_time, document, declares, chain_hash in rows:
            expected = store.chain_link(
                previous,
                event_id=event_id,
                event_hash=event_hash,
                record_time=record_time,
                document=document,
                declares_error_for_id=declares,
                row_id=row_id,
            )
            if expected != chain_hash:
                return ChainVerification(
                    checked=checked,
                    head=previous,
                    broken_at=row_id,
                    broken_event_id=event_id,
                    reason="the row's content or its place in the chain differs from what was recorded",
                )
            previous = chain_hash
            checked += 1
            last_id = row_id


def links_verify() -> list[str]:
    """What points at a row that is not there: the links the database does not enforce.

    Events and their index rows are linked without declared foreign keys (capture speed, see
    ``Event``), so this walk is what catches an index row, a declaration or an event whose other end
    is missing. Each problem is one sentence with the count and the first row ids.
    """

    checks = [
        (
            EventIndex.objects.filter(~Exists(Event.objects.filter(pk=OuterRef("event_id")))),
            "event_id",
            "index rows point at missing events",
        ),
        (
            Event.objects.filter(declares_error_for__isnull=False).filter(
                ~Exists(Event.objects.filter(pk=OuterRef("declares_error_for_id")))
            ),
            "id",
            "error declarations point at missing events",
        ),
        (
            Event.objects.filter(~Exists(CaptureJob.objects.filter(pk=OuterRef("capture_job_id")))),
            "id",
            "events point at missing capture jobs",
        ),
        (
            Event.objects.filter(client__isnull=False).filter(
                ~Exists(ApiClient.objects.filter(pk=OuterRef("client_id")))
            ),
            "id",
            "events point at missing API clients",
        ),
    ]
    problems = []
    for qs, column, what in checks:
        count = qs.count()
        if count:
            first = ", ".join(
                str(v) for v in qs.order_by(column).values_list(column, flat=True).distinct()[:5]
            )
            problems.append(f"{count} {what} (first {column}: {first})")
    return problems
