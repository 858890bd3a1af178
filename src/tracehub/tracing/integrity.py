"""Chain-integrity findings of a trace (链条完整性检查): where the recorded chain has a gap.

Issue #4 item 4; O1/O2: a trace is only as good as the chain it follows, so every trace answers
with what looks broken in it. Checks are plain functions ``(trace) -> list[Finding]`` in
:data:`CHECKS`.

* ``shipment_not_received``: a shipping event none of whose reached identifiers is received
  (bizStep receiving or accepting) at or after it.
* ``receipt_without_shipment``: a receiving event none of whose reached identifiers was shipped
  at or before it.
* ``output_exceeds_input``: a TransformationEvent whose output quantities outweigh its input
  quantities in the same unit of measure.
* ``unfiled_party``: an event at a registered location whose holding party has no approved
  filing (未备案主体: never filed, submitted, rejected, suspended or revoked). The registry
  answers whether the party is filed with the location's name (``selectors.place_names``), so
  the check costs no query. A location the registry does not know at all is not flagged.

The first two look at every event of the identifiers loaded, not just those inside the trace's
windows: a case received after the reached serial left it still received the shipment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from tracehub.tracing.genealogy import TRANSFORMATION

if TYPE_CHECKING:
    from tracehub.tracing.selectors import Trace

SHIPMENT_NOT_RECEIVED = "shipment_not_received"
RECEIPT_WITHOUT_SHIPMENT = "receipt_without_shipment"
OUTPUT_EXCEEDS_INPUT = "output_exceeds_input"
UNFILED_PARTY = "unfiled_party"

#: Every finding code, with its label for pages (issue #4 item 4).
CODES = {
    "shipment_not_received": _("Shipment never received"),
    "receipt_without_shipment": _("Receipt without a shipment"),
    "output_exceeds_input": _("Outputs outweigh inputs"),
    "unfiled_party": _("Event at a location of an unfiled party"),
}

SHIPPING = "shipping"
RECEIPT_STEPS = frozenset({"receiving", "accepting"})


@dataclass
class Finding:
    """One gap in the recorded chain, tied to the event that shows it."""

    code: str
    message: str
    event_id: str
    location: str = ""
    identifiers: list[str] = field(default_factory=list)

    def as_dict(self, formatter) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": str(self.message),
            "eventID": self.event_id,
            "location": formatter.key(self.location) if self.location else None,
            "identifiers": [formatter.key(key) for key in self.identifiers],
        }


def shipments_received(trace: Trace) -> list[Finding]:
    found = trace.genealogy
    last_receipt: dict[str, Any] = {}
    first_shipment: dict[str, Any] = {}
    for key, rows in found.key_events.items():
        for pk, _role in rows:
            facts = found.events[pk]
            if facts.biz_step in RECEIPT_STEPS:
                last_receipt[key] = max(last_receipt.get(key, facts.time), facts.time)
            elif facts.biz_step == SHIPPING:
                first_shipment[key] = min(first_shipment.get(key, facts.time), facts.time)
    result = []
    for event in trace.events:
        if event.biz_step == SHIPPING:
            keys = sorted(event.keys)
            if not any(key in last_receipt and last_receipt[key] >= event.time for key in keys):
                result.append(
                    Finding(
                        SHIPMENT_NOT_RECEIVED,
                        _("Shipped, but no receipt of these goods is recorded after the shipment."),
                        event.event_id,
                        event.location,
                        keys,
                    )
                )
        elif event.biz_step in RECEIPT_STEPS:
            keys = sorted(event.keys)
            if not any(key in first_shipment and first_shipment[key] <= event.time for key in keys):
                result.append(
                    Finding(
                        RECEIPT_WITHOUT_SHIPMENT,
                        _("Received, but no shipment of these goods is recorded before the receipt."),
                        event.event_id,
                        event.location,
                        keys,
                    )
                )
    return result


def transformation_balance(trace: Trace) -> list[Finding]:
    result = []
    for event in trace.events:
        if event.event_type != TRANSFORMATION or not event.document:
            continue
        totals: dict[str, dict[str, float]] = {"in": defaultdict(float), "out": defaultdict(float)}
        for side, name in (("in", "inputQuantityList"), ("out", "outputQuantityList")):
            for element in event.document.get(name) or ():
                amount, uom = element.get("quantity"), element.get("uom")
                if isinstance(amount, int | float) and uom:
                    totals[side][uom] += amount
        for uom, produced in totals["out"].items():
            used = totals["in"].get(uom)
            if used is not None and produced > used * (1 + 1e-9):
                result.append(
                    Finding(
                        OUTPUT_EXCEEDS_INPUT,
                        _("The outputs (%(out)s %(uom)s) outweigh the inputs (%(in)s %(uom)s).")
                        % {"out": f"{produced:g}", "in": f"{used:g}", "uom": uom},
                        event.event_id,
                        event.location,
                        sorted(event.keys),
                    )
                )
    return result


def unfiled_parties(trace: Trace) -> list[Finding]:
    result = []
    for event in trace.events:
        place = trace.names.get(event.location) if event.location else None
        if place is None or place.get("filed", True):
            continue
        result.append(
            Finding(
                UNFILED_PARTY,
                _("Recorded at %(location)s of %(party)s, a party without an approved filing.")
                % {"location": place.get("name") or event.location, "party": place.get("party") or "?"},
                event.event_id,
                event.location,
                sorted(event.keys),
            )
        )
    return result


#: Every check run on a trace.
CHECKS: list[Callable[[Trace], list[Finding]]] = [shipments_received, transformation_balance, unfiled_parties]


def findings(trace: Trace) -> list[Finding]:
    result: list[Finding] = []
    for check in CHECKS:
        result.extend(check(trace))
    return result
