"""Step inputs and the entry registry (issue #6 item 6, issue #7 item 5): the one flat description
of each step that the phone forms, the Excel templates and the sectors API all fill in, and the
builder that turns it into the EPCIS event.

A step's inputs are :class:`Input` s (key, Chinese and English label, kind). Every sector registers
each of its steps as a :class:`StepEntry` (inputs, event builder, optional input check and
after-capture work, example row) with :func:`register_entry` (or :func:`register_sector_entry`,
for a sector building its events with :func:`make_event`); the one recording service
(``tracehub.sectors.services.steps_record``), the Excel templates and uploads
(``tracehub.sectors.imports``) and the pages and API of every sector look entries up here
(:func:`entry_for`, :func:`entries_of`). :func:`parse_entry` reads raw values (strings from a form
or a spreadsheet cell, JSON values from the API) into clean ones and names each wrong input; the
builders make EPCIS 2.0 JSON-LD events whose eventID is their CBV event hash, so the same step
entered by form, Excel or API is the very same event. docs/sectors/README.md says how a new sector
registers its entries.

This module holds meat_veg's inputs (:data:`STEP_INPUTS`) and event builder (:func:`build_event`);
``tracehub.sectors.services`` registers them.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from tracehub.epcis.hashing import event_hash
from tracehub.epcis.jsonld import STANDARD_CONTEXT_URL, context_namespaces
from tracehub.identifiers import IdentifierError, canonical_key
from tracehub.identifiers.cn_codes import (
    parse_customs_declaration_number,
    parse_drug_trace_code,
    parse_platform_trace_code,
)
from tracehub.registry.models import FilingStatus, Location, Party
from tracehub.sectors.messages import message, reason
from tracehub.sectors.profile import EXTENSION_NAMESPACE, EXTENSION_PREFIX, registry
from tracehub.sectors.profiles import drug as drug_profile
from tracehub.sectors.profiles import meat_veg

if TYPE_CHECKING:  # services imports this module: the recording types are only annotations here
    from tracehub.registry.actors import Actor
    from tracehub.sectors.services import StepResult

CONTEXT: list[Any] = [STANDARD_CONTEXT_URL, {EXTENSION_PREFIX: EXTENSION_NAMESPACE}]
NAMESPACES = context_namespaces(CONTEXT)
CHINA = dt.timezone(dt.timedelta(hours=8))


@dataclass(frozen=True)
class Input:
    """One input of a step's form, Excel column and API field."""

    key: str
    zh: str
    en: str
    kind: str  # text, number, time, date, choice, party, location, lot, lots, tags, outputs, voucher, doc
    required: bool = True
    choices: tuple[str, ...] = ()
    help_zh: str = ""
    help_en: str = ""

    @property
    def header(self) -> str:
        """The Excel column header (Chinese first, as regulators and operators read it)."""
        return f"{self.zh} {self.key}"


_LOCATION = Input(
    "location", "场所/摊位", "location or stall", "location", help_zh="场所标识（SGLN 或平台节点）"
)
_TIME = Input("time", "时间", "time", "time", required=False, help_zh="留空为当前时间；格式 2026-11-16 08:30")
_LOT = Input("lot", "商品批次", "goods lot", "lot", help_zh="批次标识（LGTIN 或平台批次 URI）")
_WEIGHT = Input("weight", "重量（千克）", "weight (kg)", "number")
_PRICE = Input("unit_price", "单价（元/千克）", "unit price (CNY/kg)", "number")
_SUPPLIER = Input("supplier", "供货方", "supplier", "party", help_zh="统一社会信用代码或主体标识")
_ORIGIN = Input("origin", "产地", "origin", "text")
_GOODS = Input("goods_type", "商品类别", "goods type", "choice", choices=meat_veg.GOODS_TYPES)
_VOUCHER = Input("voucher", "上游追溯凭证码", "upstream trace voucher", "voucher", required=False)
_QUARANTINE = Input("quarantine_certificate", "检疫证号", "quarantine certificate no.", "doc", required=False)
_INSPECTION = Input(
    "meat_inspection_certificate", "肉品品质检验证号", "meat inspection no.", "doc", required=False
)
_PRODUCE = Input("produce_certificate", "合格证编号", "compliance certificate no.", "doc", required=False)
_RECEIVER = Input(
    "receiver", "收货方", "receiving party", "party", required=False, help_zh="留空为场所经营者"
)

#: A market's entry admission and a canteen's receipt (团体消费) carry the same inputs.
_RECEIPT = (
    _LOCATION,
    _SUPPLIER,
    _LOT,
    _WEIGHT,
    _ORIGIN,
    _GOODS,
    _VOUCHER,
    _QUARANTINE,
    _INSPECTION,
    _PRODUCE,
    _RECEIVER,
    _TIME,
)

#: The inputs of each meat_veg step, in form and column order.
STEP_INPUTS: dict[str, tuple[Input, ...]] = {
    "market_trading": (
        _LOCATION,
        Input("buyer", "买方", "buyer", "party", help_zh="买方统一社会信用代码或主体标识"),
        _LOT,
        _WEIGHT,
        _PRICE,
        _TIME,
    ),
    "market_entry": _RECEIPT,
    "canteen_receiving": _RECEIPT,
    "slaughter_entry": (
        _LOCATION,
        _SUPPLIER,
        Input("animals", "耳标号", "ear tags", "tags", help_zh="多个以逗号分隔"),
        _ORIGIN,
        Input("quarantine_certificate", "检疫证号", "quarantine certificate no.", "doc"),
        _TIME,
    ),
    "slaughtering": (
        _LOCATION,
        Input("animals", "耳标号", "ear tags", "tags", help_zh="多个以逗号分隔"),
        Input(
            "outputs",
            "产出批次与重量",
            "output lots and weights",
            "outputs",
            help_zh="批次=重量；多个以分号分隔",
        ),
        Input("batch", "屠宰批次号", "slaughter batch", "text"),
        Input("slaughter_date", "屠宰日期", "slaughter date", "date"),
        _TIME,
    ),
    "meat_inspection": (
        _LOCATION,
        Input("lots", "检验批次", "lots inspected", "lots", help_zh="多个以逗号分隔"),
        Input("meat_inspection_certificate", "肉品品质检验证号", "meat inspection no.", "doc"),
        Input("quarantine_certificate", "检疫证号", "quarantine certificate no.", "doc"),
        Input("result", "检验结果", "result", "choice", choices=("pass", "fail")),
        _TIME,
    ),
    "retail": (
        _LOCATION,
        _LOT,
        _WEIGHT,
        Input("unit_price", "零售单价（元/千克）", "retail price (CNY/kg)", "number", required=False),
        Input("receipt", "小票号", "receipt no.", "text", required=False),
        _TIME,
    ),
}


class InputErrors(Exception):
    """Wrong inputs: ``errors`` maps each input key to what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value).strip()


def party_uri(party: Party) -> str:
    """A party's identifier in events: its PGLN, else a platform party URI by USCC or record id."""
    if party.pgln:
        # The registry keeps the canonical key (417/<GLN>); in an event it is a GS1 Digital Link URI.
        return party.pgln if ":" in party.pgln else f"https://id.gs1.org/{party.pgln}"
    if party.uscc:
        return f"urn:tracehub:party:{party.uscc}"
    return f"urn:tracehub:party:id:{party.pk}"


def party_key(party: Party) -> str:
    return canonical_key(party_uri(party))


def _party(text: str) -> Party | None:
    found = Party.objects.filter(uscc=text.upper()).first() if len(text) == 18 else None
    if found is None:
        try:
            key = canonical_key(text)
        except IdentifierError:
            return None
        found = Party.objects.filter(pgln__in=[text, key]).first()
        if found is None and key.startswith("urn:tracehub:party:"):
            tail = key.rsplit(":", 1)[1]
            found = Party.objects.filter(uscc=tail).first() or (
                Party.objects.filter(pk=tail).first() if tail.isdigit() else None
            )
    return found


def _time(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=CHINA)
    return value


def parse_values(
    inputs: tuple[Input, ...],
    raw: Mapping[str, Any],
    *,
    step: str,
    parse_extra: Callable[[Input, str], Any] | None = None,
    check: Callable[[dict[str, Any]], dict[str, str]] | None = None,
) -> dict[str, Any]:
    """Clean values of ``inputs``; raises :class:`InputErrors` naming every wrong or missing one.
    ``parse_extra`` reads a sector's own ``x-`` kinds; ``check`` names inputs that parse but cannot
    make a valid entry (it runs only when every input parsed)."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for spec in inputs:
        text = _text(raw.get(spec.key))
        if not text:
            if spec.required:
                errors[spec.key] = message("input_required", input=f"{spec.zh} ({spec.en})")
            clean[spec.key] = None
            continue
        try:
            if parse_extra is not None and spec.kind.startswith("x-"):
                clean[spec.key] = parse_extra(spec, text)
            else:
                clean[spec.key] = _parse(spec, text)
        except (ValueError, IdentifierError, InvalidOperation) as exc:
            errors[spec.key] = message(
                "input_invalid", input=f"{spec.zh} ({spec.en})", value=repr(text), reason=reason(exc)
            )
    for key in sorted(set(raw) - {s.key for s in inputs}):
        errors[key] = message(
            "input_unknown", key=repr(key), step=step, inputs=", ".join(s.key for s in inputs)
        )
    if not errors and check is not None:
        errors.update(check(clean))
    if errors:
        raise InputErrors(errors)
    return clean


def parse_inputs(step: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Clean values of a meat_veg step's inputs; raises :class:`InputErrors` naming every wrong one."""
    return parse_values(STEP_INPUTS[step], raw, step=step)


COUNTRY = re.compile(r"^[A-Z]{2}$")
DRUG_CODE = re.compile(r"^\d{20}$")


def _codes(text: str) -> list[str]:
    """Pack, carton or case codes: URIs, bare 20-digit drug trace codes (made platform URIs), or a
    medical device's UDI as its carrier prints it, ``(01)…(17)…(10)…(21)…`` (made a Digital Link)."""
    from tracehub.identifiers.udi import parse_udi

    items = [part.strip() for part in re.split(r"[,，;；\s]+", text) if part.strip()]
    out = []
    for item in items:
        if DRUG_CODE.match(item):
            out.append(drug_profile.DRUG_CODE_PREFIX + parse_drug_trace_code(item).code)
        elif item.startswith("(01)"):
            out.append("https://id.gs1.org/" + parse_udi(item).key)
        else:
            canonical_key(item)
            out.append(item)
    if not out:
        raise ValueError(message("codes_required"))
    return out


def signed_decimal(text: str) -> Decimal:
    """A finite number, negative allowed (a temperature)."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(message("signed_number_required")) from None
    if not value.is_finite():
        raise ValueError(message("signed_number_required"))
    return value


def _parse(spec: Input, text: str) -> Any:
    kind = spec.kind
    if kind == "number":
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(message("number_required")) from None
        if not value.is_finite() or value < 0:
            raise ValueError(message("number_required"))
        return value
    if kind == "signed":
        return signed_decimal(text)
    if kind == "codes":
        return _codes(text)
    if kind == "country":
        value = text.upper()
        if not COUNTRY.match(value):
            raise ValueError(message("country_required"))
        return value
    if kind == "days":
        if not text.isdigit() or int(text) <= 0:
            raise ValueError(message("days_required"))
        return int(text)
    if kind == "declaration":
        return parse_customs_declaration_number(text).number
    if kind == "time":
        try:
            return _time(text)
        except ValueError:
            raise ValueError(message("time_required")) from None
    if kind == "date":
        try:
            return dt.date.fromisoformat(text[:10]).isoformat()
        except ValueError:
            raise ValueError(message("date_required")) from None
    if kind == "choice":
        if text not in spec.choices:
            raise ValueError(message("choice_required", choices=", ".join(spec.choices)))
        return text
    if kind == "party":
        party = _party(text)
        if party is None:
            raise ValueError(message("party_unknown"))
        if party.filing_status != FilingStatus.APPROVED:
            raise ValueError(message("party_unfiled", party=party.name, status=party.filing_status))
        return party
    if kind == "location":
        location = (
            Location.objects.select_related("party", "operator").filter(key=canonical_key(text)).first()
        )
        if location is None or not location.active:
            raise ValueError(message("location_unknown"))
        return location
    if kind == "lot":
        canonical_key(text)
        return text
    if kind in ("lots", "tags"):
        items = [part.strip() for part in re.split(r"[,，;；\s]+", text) if part.strip()]
        for item in items:
            canonical_key(item)
        if not items:
            raise ValueError(message("identifiers_required"))
        return items
    if kind == "outputs":
        outputs = []
        for part in re.split(r"[;；\n]+", text):
            if not part.strip():
                continue
            lot, sep, weight = part.rpartition("=")
            if not sep or not lot.strip():
                raise ValueError(message("outputs_format"))
            canonical_key(lot.strip())
            outputs.append((lot.strip(), Decimal(weight.strip())))
        if not outputs:
            raise ValueError(message("outputs_required"))
        return outputs
    if kind == "voucher":
        code = text.rsplit(":", 1)[-1] if text.lower().startswith("urn:") else text
        return parse_platform_trace_code(code).code
    if kind == "doc":
        if len(text) > 100 or not re.fullmatch(r"[0-9A-Za-z\-_/()（）\u4e00-\u9fff]+", text):
            raise ValueError(message("reference_format"))
        return text
    if len(text) > 200:
        raise ValueError(message("text_too_long"))
    return text


# ------------------------------------------------------------------------------------------------
# The entry registry: how each step of each sector is entered.
# ------------------------------------------------------------------------------------------------

#: What a builder returns: the event (with its eventID), or the event and extra results (e.g. the
#: accompanying slip a shipment allocated; the reserved key ``voucher`` carries a trade voucher).
Built = dict[str, Any] | tuple[dict[str, Any], dict[str, Any]]


@dataclass(frozen=True)
class StepEntry:
    """How one step of a sector is entered (form fields, Excel columns and API fields at once).

    ``build(clean)`` makes the step's event (see :data:`Built`); it may raise :class:`InputErrors`
    for an entry that parses but cannot be built. ``check(clean)`` names inputs that parse but are
    wrong together (before any event). ``after(actor=, step=, clean=, result=)`` runs after capture
    in the same transaction (records the entry's answer needs, e.g. the import record); it may add
    to ``result.extra`` and raise :class:`InputErrors`. ``check_sector``: check the event against
    this sector's profile even when capture cannot tell its sector (drug cartons received by a
    supermarket). ``import_key``: the ``StepImport.step`` of its Excel uploads.
    """

    sector: str
    step: str
    inputs: tuple[Input, ...]
    build: Callable[[Mapping[str, Any]], Built]
    after: Callable[..., Any] | None = None
    example: Mapping[str, str] = field(default_factory=dict)
    parse_extra: Callable[[Input, str], Any] | None = None
    check: Callable[[dict[str, Any]], dict[str, str]] | None = None
    check_sector: bool = False
    import_key: str = ""

    @property
    def import_step(self) -> str:
        """The ``StepImport.step`` of its Excel uploads."""
        return self.import_key or f"{self.sector}:{self.step}"

    def make(self, clean: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """(event, extra results) of one clean entry."""
        built = self.build(clean)
        return built if isinstance(built, tuple) else (built, {})


#: The modules that register entries when imported (a new sector adds its own; docs/sectors/README.md).
ENTRY_MODULES: list[str] = [
    "tracehub.sectors.services",
    "tracehub.sectors.services_drug",
    "tracehub.sectors.services_import",
    "tracehub.sectors.services_liquor",
    "tracehub.sectors.services_enterprise",
    "tracehub.sectors.services_agri",
    "tracehub.sectors.services_agri_input",
    "tracehub.sectors.services_food",
]
ENTRIES: dict[tuple[str, str], StepEntry] = {}
_loaded: list[bool] = []


def register_entry(spec: StepEntry) -> StepEntry:
    """Register how a step of a sector is entered (registering it again replaces it)."""
    ENTRIES[(spec.sector, spec.step)] = spec
    return spec


def register_sector_entry(spec: StepEntry) -> StepEntry:
    """Register a step of a sector entered through its own builder (drug, imported food, food, farm
    produce, farm inputs): its uploads are kept as ``<sector>.<step>``, and its events are checked
    against the entered sector's profile even where capture cannot tell the sector.

    Such an ``after`` has the signature ``after(actor=, clean=, event=, captured=)`` returning the
    extra results (or None); it is adapted to the framework's here."""
    after = spec.after
    return register_entry(
        replace(
            spec,
            after=_adapt_after(after) if after is not None else None,
            import_key=f"{spec.sector}.{spec.step}",
            check_sector=True,
        )
    )


def _adapt_after(after):
    def run(*, actor: Actor, step: str, clean: Mapping[str, Any], result: StepResult) -> None:
        extra = after(actor=actor, clean=clean, event=result.event, captured=result.captured)
        if extra:
            result.extra.update(extra)

    return run


def _load() -> None:
    if not _loaded:
        _loaded.append(True)
        for module in ENTRY_MODULES:
            importlib.import_module(module)


def entry_for(sector: str, step: str) -> StepEntry | None:
    _load()
    return ENTRIES.get((sector, step))


def entries_of(sector: str) -> list[StepEntry]:
    """The entries of a sector, in their registration (form and menu) order."""
    _load()
    return [spec for (s, _step), spec in ENTRIES.items() if s == sector]


def entry_of_import(import_step: str) -> StepEntry | None:
    """The entry whose Excel uploads are kept as ``StepImport.step == import_step``."""
    _load()
    return next((spec for spec in ENTRIES.values() if spec.import_step == import_step), None)


def parse_entry(spec: StepEntry, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Clean values of an entry's inputs; raises :class:`InputErrors` naming every wrong one."""
    return parse_values(spec.inputs, raw, step=spec.step, parse_extra=spec.parse_extra, check=spec.check)


# ------------------------------------------------------------------------------------------------
# Building the event.
# ------------------------------------------------------------------------------------------------


def number(value: Decimal) -> int | float:
    """A clean decimal as a JSON number: an integer when it is whole."""
    return int(value) if value == value.to_integral_value() else float(value)


def doc(kind: str, value: str) -> dict[str, str]:
    """A certificate (``cert``) business transaction: the platform's URI of a ``kind`` document."""
    return {"type": "cert", "bizTransaction": f"urn:tracehub:doc:{kind}:{value}"}


def ext(term: str) -> str:
    """The JSON-LD key of a TraceHub extension term (``tracehub:<term>``)."""
    return f"{EXTENSION_PREFIX}:{term}"


def seller_of(location: Location) -> Party:
    """Who sells at a stall: its operator (the stall holder), else the party holding it."""
    return location.operator or location.party


def build_event(step: str, clean: Mapping[str, Any], *, voucher: str | None = None) -> dict[str, Any]:
    """The EPCIS 2.0 event of one step entry, with its event hash as eventID."""
    location: Location = clean["location"]
    when: dt.datetime = clean.get("time") or timezone.now().astimezone(CHINA).replace(microsecond=0)
    local = when.astimezone(CHINA)
    profile_step = registry[meat_veg.SECTOR].step(step)
    transformation = "TransformationEvent" in profile_step.event_types
    event: dict[str, Any] = {
        "type": profile_step.event_types[0],
        "eventTime": local.isoformat(),
        "eventTimeZoneOffset": "+08:00",
    }
    what: dict[str, Any] = {}
    transactions: list[dict[str, str]] = []
    sources: list[dict[str, str]] = []
    destinations: list[dict[str, str]] = []
    extensions: dict[str, Any] = {}
    ilmd: dict[str, Any] = {}
    if step == "market_trading":
        what["quantityList"] = [{"epcClass": clean["lot"], "quantity": number(clean["weight"]), "uom": "KGM"}]
        transactions.append(
            {"type": meat_veg.VOUCHER_TYPE, "bizTransaction": meat_veg.VOUCHER_PREFIX + str(voucher)}
        )
        sources.append({"type": "owning_party", "source": party_uri(seller_of(location))})
        destinations.append({"type": "owning_party", "destination": party_uri(clean["buyer"])})
        extensions[ext("unitPrice")] = number(clean["unit_price"])
    elif step in ("market_entry", "canteen_receiving"):
        what["quantityList"] = [{"epcClass": clean["lot"], "quantity": number(clean["weight"]), "uom": "KGM"}]
        if clean.get("voucher"):
            transactions.append(
                {"type": meat_veg.VOUCHER_TYPE, "bizTransaction": meat_veg.VOUCHER_PREFIX + clean["voucher"]}
            )
        for key, kind in (
            ("quarantine_certificate", "animal_quarantine_certificate"),
            ("meat_inspection_certificate", "meat_quality_certificate"),
            ("produce_certificate", "produce_compliance_certificate"),
        ):
            if clean.get(key):
                transactions.append(doc(kind, clean[key]))
        sources.append({"type": "owning_party", "source": party_uri(clean["supplier"])})
        receiver = clean.get("receiver") or seller_of(location)
        destinations.append({"type": "owning_party", "destination": party_uri(receiver)})
        extensions[ext("origin")] = clean["origin"]
        extensions[ext("goodsType")] = clean["goods_type"]
    elif step == "slaughter_entry":
        what["epcList"] = list(clean["animals"])
        transactions.append(doc("animal_quarantine_certificate", clean["quarantine_certificate"]))
        sources.append({"type": "owning_party", "source": party_uri(clean["supplier"])})
        extensions[ext("origin")] = clean["origin"]
        extensions[ext("entryCheck")] = "pass"
    elif step == "slaughtering":
        what["inputEPCList"] = list(clean["animals"])
        what["outputQuantityList"] = [
            {"epcClass": lot, "quantity": number(weight), "uom": "KGM"} for lot, weight in clean["outputs"]
        ]
        ilmd = {"cbvmda:lotNumber": clean["batch"], ext("slaughterDate"): clean["slaughter_date"]}
    elif step == "meat_inspection":
        what["quantityList"] = [{"epcClass": lot} for lot in clean["lots"]]
        transactions.append(doc("meat_quality_certificate", clean["meat_inspection_certificate"]))
        transactions.append(doc("animal_quarantine_certificate", clean["quarantine_certificate"]))
        extensions[ext("inspectionResult")] = {
            ext("testItem"): "meat_quality",
            ext("testMethod"): "GB/T 17996",
            ext("result"): clean["result"],
        }
    elif step == "retail":
        seller = seller_of(location)
        what["quantityList"] = [{"epcClass": clean["lot"], "quantity": number(clean["weight"]), "uom": "KGM"}]
        if clean.get("receipt"):
            transactions.append(
                {
                    "type": meat_veg.RECEIPT_TYPE,
                    "bizTransaction": f"urn:tracehub:bt:{seller.uscc or seller.pk}:{clean['receipt']}",
                }
            )
        if clean.get("unit_price") is not None:
            extensions[ext("unitPrice")] = number(clean["unit_price"])
    else:  # pragma: no cover - STEP_INPUTS and this function list the same steps
        raise KeyError(step)
    event.update(what)
    if not transformation:
        event["action"] = "OBSERVE"
    event["bizStep"] = profile_step.biz_step
    if profile_step.disposition:
        event["disposition"] = profile_step.disposition
    event["readPoint"] = {"id": location.identifier}
    event["bizLocation"] = {"id": location.identifier}
    if transactions:
        event["bizTransactionList"] = transactions
    if sources:
        event["sourceList"] = sources
    if destinations:
        event["destinationList"] = destinations
    if ilmd:
        event["ilmd"] = ilmd
    event.update(extensions)
    event["eventID"] = event_hash(event, NAMESPACES)
    return event


def make_event(
    sector: str,
    step: str,
    clean: Mapping[str, Any],
    body: Mapping[str, Any],
    *,
    read_point: bool = True,
    biz_location: bool = True,
) -> dict[str, Any]:
    """The event of one entry of a sector's own builder: type, time, ``body`` (what, why, who), the
    step's bizStep and disposition, the location as readPoint and bizLocation, the event hash as
    eventID."""
    location: Location = clean["location"]
    when: dt.datetime = clean.get("time") or timezone.now().astimezone(CHINA).replace(microsecond=0)
    profile_step = registry[sector].step(step)
    kind = profile_step.event_types[0]
    event: dict[str, Any] = {
        "type": kind,
        "eventTime": when.astimezone(CHINA).isoformat(),
        "eventTimeZoneOffset": "+08:00",
    }
    what = {k: v for k, v in body.items() if k in ("epcList", "parentID", "childEPCs", "quantityList")}
    event.update(what)
    event.setdefault("action", body.get("action", "OBSERVE"))
    event["bizStep"] = profile_step.biz_step
    if profile_step.disposition:
        event["disposition"] = profile_step.disposition
    if read_point:
        event["readPoint"] = {"id": location.identifier}
    if biz_location:
        event["bizLocation"] = {"id": location.identifier}
    for name in ("bizTransactionList", "sourceList", "destinationList", "ilmd"):
        if body.get(name):
            event[name] = body[name]
    for key, value in body.items():
        if key.startswith(f"{EXTENSION_PREFIX}:"):
            event[key] = value
    event["eventID"] = event_hash(event, NAMESPACES)
    return event


def document(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The capture document of entered events."""
    return {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": timezone.now().isoformat(),
        "epcisBody": {"eventList": events},
    }
