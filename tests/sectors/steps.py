"""Valid entries of every meat_veg step on the demo world, and ways to break them."""

from __future__ import annotations

import copy
from typing import Any

import orjson

from tracehub.demo import data as d
from tracehub.sectors import entry
from tracehub.sectors.profile import DOCUMENT_PREFIX, Field, FieldKind

BATCH = "20261118-77"
PIGS = [d.ear_tag(d.PIG_FARM.district or "", 97_000 + n) for n in range(2)]
LOT = d.PORK_BELLY.lot(BATCH)
RIBS = d.PORK_RIBS.lot(BATCH)
CANTEEN_SITE = f"urn:tracehub:loc:{d.make_uscc('12', '350206', 'MB0X4721')}:1"
#: A well-formed platform trace code that no sale issued.
UNISSUED_VOUCHER = "3502060009-261118-999976"

INPUTS: dict[str, dict[str, str]] = {
    "slaughter_entry": {
        "location": d.SLAUGHTER_LAIRAGE.id,
        "supplier": d.PIG_FARM.uscc or "",
        "animals": ",".join(PIGS),
        "origin": "厦门市同安区",
        "quarantine_certificate": "3502122611180001",
        "time": "2026-11-18 16:00",
    },
    "slaughtering": {
        "location": d.SLAUGHTER_LINE.id,
        "animals": ",".join(PIGS),
        "outputs": f"{LOT}=40.5;{RIBS}=20.25",
        "batch": BATCH,
        "slaughter_date": "2026-11-18",
        "time": "2026-11-19 02:00",
    },
    "meat_inspection": {
        "location": d.SLAUGHTER_LINE.id,
        "lots": f"{LOT},{RIBS}",
        "meat_inspection_certificate": f"XR{BATCH}",
        "quarantine_certificate": "3502132611190002",
        "result": "pass",
        "time": "2026-11-19 03:00",
    },
    "market_entry": {
        "location": d.MARKET_MEAT_STALL.id,
        "supplier": d.SLAUGHTERHOUSE.uscc or "",
        "lot": LOT,
        "weight": "40.5",
        "origin": "厦门市翔安区",
        "goods_type": "meat",
        "quarantine_certificate": "3502132611190002",
        "meat_inspection_certificate": f"XR{BATCH}",
        "time": "2026-11-19 03:50",
    },
    "market_trading": {
        "location": d.MARKET_MEAT_STALL.id,
        "buyer": d.SUPERMARKET.uscc or "",
        "lot": LOT,
        "weight": "10.5",
        "unit_price": "27.5",
        "time": "2026-11-19 05:30",
    },
    "retail": {
        "location": d.SUPERMARKET_STORE.id,
        "lot": LOT,
        "weight": "0.75",
        "unit_price": "39.8",
        "receipt": "20261119-0001",
        "time": "2026-11-19 09:00",
    },
    "canteen_receiving": {
        "location": CANTEEN_SITE,
        "supplier": d.VEG_VENDOR.uscc or "",
        "lot": d.PAK_CHOI.lot("20261119-01"),
        "weight": "15",
        "origin": "厦门市集美区",
        "goods_type": "vegetable",
        "produce_certificate": "HG20261119001",
        "time": "2026-11-19 07:00",
    },
}


def event_of(step: str, **changes: str) -> dict[str, Any]:
    """The event of a valid entry of ``step`` (a made-up voucher for a sale)."""
    data = {**INPUTS[step], **changes}
    clean = entry.parse_inputs(step, data)
    return entry.build_event(
        step, clean, voucher=UNISSUED_VOUCHER.replace("-", "") if step == "market_trading" else None
    )


def capture_body(*events: dict[str, Any]) -> bytes:
    return orjson.dumps(entry.document(list(events)))


def strip(event: dict[str, Any], f: Field) -> dict[str, Any]:
    """``event`` without field ``f``."""
    out = copy.deepcopy(event)
    k, t = f.kind, f.target

    def drop_from(name: str, keep) -> None:
        items = [i for i in out.get(name, []) if keep(i)]
        if items:
            out[name] = items
        else:
            out.pop(name, None)

    if k is FieldKind.OBJECTS:
        for name in ("epcList", "quantityList"):
            out.pop(name, None)
    elif k is FieldKind.INPUTS:
        out.pop("inputEPCList", None)
        out.pop("inputQuantityList", None)
    elif k is FieldKind.OUTPUTS:
        out.pop("outputEPCList", None)
        out.pop("outputQuantityList", None)
    elif k is FieldKind.QUANTITY:
        for item in out.get("quantityList") or out.get("outputQuantityList"):
            item.pop("quantity", None)
            item.pop("uom", None)
    elif k is FieldKind.CORE:
        out.pop(t.split(".")[0], None)
    elif k is FieldKind.SOURCE:
        drop_from("sourceList", lambda i: i["type"] != t)
    elif k is FieldKind.DESTINATION:
        drop_from("destinationList", lambda i: i["type"] != t)
    elif k is FieldKind.DOCUMENT:
        drop_from(
            "bizTransactionList", lambda i: not i["bizTransaction"].startswith(f"{DOCUMENT_PREFIX}{t}:")
        )
    elif k is FieldKind.TRANSACTION:
        drop_from("bizTransactionList", lambda i: i["type"] != t)
    elif k is FieldKind.ILMD:
        out["ilmd"].pop(t if ":" in t else f"tracehub:{t}")
    else:
        out.pop(f"tracehub:{t}")
    return out
