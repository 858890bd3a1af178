"""Rendering stored events as the EPCIS 2.0 bindings answer them (JSON-LD and XML).

Identifiers are answered in one form whatever form they were captured in (DESIGN.md §3): an
EPC URN where the company-prefix length is known, else a GS1 Digital Link URI.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import orjson
from django.conf import settings

from tracehub.epcis.models import Event
from tracehub.identifiers import IdentifierError, canonical_key, format_identifier

STANDARD_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"

_LIST_FIELDS = ("epcList", "childEPCs", "inputEPCList", "outputEPCList")
_QUANTITY_FIELDS = ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList")
#: Primary GS1 keys whose first digit is not part of the company prefix (indicator/extension).
_SKIP_FIRST_DIGIT = {"01", "00"}


class IdentifierFormatter:
    """Formats canonical keys as answers, knowing which company prefixes are registered."""

    def __init__(self, prefixes: frozenset[str], base: str | None = None) -> None:
        self.prefixes = prefixes
        self.base = base or settings.TRACEHUB_DIGITAL_LINK_BASE
        self._cache: dict[str, str] = {}

    def prefix_length(self, key: str) -> int | None:
        ai, _, rest = key.partition("/")
        if not ai.isdigit() or not rest:
            return None
        digits = rest.split("/", 1)[0]
        if ai in _SKIP_FIRST_DIGIT:
            digits = digits[1:]
        for length in range(6, 13):
            if digits[:length] in self.prefixes:
                return length
        return None

    def key(self, key: str) -> str:
        cached = self._cache.get(key)
        if cached is None:
            cached = format_identifier(key, self.prefix_length(key), self.base)
            self._cache[key] = cached
        return cached

    def uri(self, uri: Any) -> Any:
        if not isinstance(uri, str):
            return uri
        try:
            return self.key(_canonical(uri))
        except IdentifierError:
            return uri


@lru_cache(maxsize=65536)
def _canonical(uri: str) -> str:
    return canonical_key(uri)


def format_time(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def event_output(event: Event, declaration: Event | None, fmt: IdentifierFormatter) -> dict[str, Any]:
    """The event as answered: as captured, with identifiers in answer form, eventID and recordTime."""
    data = orjson.loads(event.document)
    data.pop("@context", None)
    for name in _LIST_FIELDS:
        values = data.get(name)
        if isinstance(values, list):
            data[name] = [fmt.uri(v) for v in values]
    if "parentID" in data:
        data["parentID"] = fmt.uri(data["parentID"])
    for name in _QUANTITY_FIELDS:
        for element in data.get(name) or ():
            if isinstance(element, dict) and "epcClass" in element:
                element["epcClass"] = fmt.uri(element["epcClass"])
    for name in ("readPoint", "bizLocation"):
        place = data.get(name)
        if isinstance(place, dict) and "id" in place:
            place["id"] = fmt.uri(place["id"])
    for name, member in (("sourceList", "source"), ("destinationList", "destination")):
        for element in data.get(name) or ():
            if isinstance(element, dict) and member in element:
                element[member] = fmt.uri(element[member])
    data["eventID"] = event.event_id
    data["recordTime"] = format_time(event.record_time)
    if declaration is not None:
        declared = orjson.loads(declaration.document).get("errorDeclaration")
        if declared is not None:
            data["errorDeclaration"] = declared
    return data


def merged_namespaces(events: Iterable[Event], declarations: dict[int, Event]) -> dict[str, str]:
    namespaces: dict[str, str] = {}
    for event in list(events) + list(declarations.values()):
        if event.namespaces and event.namespaces != "{}":
            for prefix, uri in orjson.loads(event.namespaces).items():
                if namespaces.get(prefix, uri) != uri:
                    continue  # a clash: keep the first; the event keeps its own full keys
                namespaces[prefix] = uri
    return namespaces


def query_document(
    *,
    events: list[dict[str, Any]],
    namespaces: dict[str, str],
    query_name: str = "SimpleEventQuery",
    subscription_id: str | None = None,
) -> dict[str, Any]:
    context: list[Any] = [STANDARD_CONTEXT]
    if namespaces:
        context.append(namespaces)
    results: dict[str, Any] = {"queryName": query_name, "resultsBody": {"eventList": events}}
    if subscription_id:
        results["subscriptionID"] = subscription_id
    return {
        "@context": context,
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": format_time(datetime.now(UTC)),
        "epcisBody": {"queryResults": results},
    }
