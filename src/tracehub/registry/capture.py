"""Who may capture what (issue #3 item 5): the check the event store runs on every captured event.

The event store (``tracehub.epcis.services``) asks ``capture_guard(client)`` once per document and
then ``guard.check(...)`` per event. The rules (docs/permissions.md "Capture"):

* A platform client (and the platform's own loaders) captures anything.
* A party's client captures only while its party's filing is approved (备案): an unfiled,
  submitted, rejected, suspended or revoked party captures nothing (403). Each event must happen
  at one of the party's locations (its readPoint or bizLocation is a location it holds or
  operates), or name the party as its source or destination (its PGLN, or one of its locations,
  in sourceList/destinationList). The party's locations are loaded once per document.
* A department subsystem captures only events of its department's sectors. An event's sectors
  are those of the registered products its identifiers belong to (by GTIN, or by platform
  product code) together with those of the parties holding its readPoint and bizLocation; the
  event is accepted when one of them is a sector of the department. An event none of whose
  products or locations is registered has no known sector and is refused.

Rejections name the event (index and eventID) and the location, as every capture error does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.db.models.functions import Substr

from tracehub.accounts.models import ApiClient, ApiClientKind
from tracehub.registry.actors import _department_sectors
from tracehub.registry.models import FilingStatus, Location, Party, PartyApiClient, ProductSector

#: Index roles that identify objects (whose product decides the sector).
_OBJECT_ROLES = frozenset(
    {
        "epc",
        "parent",
        "child",
        "input",
        "output",
        "class",
        "child_class",
        "input_class",
        "output_class",
        "lot",
    }
)
_PARTY_ROLES = frozenset({"source", "destination"})
#: Platform lot URIs name their product: urn:tracehub:lot:<USCC>:<item>:<lot> belongs to
#: urn:tracehub:product:<USCC>:<item> (the platform namespace of tracehub.demo.data).
_PLATFORM_LOT = "urn:tracehub:lot:"
_PLATFORM_PRODUCT = "urn:tracehub:product:"
#: Characters of a key compared with the registered heads: "01/" and the first 8 digits of a GTIN,
#: "414/" and 7 of a GLN, or the start of a platform URI. Short enough that the heads of a city's
#: registry are a few thousand strings, long enough that a foreign company prefix rarely matches.
_HEAD = 11


@dataclass
class Refusal:
    path: str  # relative to the event, e.g. "readPoint.id"
    message: str


def _place(event: Any, name: str) -> str | None:
    value = event.get(name) if isinstance(event, dict) else None
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return value["id"]
    return None


def _where(event: Any) -> tuple[str, str]:
    """(path, identifier as sent) of the event's read point, else its business location."""
    for name in ("readPoint", "bizLocation"):
        place = _place(event, name)
        if place is not None:
            return f"{name}.id", place
    return "", "(none)"


class PartyGuard:
    """Captures of a party's own system."""

    def __init__(self, party: Party | None) -> None:
        self.party = party
        self.refusal: str | None = None
        if party is None:
            self.refusal = "this API client is bound to no party"
            return
        if party.filing_status != FilingStatus.APPROVED:
            self.refusal = (
                f"party {party.name} ({party.identity_display}) may not capture: its filing is "
                f"{party.filing_status}, not approved"
            )
            return
        self.locations = frozenset(
            Location.objects.filter(Q(party=party) | Q(operator=party), active=True).values_list(
                "key", flat=True
            )
        )
        self.identities = self.locations | ({party.pgln} if party.pgln else frozenset())

    def check(self, normalized, event: Any) -> Refusal | None:
        if normalized.read_point in self.locations or normalized.biz_location in self.locations:
            return None
        for entry in normalized.index:
            if entry.role in _PARTY_ROLES and entry.key in self.identities:
                return None
        path, where = _where(event)
        return Refusal(
            path,
            f"location {where} is not a location of party {self.party.name}, and the party is neither "
            "the event's source nor its destination: a party's client captures only its own events",
        )


class DepartmentGuard:
    """Captures of a department's subsystem: within its sectors."""

    refusal: str | None = None

    def __init__(self, client: ApiClient) -> None:
        self.sectors = _department_sectors(client.department_id)
        self.department = client.department.name if client.department_id else "?"
        self._product_sectors: dict[str, frozenset[str]] = {}
        self._location_sectors: dict[str, frozenset[str]] = {}

    @staticmethod
    def _product_key(key: str) -> str:
        if key.startswith("01/"):
            return "/".join(key.split("/", 2)[:2])  # 01/<GTIN>/21/… -> 01/<GTIN>
        if key.startswith(_PLATFORM_LOT):
            parts = key[len(_PLATFORM_LOT) :].split(":")
            if len(parts) >= 2:
                return f"{_PLATFORM_PRODUCT}{parts[0]}:{parts[1]}"
        return key

    def _heads(self) -> tuple[frozenset[str], frozenset[str]]:
        """The heads (key prefixes, see :func:`_head`) of every registered product and location,
        read once per document: a key whose head is not among them is not registered, so it needs
        no query. Events of unregistered goods (most of a subsystem's bulk feed) then cost none."""
        heads = getattr(self, "_registered_heads", None)
        if heads is None:
            products = ProductSector.objects.values_list(Substr("product__key", 1, _HEAD), flat=True)
            locations = Location.objects.values_list(Substr("key", 1, _HEAD), flat=True)
            heads = (frozenset(products.distinct()), frozenset(locations.distinct()))
            self._registered_heads = heads
        return heads

    def _lookup(self, products: set[str], locations: set[str]) -> None:
        """Fill the caches for keys not seen before in this document (one query each kind)."""
        new_products = products - self._product_sectors.keys()
        new_locations = locations - self._location_sectors.keys()
        if new_products or new_locations:
            product_heads, location_heads = self._heads()
            for key in [k for k in new_products if k[:_HEAD] not in product_heads]:
                self._product_sectors[key] = frozenset()
                new_products.discard(key)
            for key in [k for k in new_locations if k[:_HEAD] not in location_heads]:
                self._location_sectors[key] = frozenset()
                new_locations.discard(key)
        if new_products:
            found: dict[str, set[str]] = {}
            rows = ProductSector.objects.filter(product__key__in=new_products).values_list(
                "product__key", "sector"
            )
            for key, sector in rows:
                found.setdefault(key, set()).add(sector)
            for key in new_products:
                self._product_sectors[key] = frozenset(found.get(key, ()))
        if new_locations:
            found = {}
            rows = Location.objects.filter(key__in=new_locations).values_list("key", "party__sectors__sector")
            for key, sector in rows:
                if sector:
                    found.setdefault(key, set()).add(sector)
            for key in new_locations:
                self._location_sectors[key] = frozenset(found.get(key, ()))

    def check(self, normalized, event: Any) -> Refusal | None:
        products = {self._product_key(e.key) for e in normalized.index if e.role in _OBJECT_ROLES}
        locations = {k for k in (normalized.read_point, normalized.biz_location) if k}
        self._lookup(products, locations)
        sectors: set[str] = set()
        for key in products:
            sectors |= self._product_sectors[key]
        for key in locations:
            sectors |= self._location_sectors[key]
        if sectors & self.sectors:
            return None
        path, where = _where(event)
        if not sectors:
            return Refusal(
                path,
                f"the event's sector is unknown: no product of it is registered, nor its location {where}; "
                f"{self.department} captures events of its sectors ({', '.join(sorted(self.sectors))}) only",
            )
        return Refusal(
            path,
            f"the event at location {where} belongs to sectors {', '.join(sorted(sectors))}, none of them a "
            f"sector of {self.department} ({', '.join(sorted(self.sectors)) or 'none'})",
        )


class SectorResolver:
    """The sectors of captured events (issue #6: sector profiles), cached per capture document.

    The same answer the department guard works out: the sectors of the registered products the
    event's identifiers belong to and of the parties holding its readPoint and bizLocation. It
    shares the department guard's caches when the document has one, so nothing is looked up twice.
    """

    _product_key = staticmethod(DepartmentGuard._product_key)
    _lookup = DepartmentGuard._lookup
    _heads = DepartmentGuard._heads

    def __init__(self, guard: Any = None) -> None:
        if isinstance(guard, DepartmentGuard):
            self._product_sectors = guard._product_sectors
            self._location_sectors = guard._location_sectors
        else:
            self._product_sectors: dict[str, frozenset[str]] = {}
            self._location_sectors: dict[str, frozenset[str]] = {}

    def event_sectors(self, normalized) -> frozenset[str]:
        """The sector codes (``accounts.Sector``) of one normalised event; empty when none is known."""
        # Keys whose head no registered product or location has are dropped before any set or
        # cache work: most events of a bulk feed name unregistered goods, and this runs once per
        # event of every captured document (issue #2 throughput, issue #6 profiles).
        product_heads, location_heads = self._heads()
        products: set[str] = set()
        for entry in normalized.index:
            if entry.role in _OBJECT_ROLES:
                key = entry.key
                if key[:3] == "01/":
                    if key[:_HEAD] not in product_heads:
                        continue  # a GTIN key keeps its head as a product key
                    key = key if key.count("/") < 2 else key[: key.index("/", 3)]
                else:
                    key = self._product_key(key)
                    if key[:_HEAD] not in product_heads:
                        continue
                products.add(key)
        locations = {
            k for k in (normalized.read_point, normalized.biz_location) if k and k[:_HEAD] in location_heads
        }
        if not products and not locations:
            return frozenset()
        self._lookup(products, locations)
        sectors: set[str] = set()
        for key in products:
            sectors |= self._product_sectors[key]
        for key in locations:
            sectors |= self._location_sectors[key]
        return frozenset(sectors)


def capture_guard(client: ApiClient | None):
    """The guard for a client's document, or None when it may capture anything."""
    if client is None or client.kind == ApiClientKind.PLATFORM:
        return None
    if client.kind == ApiClientKind.DEPARTMENT:
        return DepartmentGuard(client)
    binding = PartyApiClient.objects.filter(client=client).select_related("party").first()
    return PartyGuard(binding.party if binding else None)


def capture_refusal(client: ApiClient | None) -> str | None:
    """Why this client may capture nothing at all now (its party is not filed), or None."""
    guard = capture_guard(client)
    return guard.refusal if guard is not None else None
