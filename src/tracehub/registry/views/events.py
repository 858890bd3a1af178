"""Events and capture jobs in the console: what a console user may read of the event store.

The scope of a console user is the scope of the API client of the same standing
(``tracehub.registry.visibility``, docs/permissions.md "Reading events"): an enterprise user reads
what its party's client reads, an official what their department's subsystem reads (narrowed to
their districts when they do not cover the whole city), an operator everything (O3, P3).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import orjson
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tracehub.accounts.models import ApiClient
from tracehub.epcis import selectors as events
from tracehub.epcis.models import CaptureJob
from tracehub.epcis.query import (
    MATCH_ROLES,
    EventQuery,
    IdentifierMatch,
    QueryParameterError,
    make_page_token,
    read_page_token,
)
from tracehub.epcis.render import IdentifierFormatter, event_output
from tracehub.identifiers import IdentifierError, canonical_key, key_like_pattern, like_escape
from tracehub.registry import selectors
from tracehub.registry.actors import Actor, ActorKind
from tracehub.registry.forms import EventFilterForm, biz_step_label
from tracehub.registry.models import Location, Party, PartyApiClient
from tracehub.registry.views.base import (
    DEFAULT_PAGE_SIZE,
    ENTERPRISE,
    OVERSEERS,
    PAGE_SIZES,
    console_page,
    paginate,
    render_page,
)
from tracehub.registry.visibility import EventScope

ROLES = (*ENTERPRISE, *OVERSEERS)

#: Where an identifier typed into the filter may occur in an event: as an object, a class, a lot,
#: or a place.
_IDENTIFIER_ROLES = tuple(
    dict.fromkeys(
        MATCH_ROLES["MATCH_anyEPC"] + MATCH_ROLES["MATCH_anyEPCClass"] + ("lot", "read_point", "biz_location")
    )
)


def console_event_scope(actor: Actor) -> EventScope | None:
    """The events a console user may read, or None for every event (operators)."""
    if actor.sees_all:
        return None
    if actor.acts_for_party:
        # As the party's own API client reads (visibility.event_scope).
        party = Party.objects.filter(pk=actor.party_id).only("pk", "pgln").first()
        if party is None:
            return EventScope(keys=frozenset(), client_ids=frozenset())
        keys = set(Location.objects.filter(Q(party=party) | Q(operator=party)).values_list("key", flat=True))
        if party.pgln:
            keys.add(party.pgln)
        own = PartyApiClient.objects.filter(party=party).values_list("client_id", flat=True)
        return EventScope(keys=frozenset(keys), client_ids=frozenset(own))
    if actor.kind == ActorKind.OFFICIAL:
        # As the department's subsystem reads, within the official's districts: parties of the
        # department's sectors and their places; the subsystem's own captures only for an official
        # covering the whole city (a district official must not read another district's records).
        parties = Party.objects.filter(sectors__sector__in=actor.sectors)
        if actor.districts is not None:
            parties = parties.filter(district__in=sorted(actor.districts))
        keys = set(
            Location.objects.filter(Q(party__in=parties) | Q(operator__in=parties)).values_list(
                "key", flat=True
            )
        )
        keys |= {p for p in parties.exclude(pgln="").values_list("pgln", flat=True) if p}
        own: frozenset[int] = frozenset()
        if actor.districts is None and actor.department_id is not None:
            own = frozenset(
                ApiClient.objects.filter(department_id=actor.department_id).values_list("pk", flat=True)
            )
        return EventScope(keys=frozenset(keys), client_ids=own)
    return EventScope(keys=frozenset(), client_ids=frozenset())


def _local_midnight(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _identifier_match(form: EventFilterForm, value: str) -> IdentifierMatch | None:
    """Events naming ``value`` anywhere: an identifier in any form, an EPC pattern
    (``urn:epc:idpat:…``), or a GTIN (8-14 digits, or its class) matching its serials and lots."""
    text = value.strip()
    try:
        if text.isascii() and text.isdigit() and len(text) in (8, 12, 13, 14):
            key = f"01/{text.zfill(14)}"
        else:
            pattern = key_like_pattern(text)
            if pattern is not None:
                return IdentifierMatch(roles=_IDENTIFIER_ROLES, patterns=(pattern,))
            key = canonical_key(text)
    except IdentifierError:
        form.add_error("identifier", _("This is not an identifier the platform recognises."))
        return None
    patterns: tuple[str, ...] = ()
    if key.startswith("01/") and key.count("/") == 1:
        patterns = (like_escape(key) + "/%",)
    return IdentifierMatch(roles=_IDENTIFIER_ROLES, keys=(key,), patterns=patterns)


def _query(form: EventFilterForm) -> EventQuery:
    query = EventQuery(order_by="eventTime", descending=True)
    if not form.is_valid():
        return query
    data = form.cleaned_data
    if data.get("since"):
        query.ge_event_time = _local_midnight(data["since"])
    if data.get("until"):
        query.lt_event_time = _local_midnight(data["until"] + timedelta(days=1))
    if data.get("biz_step"):
        query.biz_steps = (data["biz_step"],)
    if data.get("identifier"):
        match = _identifier_match(form, data["identifier"])
        if match is not None:
            query.matches.append(match)
    return query


def _summary(event) -> dict:
    """What a row of the list shows of an event's document (no further queries)."""
    document = orjson.loads(event.document)
    objects = []
    for name in ("epcList", "childEPCs", "inputEPCList", "outputEPCList"):
        objects.extend(v for v in document.get(name) or () if isinstance(v, str))
    for name in ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"):
        objects.extend(
            q["epcClass"] for q in document.get(name) or () if isinstance(q, dict) and "epcClass" in q
        )
    if isinstance(document.get("parentID"), str):
        objects.insert(0, document["parentID"])
    return {"first": objects[0] if objects else "", "more": max(len(objects) - 1, 0)}


@console_page(*ROLES)
def event_list(request, actor):
    """The events the user may read, newest first, filtered by date, bizStep and identifier;
    keyset-paged (``?after=`` a signed token bound to the filters), a fixed number of queries a page."""
    form = EventFilterForm(request.GET or None)
    query = _query(form)
    per_page = paginate_size(request)
    after, returned = None, 0
    token = request.GET.get("after", "")
    if token and form.is_valid():
        try:
            after, returned = read_page_token(token, query=query)
        except QueryParameterError:
            after, returned = None, 0
    rows = []
    next_token = ""
    if not form.errors:
        page = events.event_page(
            query, per_page=per_page, after=after, returned=returned, scope=console_event_scope(actor)
        )
        keys = {k for e in page.events for k in (e.read_point, e.biz_location) if k}
        names = dict(
            selectors.location_list(actor=actor).filter(key__in=keys).values_list("key", "name")
            if keys
            else ()
        )
        rows = [
            {
                "event": e,
                "place": names.get(e.biz_location or e.read_point, e.biz_location or e.read_point),
                "corrected": e.id in page.declarations or e.error_declared,
                "step": biz_step_label(e.biz_step) if e.biz_step else e.event_type,
                **_summary(e),
            }
            for e in page.events
        ]
        if page.next_after is not None:
            next_token = make_page_token(query=query, after=page.next_after, returned=page.returned_total)
    context = {
        "form": form,
        "rows": rows,
        "next_token": next_token,
        "paged": bool(token),
        "per_page": per_page,
    }
    return render_page(request, "registry/event_list.html", context)


def paginate_size(request) -> int:
    try:
        size = int(request.GET.get("per_page", DEFAULT_PAGE_SIZE))
    except ValueError:
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


@console_page(*ROLES)
def event_detail(request, actor, pk: int):
    """One event as recorded, with its identifiers in answer form and any error declaration."""
    event = events.scoped_events(console_event_scope(actor)).filter(pk=pk).first()
    if event is None:
        raise Http404
    declaration = events.declarations_for([event.pk]).get(event.pk)
    data = event_output(event, declaration, IdentifierFormatter(events.known_company_prefixes()))
    keys = [k for k in (event.read_point, event.biz_location) if k]
    places = dict(selectors.location_list(actor=actor).filter(key__in=keys).values_list("key", "name"))
    context = {
        "event": event,
        "data": data,
        "pretty": orjson.dumps(data, option=orjson.OPT_INDENT_2).decode(),
        "step": biz_step_label(event.biz_step) if event.biz_step else event.event_type,
        "read_point_name": places.get(event.read_point, ""),
        "biz_location_name": places.get(event.biz_location, ""),
        "declaration": declaration,
        "objects": _objects(data),
    }
    return render_page(request, "registry/event_detail.html", context)


def _objects(data: dict) -> list[tuple[str, str]]:
    """(role, identifier or quantity) rows of an event's objects, for the detail page."""
    rows = []
    for name, label in (
        ("parentID", _("parent")),
        ("epcList", _("object")),
        ("childEPCs", _("child")),
        ("inputEPCList", _("input")),
        ("outputEPCList", _("output")),
    ):
        values = data.get(name)
        if isinstance(values, str):
            values = [values]
        for value in values or ():
            rows.append((label, str(value)))
    for name, label in (
        ("quantityList", _("quantity")),
        ("childQuantityList", _("child quantity")),
        ("inputQuantityList", _("input quantity")),
        ("outputQuantityList", _("output quantity")),
    ):
        for element in data.get(name) or ():
            if isinstance(element, dict):
                amount = " ".join(str(element.get(k, "")) for k in ("quantity", "uom")).strip()
                rows.append(
                    (
                        label,
                        f"{element.get('epcClass', '')} × {amount}"
                        if amount
                        else str(element.get("epcClass", "")),
                    )
                )
    return rows


# -- capture jobs ------------------------------------------------------------------------------------


def _jobs(actor: Actor):
    """Capture jobs of the user's standing: a party's clients, a department's subsystems, or all."""
    jobs = events.capture_job_list().select_related("client")
    if actor.sees_all:
        return jobs
    if actor.acts_for_party:
        return jobs.filter(client__party_binding__party_id=actor.party_id)
    if actor.kind == ActorKind.OFFICIAL and actor.department_id is not None:
        return jobs.filter(client__department_id=actor.department_id)
    return jobs.none()


@console_page(*ROLES)
def capture_job_list(request, actor):
    """Capture jobs with their status and counts; the error lists are on each job's page."""
    page = paginate(request, _jobs(actor).defer("errors"))
    return render_page(request, "registry/capture_job_list.html", {"page": page})


@console_page(*ROLES)
def capture_job_detail(request, actor, capture_id: str):
    job = _jobs(actor).filter(capture_id=capture_id).first()
    if job is None:
        raise CaptureJob.DoesNotExist
    return render_page(request, "registry/capture_job_detail.html", {"job": job})
