"""Which stored events an API client may read (issue #3: an enterprise sees its own data).

The event store asks ``event_scope(client)`` once per request and filters every query, page and
discovery list by it. The rules (docs/permissions.md "Reading events"):

* A platform client reads everything.
* A party's client reads the events its party's clients captured, and the events that happen at
  one of the party's locations (read point or business location) or name the party or one of its
  locations as source or destination: its own records and the one step up and down they name.
* A department subsystem reads the events its own clients captured and the events at, from or to
  a location of a party filed in its department's sectors.
* A client bound to nothing it can be matched to reads nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from tracehub.accounts.models import ApiClient, ApiClientKind
from tracehub.registry.actors import _department_sectors
from tracehub.registry.models import Location, Party, PartyApiClient

#: Index roles through which an event names a place or a party.
PLACE_ROLES = ("read_point", "biz_location", "source", "destination")


@dataclass(frozen=True)
class EventScope:
    """Events whose capturing client is one of ``client_ids`` or whose place/party is in ``keys``."""

    keys: frozenset[str]
    client_ids: frozenset[int]


def event_scope(client: ApiClient | None) -> EventScope | None:
    """The scope of what a client may read, or None when it may read every event."""
    if client is None or client.kind == ApiClientKind.PLATFORM:
        return None
    if client.kind == ApiClientKind.DEPARTMENT:
        sectors = _department_sectors(client.department_id)
        parties = Party.objects.filter(sectors__sector__in=sectors)
        locations = Location.objects.filter(Q(party__in=parties) | Q(operator__in=parties))
        keys = set(locations.values_list("key", flat=True))
        keys |= {p for p in parties.exclude(pgln="").values_list("pgln", flat=True) if p}
        own = ApiClient.objects.filter(department_id=client.department_id).values_list("pk", flat=True)
        return EventScope(keys=frozenset(keys), client_ids=frozenset(own) | {client.pk})
    binding = PartyApiClient.objects.filter(client=client).select_related("party").first()
    if binding is None:
        return EventScope(keys=frozenset(), client_ids=frozenset())
    party = binding.party
    keys = set(Location.objects.filter(Q(party=party) | Q(operator=party)).values_list("key", flat=True))
    if party.pgln:
        keys.add(party.pgln)
    own = PartyApiClient.objects.filter(party=party).values_list("client_id", flat=True)
    return EventScope(keys=frozenset(keys), client_ids=frozenset(own))
