"""Writes of the farm inputs subsystem (农资, G5): the catalogue, designated outlets, and the dealers'
purchase and sale ledgers with real-name sales (docs/sectors/agri-input-records.md).

**Ledgers.** :func:`ledger_rows_record` stores rows of a dealer's purchase ledger (进货台账) or sale
ledger (销售台账), all or nothing; the phone forms, the API and the Excel upload all call it, so the
three channels check the same things and store the same rows. Every wrong input is named by its key,
by row (a single entry is row 0): :class:`LedgerRefused`. What is checked:

* the product's registration number has the format of its kind (农药登记证号 PD/WP/LS + 8 digits,
  兽药字 approval number, 肥料登记证号, 品种审定/登记编号); a 32-digit pesticide unit code must belong
  to the registration number, a 24-digit veterinary drug trace code must be one;
* a purchase names a supplier that is registered and filed (备案 approved);
* a sale never exceeds the stock the ledgers show on its date (purchases less sales of the same
  registration number, specification and unit dated on or before it, earlier rows of the same batch
  included), nor makes the stock of a later day negative (a back-dated sale);
* a sale of a restricted-use product (限制使用) records the buyer by real name (实名购买): name, ID
  number (居民身份证, check character validated) or a registered farm's USCC, phone, address, crop and
  target. The ID number is stored encrypted with a keyed digest and shown masked, never logged and
  never put in an audit row or an error message;
* a sale of a highly toxic pesticide (高毒农药) by a dealer that is not a designated outlet
  (定点经营) on the sale's date is refused, the refusal naming the rule, and the bureau is alerted.

**Events.** Each stored row is captured, in the same transaction, as the farm inputs profile's
``input_purchasing`` or ``input_selling`` event at the dealer's location (entries registered here
with the sector entry registry); the event names the ledger row, never the buyer's personal data.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tracehub.accounts.models import Role, UserProfile
from tracehub.accounts.services import audit_record, notification_send
from tracehub.core.errors import Conflict
from tracehub.identifiers import IdentifierError
from tracehub.identifiers.cn_codes import parse_pesticide_unit_code, parse_vet_drug_trace_code
from tracehub.registry import protect, validators
from tracehub.registry.actors import Actor
from tracehub.registry.models import FilingStatus, Location, Party
from tracehub.sectors.entry import CHINA, Input, StepEntry, ext, make_event, party_uri, register_sector_entry
from tracehub.sectors.entry import number as event_number
from tracehub.sectors.messages import define, message, refusal, rule_of
from tracehub.sectors.models_agri_input import (
    AgriInputKind,
    AgriInputLedgerEntry,
    AgriInputProduct,
    DesignatedOutlet,
    LedgerDirection,
    LedgerSource,
)
from tracehub.sectors.services import StepRefused, steps_record

SECTOR = "agri_input"

# -- registration numbers ----------------------------------------------------------------------------

#: 农药登记证号: PD (正式登记), WP (卫生用农药), LS (临时登记) + 8 digits, e.g. PD20142631; older
#: numbers PD84104-12 (5 digits, a hyphen, a suffix).
PESTICIDE_REGISTRATION = re.compile(r"^(PD|WP|LS)(\d{8}|\d{5}-\d{1,3})$")
#: 兽药产品批准文号: 兽药字 + (year) + 9 digits, e.g. 兽药字(2020)150012345.
VET_DRUG_APPROVAL = re.compile(r"^兽药字\(\d{4}\)\d{9}$")
#: 肥料登记证号: [province] 农肥 (year) 准字/临字 number 号, e.g. 农肥(2019)准字12345号.
FERTILISER_REGISTRATION = re.compile(r"^[\u4e00-\u9fff]{0,2}农肥\(\d{4}\)[准临]字\d{3,6}号$")
#: 品种审定编号 (国审稻20170001, 闽审稻2016010) or 品种登记编号 (GPD油菜(2018)420001).
SEED_REGISTRATION = re.compile(
    r"^([\u4e00-\u9fff]审[\u4e00-\u9fff]{1,3}\d{6,8}|GPD[\u4e00-\u9fff]{1,6}\(\d{4}\)\d{6})$"
)

REGISTRATION_FORMATS = {
    AgriInputKind.PESTICIDE: (PESTICIDE_REGISTRATION, "PD20142631"),
    AgriInputKind.VET_DRUG: (VET_DRUG_APPROVAL, "兽药字(2020)150012345"),
    AgriInputKind.FERTILISER: (FERTILISER_REGISTRATION, "农肥(2019)准字12345号"),
    AgriInputKind.SEED: (SEED_REGISTRATION, "国审稻20170001"),
}


def normalize_registration(value: str) -> str:
    """Upper case, no spaces, ASCII parentheses (labels print full-width ones)."""
    text = re.sub(r"\s+", "", str(value or "")).replace("（", "(").replace("）", ")")
    return text.upper()


def registration_error(kind: str, number: str) -> str | None:
    """What is wrong with ``number`` as a registration number of ``kind``; None when it is right."""
    pattern, example = REGISTRATION_FORMATS[kind]
    if pattern.match(number):
        return None
    return message("registration_format", number=number, kind=kind_label(kind), example=example)


def kind_label(kind: str) -> str:
    """A kind's label as a message param: English with its Chinese name ("Pesticide (农药)"), the
    same in every language, as the stored and returned message is English (issue #7 i18n)."""
    with translation.override("en"):
        return str(AgriInputKind(kind).label)


# -- errors --------------------------------------------------------------------------------------------

#: The farm-input rules' messages (tracehub.sectors.messages; docs/sectors/README.md "Messages"):
#: English in API answers and audit rows with their code and params, rendered on pages in the
#: reader's language (issue #7 i18n).
MESSAGES = define(
    {
        # A captured event's refusal (itself a message) on a ledger row.
        "ledger_event": gettext_noop("Event: %(message)s"),
        "registration_format": gettext_noop(
            "%(number)s is not a registration number of a %(kind)s, e.g. %(example)s."
        ),
        # parse_row: the inputs of a ledger row (form, API, Excel).
        "ledger_code_digits": gettext_noop(
            "%(field)s: the spreadsheet stored this code as a number and lost digits; "
            "format the column as text and type it again."
        ),
        "ledger_required": gettext_noop("%(field)s is required."),
        "ledger_too_long": gettext_noop("%(field)s is longer than %(n)s characters."),
        "ledger_unknown_input": gettext_noop("Unknown input %(key)s; this ledger takes: %(keys)s."),
        "ledger_choice": gettext_noop("%(field)s must be one of: %(choices)s."),
        "ledger_kind_mismatch": gettext_noop("The catalogue lists %(number)s as a %(kind)s."),
        "ledger_registration_unknown": gettext_noop(
            "%(number)s is not a registration number of a pesticide (PD20142631), veterinary drug "
            "(兽药字(2020)150012345), fertiliser (农肥(2019)准字12345号) or seed (国审稻20170001)."
        ),
        "ledger_code_registration": gettext_noop(
            "This pesticide code belongs to registration %(category)s…%(digits)s, not %(number)s."
        ),
        "ledger_code_kind": gettext_noop(
            "Only pesticides (32 digits) and veterinary drugs (24 digits) carry a code."
        ),
        "ledger_quantity": gettext_noop("%(field)s must be a number greater than 0 (at most 3 decimals)."),
        "ledger_date": gettext_noop("%(field)s must be a date such as 2026-11-16."),
        "ledger_date_future": gettext_noop("The date is in the future."),
        "ledger_party_unknown": gettext_noop("No registered party has the credit code %(code)s."),
        "ledger_supplier_unfiled": gettext_noop(
            "The supplier %(name)s is not filed (备案): buy only from filed suppliers."
        ),
        "ledger_phone": gettext_noop("A phone number has digits only (and + - ( ) or spaces)."),
        "ledger_buyer_required": gettext_noop("Name the buyer: a person's name or a farm's credit code."),
        # The real-name sale rule (实名购买) of restricted-use pesticides.
        "real_name:buyer": gettext_noop(
            "Real-name sale rule (实名购买): %(product)s is restricted-use; "
            "record the buyer's ID card number or the farm's credit code."
        ),
        "real_name:field": gettext_noop(
            "Real-name sale rule (实名购买): %(product)s is restricted-use; %(field)s is required."
        ),
        # ledger_rows_record and its sales rules.
        "ledger_unknown": gettext_noop("Unknown ledger."),
        "ledger_dealer_required": gettext_noop("Name the dealer."),
        "ledger_no_rows": gettext_noop("No rows."),
        "ledger_dealer_unfiled": gettext_noop("%(name)s is not filed (备案)."),
        "ledger_dealer_no_location": gettext_noop(
            "%(name)s has no registered location: register its shop or "
            "warehouse first (ledger rows are captured as events there)."
        ),
        "designated_outlet:ledger": gettext_noop(
            "Designated outlet rule (高毒农药定点经营): %(product)s is a highly toxic pesticide; "
            "%(dealer)s is not a designated outlet on %(date)s."
        ),
        "beyond_stock": gettext_noop(
            "Sale beyond stock: on %(date)s the ledgers show %(stock)s %(unit)s of "
            "%(number)s %(spec)s in stock, less than %(quantity)s."
        ),
        "beyond_stock:later": gettext_noop(
            "Sale beyond stock: the ledgers show %(stock)s %(unit)s of %(number)s %(spec)s "
            "in stock on %(later)s; a sale of %(quantity)s on %(date)s would make it negative."
        ),
    }
)


class LedgerRefused(Exception):
    """Ledger rows that were not stored: ``rows`` maps a row number (0 for a single entry; 1… for a
    batch) to its errors, each ``{"field": input key, "message": …}``. ``rules`` names the rules
    that refused a row (``designated_outlet``), for the alert."""

    def __init__(
        self, rows: dict[int, list[dict[str, str]]], *, rules: Sequence[dict[str, Any]] = ()
    ) -> None:
        super().__init__(
            "; ".join(f"row {n}: {e['field']}: {e['message']}" for n, es in rows.items() for e in es)
        )
        self.rows = rows
        self.rules = list(rules)

    @property
    def errors(self) -> list[dict[str, str]]:
        return [e for es in self.rows.values() for e in es]


class AgriInputInvalid(Exception):
    """Wrong fields of a catalogue entry or designation: ``errors`` maps each field to what is wrong."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


# -- who may ---------------------------------------------------------------------------------------------


def oversees_agri_input(actor: Actor, party: Party | None = None) -> bool:
    """The platform, or an official or subsystem of the agriculture bureau (the party in its districts)."""
    if actor.sees_all:
        return True
    if not (actor.oversees and SECTOR in actor.sectors):
        return False
    if party is None or actor.districts is None:
        return True
    return party.district in actor.districts or party.district == ""


def _require_official(actor: Actor, party: Party | None = None) -> None:
    if not oversees_agri_input(actor, party):
        raise PermissionDenied(_("Only the agriculture bureau's officials and the platform do this."))


def dealer_for(actor: Actor, dealer: Party | None) -> Party:
    """The dealer whose ledgers ``actor`` writes: its own party; the platform names one."""
    if actor.acts_for_party:
        if dealer is not None and dealer.pk != actor.party_id:
            raise PermissionDenied(_("A dealer records its own ledgers only."))
        return dealer or Party.objects.get(pk=actor.party_id)
    if actor.sees_all:
        if dealer is None:
            raise LedgerRefused({0: [refusal("dealer", message("ledger_dealer_required"))]})
        return dealer
    raise PermissionDenied(_("Only a dealer's users and the platform record ledgers."))


# -- the inputs of a ledger row (form fields, Excel columns, API fields) --------------------------------

_PRODUCT = (
    Input(
        "registration_number",
        "登记证号",
        "registration number",
        "text",
        help_zh="农药登记证号/兽药批准文号等",
    ),
    Input("product_name", "产品名称", "product name", "text"),
    Input("specification", "规格", "specification", "text", help_zh="如 100毫升/瓶"),
    Input(
        "kind",
        "类别",
        "kind",
        "choice",
        required=False,
        choices=tuple(AgriInputKind.values),
        help_zh="可留空：按目录或登记证号格式判定",
    ),
    Input(
        "unit_code",
        "产品追溯码",
        "product code",
        "text",
        required=False,
        help_zh="32 位农药单元识别代码或 24 位兽药追溯码；请以文本格式填写",
    ),
    Input("lot", "生产批号", "lot number", "text", required=False),
    Input("quantity", "数量", "quantity", "number"),
    Input("unit", "单位", "unit", "text", help_zh="瓶、袋、千克…"),
    Input("date", "日期", "date", "date", help_zh="格式 2026-11-16"),
)
PURCHASE_INPUTS: tuple[Input, ...] = (
    *_PRODUCT,
    Input("supplier", "供货方", "supplier", "party", help_zh="已备案主体的统一社会信用代码"),
)
SALE_INPUTS: tuple[Input, ...] = (
    *_PRODUCT,
    Input(
        "buyer_uscc",
        "购买单位信用代码",
        "buyer's credit code",
        "party",
        required=False,
        help_zh="农场、合作社",
    ),
    Input("buyer_name", "购买人姓名", "buyer name", "text", required=False),
    Input(
        "buyer_id_number",
        "购买人身份证号",
        "buyer ID number",
        "text",
        required=False,
        help_zh="限用农药必填（或单位信用代码）；请以文本格式填写",
    ),
    Input("buyer_phone", "联系电话", "buyer phone", "text", required=False),
    Input("buyer_address", "住址", "buyer address", "text", required=False),
    Input("use_crop", "使用作物/对象", "crop or animal", "text", required=False),
    Input("use_target", "防治对象", "target", "text", required=False),
)
INPUTS = {LedgerDirection.PURCHASE: PURCHASE_INPUTS, LedgerDirection.SALE: SALE_INPUTS}
#: Inputs that are codes: a spreadsheet number cell would have lost their digits.
CODE_INPUTS = {"unit_code", "buyer_id_number", "supplier", "buyer_uscc"}
#: What a restricted-use sale must record (实名购买).
REAL_NAME_INPUTS = ("buyer_name", "buyer_phone", "buyer_address", "use_crop", "use_target")
MAX_LENGTH = {
    "registration_number": 60,
    "product_name": 200,
    "specification": 100,
    "lot": 60,
    "unit": 20,
    "buyer_name": 100,
    "buyer_phone": 40,
    "buyer_address": 300,
    "use_crop": 100,
    "use_target": 100,
}
PHONE = re.compile(r"^[0-9+\-() ]{5,40}$")


def input_label(item: Input) -> str:
    return f"{item.zh} ({item.en})"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        value = int(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _lost_digits(value: Any) -> bool:
    """A code that went through a spreadsheet number: rounded, or in exponent form."""
    return isinstance(value, float) and (not value.is_integer() or abs(value) >= 2**53)


def _filed_party(text: str) -> Party | None:
    code = text.strip().upper()
    if code.startswith("URN:TRACEHUB:PARTY:"):
        code = code[len("URN:TRACEHUB:PARTY:") :]
    if code.startswith("ID:") and code[3:].isdigit():
        return Party.objects.filter(pk=int(code[3:])).first()
    return Party.objects.filter(uscc=code).first()


@dataclass
class CleanRow:
    values: dict[str, Any]
    product: AgriInputProduct | None


def parse_row(
    direction: str, raw: Mapping[str, Any], *, catalogue: Mapping[str, AgriInputProduct]
) -> CleanRow:
    """Clean values of one ledger row; raises :class:`AgriInputInvalid` naming each wrong input.

    Messages never repeat a buyer's ID number."""
    inputs = INPUTS[direction]
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for item in inputs:
        value = raw.get(item.key)
        if item.key in CODE_INPUTS and _lost_digits(value):
            errors[item.key] = message("ledger_code_digits", field=input_label(item))
            clean[item.key] = ""
            continue
        text = _text(value)
        if not text and item.required:
            errors[item.key] = message("ledger_required", field=input_label(item))
        limit = MAX_LENGTH.get(item.key)
        if limit and len(text) > limit:
            errors[item.key] = message("ledger_too_long", field=input_label(item), n=limit)
        clean[item.key] = text
    unknown = sorted(set(raw) - {i.key for i in inputs})
    for key in unknown:
        errors[key] = message("ledger_unknown_input", key=key, keys=", ".join(i.key for i in inputs))
    number = normalize_registration(clean.get("registration_number", ""))
    clean["registration_number"] = number
    product = catalogue.get(number) if number else None
    kind = clean.get("kind") or ""
    if kind and kind not in AgriInputKind.values:
        errors["kind"] = message("ledger_choice", field="kind", choices=", ".join(AgriInputKind.values))
        kind = ""
    if product is not None:
        if kind and kind != product.kind:
            errors["kind"] = message("ledger_kind_mismatch", number=number, kind=kind_label(product.kind))
        kind = product.kind
    elif number and not kind and "registration_number" not in errors:
        # Not in the catalogue: the kind whose registration format the number has.
        kinds = [k for k, (pattern, _example) in REGISTRATION_FORMATS.items() if pattern.match(number)]
        if kinds:
            kind = kinds[0]
        else:
            errors["registration_number"] = message("ledger_registration_unknown", number=number)
    clean["kind"] = kind
    if kind and number and "registration_number" not in errors:
        problem = registration_error(kind, number)
        if problem:
            errors["registration_number"] = problem
    code = re.sub(r"[\s-]+", "", clean.get("unit_code") or "")
    clean["unit_code"] = code
    if code and "unit_code" not in errors:
        try:
            if kind == AgriInputKind.PESTICIDE:
                found = parse_pesticide_unit_code(code)
                if number and not found.matches_registration(number):
                    errors["unit_code"] = message(
                        "ledger_code_registration",
                        category=found.category,
                        digits=found.registration_digits,
                        number=number,
                    )
            elif kind == AgriInputKind.VET_DRUG:
                parse_vet_drug_trace_code(code)
            elif kind:
                errors["unit_code"] = message("ledger_code_kind")
        except IdentifierError as exc:
            errors["unit_code"] = str(exc)
    if clean.get("quantity") and "quantity" not in errors:
        try:
            quantity = Decimal(clean["quantity"])
            if not quantity.is_finite() or quantity <= 0 or quantity != quantity.quantize(Decimal("0.001")):
                raise InvalidOperation
            if quantity >= Decimal("1e11"):
                raise InvalidOperation
            clean["quantity"] = quantity
        except InvalidOperation:
            errors["quantity"] = message("ledger_quantity", field=input_label(inputs[6]))
    if clean.get("date") and "date" not in errors:
        try:
            day = dt.date.fromisoformat(clean["date"][:10])
        except ValueError:
            errors["date"] = message("ledger_date", field=input_label(inputs[8]))
        else:
            if day > timezone.localdate():
                errors["date"] = message("ledger_date_future")
            clean["date"] = day
    if direction == LedgerDirection.PURCHASE:
        _check_supplier(clean, errors)
    else:
        _check_buyer(clean, errors, product)
    if errors:
        raise AgriInputInvalid(errors)
    return CleanRow(clean, product)


def _check_supplier(clean: dict[str, Any], errors: dict[str, str]) -> None:
    text = clean.get("supplier") or ""
    if not text or "supplier" in errors:
        return
    party = _filed_party(text)
    if party is None:
        errors["supplier"] = message("ledger_party_unknown", code=text)
    elif party.filing_status != FilingStatus.APPROVED:
        errors["supplier"] = message("ledger_supplier_unfiled", name=party.name)
    clean["supplier"] = party


def _check_buyer(clean: dict[str, Any], errors: dict[str, str], product: AgriInputProduct | None) -> None:
    party = None
    if clean.get("buyer_uscc") and "buyer_uscc" not in errors:
        party = _filed_party(clean["buyer_uscc"])
        if party is None:
            errors["buyer_uscc"] = message("ledger_party_unknown", code=clean["buyer_uscc"])
    clean["buyer_party"] = party
    number = clean.pop("buyer_id_number", "") or ""
    clean["buyer_id"] = None
    if number and "buyer_id_number" not in errors:
        try:
            clean["buyer_id"] = validators.normalize_ric(number)
        except ValidationError as exc:
            # The registry's messages never contain the number (personal data).
            errors["buyer_id_number"] = " ".join(str(m) for m in exc.messages)
    if clean.get("buyer_phone") and not PHONE.match(clean["buyer_phone"]):
        errors["buyer_phone"] = message("ledger_phone")
    if not (clean.get("buyer_name") or clean["buyer_uscc"]):
        errors.setdefault("buyer_name", message("ledger_buyer_required"))
    if product is not None and product.restricted:
        if not (number or clean["buyer_uscc"]):
            errors.setdefault("buyer_id_number", message("real_name:buyer", product=product.name))
        for key in REAL_NAME_INPUTS:
            if not clean.get(key):
                label = input_label(next(i for i in SALE_INPUTS if i.key == key))
                errors.setdefault(key, message("real_name:field", product=product.name, field=label))


# -- the ledgers --------------------------------------------------------------------------------------


def _catalogue(numbers) -> dict[str, AgriInputProduct]:
    wanted = {normalize_registration(n) for n in numbers if n}
    return {p.registration_number: p for p in AgriInputProduct.objects.filter(registration_number__in=wanted)}


def _movements(
    dealer: Party, keys: set[tuple[str, str, str]]
) -> dict[tuple[str, str, str], dict[dt.date, Decimal]]:
    """Stock changes of ``keys`` (registration number, specification, unit) by day, from the dealer's
    ledgers: purchases add, sales take away. One query."""
    moves: dict[tuple[str, str, str], dict[dt.date, Decimal]] = {key: {} for key in keys}
    if not keys:
        return moves
    rows = (
        AgriInputLedgerEntry.objects.filter(dealer=dealer, registration_number__in={k[0] for k in keys})
        .values("registration_number", "specification", "unit", "day")
        .annotate(
            bought=Sum("quantity", filter=Q(direction=LedgerDirection.PURCHASE), default=Decimal(0)),
            sold=Sum("quantity", filter=Q(direction=LedgerDirection.SALE), default=Decimal(0)),
        )
    )
    for r in rows:
        key = (r["registration_number"], r["specification"], r["unit"])
        if key in moves:
            day = moves[key]
            day[r["day"]] = day.get(r["day"], Decimal(0)) + r["bought"] - r["sold"]
    return moves


def stock_on(moves: Mapping[dt.date, Decimal], day: dt.date) -> Decimal:
    """Stock at the end of ``day``: purchases dated on or before it less sales on or before it."""
    return sum((change for when, change in moves.items() if when <= day), Decimal(0))


def _lowest_after(moves: Mapping[dt.date, Decimal], day: dt.date) -> tuple[Decimal, dt.date] | None:
    """The lowest end-of-day stock on a day after ``day`` that has ledger rows, and that day (the
    earliest such); None when no row is dated after ``day``."""
    later = sorted(when for when in moves if when > day)
    lowest: tuple[Decimal, dt.date] | None = None
    for when in later:
        level = stock_on(moves, when)
        if lowest is None or level < lowest[0]:
            lowest = (level, when)
    return lowest


def _designated_on(dealer: Party, days: set[dt.date]) -> set[dt.date]:
    """Which of ``days`` the dealer is a designated outlet on. One query."""
    if not days:
        return set()
    outlets = list(DesignatedOutlet.objects.filter(dealer=dealer, valid_from__lte=max(days)))
    return {day for day in days if any(o.valid_on(day) for o in outlets)}


def _agri_officials() -> list:
    rows = UserProfile.objects.filter(
        role=Role.OFFICIAL, department__sectors__sector=SECTOR, user__is_active=True
    ).select_related("user")
    return list({p.user for p in rows})


def ledger_rows_record(
    *,
    actor: Actor,
    direction: str,
    rows: Sequence[Mapping[str, Any]],
    dealer: Party | None = None,
    source: str = LedgerSource.API,
    dry_run: bool = False,
) -> list[AgriInputLedgerEntry]:
    """Record rows of a dealer's purchase or sale ledger, all or nothing (see the module docstring).

    Raises :class:`LedgerRefused` naming each wrong input by row (0 for a single row, else 1…),
    ``PermissionDenied`` for an actor that may not write this dealer's ledgers. ``dry_run`` checks
    everything and stores nothing (the Excel preview). A refusal by the designated-outlet rule notifies
    the agriculture bureau's officials (not on a dry run)."""
    if direction not in LedgerDirection.values:
        raise LedgerRefused({0: [refusal("direction", message("ledger_unknown"))]})
    dealer = dealer_for(actor, dealer)
    if source not in LedgerSource.values:
        source = LedgerSource.API
    numbered = (lambda i: 0) if len(rows) == 1 else (lambda i: i + 1)
    if not rows:
        raise LedgerRefused({0: [refusal("rows", message("ledger_no_rows"))]})
    catalogue = _catalogue(_text(r.get("registration_number")) for r in rows)
    errors: dict[int, list[dict[str, str]]] = {}
    cleaned: list[tuple[int, CleanRow]] = []
    for i, raw in enumerate(rows):
        try:
            cleaned.append((numbered(i), parse_row(direction, raw, catalogue=catalogue)))
        except AgriInputInvalid as exc:
            errors[numbered(i)] = [refusal(k, m) for k, m in exc.errors.items()]
    rules: list[dict[str, Any]] = []
    entries: list[AgriInputLedgerEntry] = []
    try:
        with transaction.atomic():
            # Serialise the dealer's ledger writes, so that two sales cannot both take the last stock.
            status = (
                Party.objects.select_for_update().filter(pk=dealer.pk).values_list("filing_status", flat=True)
            )
            if status.first() != FilingStatus.APPROVED:
                raise LedgerRefused(
                    {0: [refusal("dealer", message("ledger_dealer_unfiled", name=dealer.name))]}
                )
            location = dealer_location(dealer)
            if location is None:
                raise LedgerRefused(
                    {0: [refusal("dealer", message("ledger_dealer_no_location", name=dealer.name))]}
                )
            if direction == LedgerDirection.SALE:
                _check_sales(dealer, cleaned, errors, rules)
            if errors:
                raise LedgerRefused(dict(sorted(errors.items())), rules=rules)
            entries = [_entry(actor, dealer, direction, source, row) for _n, row in cleaned]
            AgriInputLedgerEntry.objects.bulk_create(entries)
            if entries and entries[0].pk is None:  # backends that do not return keys
                entries = list(
                    AgriInputLedgerEntry.objects.filter(dealer=dealer).order_by("-id")[: len(entries)][::-1]
                )
            for entry in entries:
                audit_record(
                    **actor.audit,
                    action=f"sectors.agri_input.{direction}_record",
                    object_type="sectors.AgriInputLedgerEntry",
                    object_id=str(entry.pk),
                    after=_audit_view(entry),
                    party_ref=dealer.pk,
                )
            _capture(actor, direction, location, entries)
            if dry_run:
                raise _DryRun
    except _DryRun:
        return entries
    except LedgerRefused as exc:
        if exc.rules and not dry_run:
            _alert_refusal(actor, dealer, exc.rules)
        raise
    return entries


class _DryRun(Exception):
    """Undoes a checked-only run."""


def _check_sales(
    dealer: Party,
    cleaned: list[tuple[int, CleanRow]],
    errors: dict[int, list[dict[str, str]]],
    rules: list[dict[str, Any]],
) -> None:
    keys = {
        (r.values["registration_number"], r.values["specification"], r.values["unit"]) for _n, r in cleaned
    }
    moves = _movements(dealer, keys)
    toxic_days = {r.values["date"] for _n, r in cleaned if r.product is not None and r.product.highly_toxic}
    designated = _designated_on(dealer, toxic_days)
    for n, row in cleaned:
        values = row.values
        if row.product is not None and row.product.highly_toxic and values["date"] not in designated:
            refused = message(
                "designated_outlet:ledger",
                product=row.product.name,
                dealer=dealer.name,
                date=values["date"].isoformat(),
            )
            errors.setdefault(n, []).append(refusal("registration_number", refused))
            rules.append(
                {
                    "rule": "designated_outlet",
                    "registration_number": values["registration_number"],
                    "date": values["date"].isoformat(),
                }
            )
            continue
        key = (values["registration_number"], values["specification"], values["unit"])
        day, quantity = values["date"], values["quantity"]
        available = stock_on(moves[key], day)
        names = {
            "unit": values["unit"],
            "number": values["registration_number"],
            "spec": values["specification"],
            "quantity": _number(quantity),
            "date": day.isoformat(),
        }
        if quantity > available:
            errors.setdefault(n, []).append(
                refusal("quantity", message("beyond_stock", **names, stock=_number(available)))
            )
            continue
        lowest = _lowest_after(moves[key], day)
        if lowest is not None and quantity > lowest[0]:
            errors.setdefault(n, []).append(
                refusal(
                    "quantity",
                    message(
                        "beyond_stock:later", **names, stock=_number(lowest[0]), later=lowest[1].isoformat()
                    ),
                )
            )
            continue
        moves[key][day] = moves[key].get(day, Decimal(0)) - quantity


def _number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def _entry(actor: Actor, dealer: Party, direction: str, source: str, row: CleanRow) -> AgriInputLedgerEntry:
    v = row.values
    entry = AgriInputLedgerEntry(
        dealer=dealer,
        direction=direction,
        product=row.product,
        kind=v["kind"],
        registration_number=v["registration_number"],
        product_name=v["product_name"],
        specification=v["specification"],
        unit_code=v["unit_code"],
        lot=v.get("lot") or "",
        quantity=v["quantity"],
        unit=v["unit"],
        day=v["date"],
        source=source,
        recorded_by=actor.user,
        recorded_by_client=actor.client,
    )
    if direction == LedgerDirection.PURCHASE:
        entry.counterparty = v["supplier"]
    else:
        entry.counterparty = v.get("buyer_party")
        entry.buyer_name = v.get("buyer_name") or ""
        entry.buyer_phone = v.get("buyer_phone") or ""
        entry.buyer_address = v.get("buyer_address") or ""
        entry.use_crop = v.get("use_crop") or ""
        entry.use_target = v.get("use_target") or ""
        number = v.get("buyer_id")
        if number:
            entry.buyer_id_protected = protect.encrypt(number)
            entry.buyer_id_digest = protect.digest(number)
            entry.buyer_id_masked = protect.mask_id_number(number)
    return entry


# -- ledger rows as EPCIS events (the farm inputs profile's input_purchasing and input_selling) ----------

#: The URI of a ledger row in events: a purchase's record (bizTransaction ``inv``) and a sale's
#: real-name record (``tracehub:buyerRecord``). The buyer's name, ID number and phone stay in the row.
LEDGER_URI = "urn:tracehub:doc:agri_input_ledger:"
#: Product class URIs of catalogue products without a unit code: the registration number.
REGISTRATION_URI = "urn:tracehub:class:agri_input:"
#: Ledger units that are UN/ECE Rec. 20 units; other units (瓶, 袋 …) are counts (no uom).
UOM = {
    "千克": "KGM",
    "公斤": "KGM",
    "kg": "KGM",
    "克": "GRM",
    "g": "GRM",
    "吨": "TNE",
    "升": "LTR",
    "L": "LTR",
}
UOM["毫升"] = "MLT"
UOM["ml"] = "MLT"
STEP_OF = {LedgerDirection.PURCHASE: "input_purchasing", LedgerDirection.SALE: "input_selling"}


def dealer_location(dealer: Party) -> Location | None:
    """Where a dealer's ledger rows happen (readPoint and bizLocation of their events): its first
    active location, one it holds before one it operates."""
    held = Location.objects.filter(party=dealer, active=True).order_by("id").first()
    return held or Location.objects.filter(operator=dealer, active=True).order_by("id").first()


def ledger_uri(entry: AgriInputLedgerEntry) -> str:
    return f"{LEDGER_URI}{entry.pk}"


def product_uri(kind: str, registration_number: str, unit_code: str = "") -> str:
    """The product in events: its 32-digit pesticide unit code or 24-digit veterinary drug trace code
    as a platform URI, else its registration number as a platform class URI."""
    if unit_code and kind == AgriInputKind.PESTICIDE:
        return f"urn:tracehub:code:pesticide:{unit_code}"
    if unit_code and kind == AgriInputKind.VET_DRUG:
        return f"urn:tracehub:code:vetdrug:{unit_code}"
    return REGISTRATION_URI + quote(registration_number, safe="")


def _event_time(day: dt.date) -> str:
    """A ledger row's event time: noon of its date (China time), or now when that is later."""
    noon = dt.datetime.combine(day, dt.time(12, 0), tzinfo=CHINA)
    return min(noon, timezone.now().astimezone(CHINA)).strftime("%Y-%m-%d %H:%M")


def _step_data(direction: str, location: Location, entry: AgriInputLedgerEntry) -> dict[str, str]:
    data = {
        "location": location.identifier,
        "ledger_entry": ledger_uri(entry),
        "product": product_uri(entry.kind, entry.registration_number, entry.unit_code),
        "registration_number": entry.registration_number,
        "quantity": _number(entry.quantity),
        "unit": entry.unit,
        "time": _event_time(entry.day),
    }
    if direction == LedgerDirection.PURCHASE:
        data["supplier"] = party_uri(entry.counterparty)
    elif entry.counterparty_id:
        data["buyer"] = party_uri(entry.counterparty)
    return data


def _capture(actor: Actor, direction: str, location: Location, entries: list[AgriInputLedgerEntry]) -> None:
    """Capture each new ledger row's event, in the ledger's transaction: a refused event refuses
    its row (named by the row's number), and a refused row is never captured."""
    if not entries:
        return
    data = [_step_data(direction, location, entry) for entry in entries]
    try:
        steps_record(actor=actor, sector=SECTOR, step=STEP_OF[direction], rows=data)
    except StepRefused as exc:
        raise LedgerRefused(
            {
                n: [
                    {
                        "field": e["field"],
                        # The event's refusal, a nested message: English for clients, with the
                        # rule's code and params; pages render it in the reader's language.
                        "message": message("ledger_event", message=e["message"]),
                        **({"code": e["code"], "params": e.get("params") or {}} if e.get("code") else {}),
                    }
                    for e in es
                ]
                for n, es in exc.rows.items()
            }
        ) from None


_EVENT_INPUTS = (
    Input("location", "经营场所", "dealer's site", "location"),
    Input("ledger_entry", "台账记录", "ledger row", "text", help_zh="台账记录 URI"),
    Input("product", "产品", "product", "lot", help_zh="农药单元识别代码、兽药追溯码或登记证号 URI"),
    Input("registration_number", "登记证号", "registration number", "text"),
    Input("quantity", "数量", "quantity", "number"),
    Input("unit", "单位", "unit", "text"),
)
_EVENT_TIME = Input("time", "时间", "time", "time", required=False)


def _check_event(direction: str):
    """An event of this step stands for a ledger row of the same dealer, product and quantity (so
    that it is entered through the ledgers, never alone)."""

    def check(clean: dict[str, Any]) -> dict[str, str]:
        ref = clean["ledger_entry"]
        pk = ref[len(LEDGER_URI) :] if ref.startswith(LEDGER_URI) else ""
        row = AgriInputLedgerEntry.objects.filter(pk=int(pk)).first() if pk.isdigit() else None
        location: Location = clean["location"]
        if (
            row is None
            or row.direction != direction
            or row.dealer_id not in (location.party_id, location.operator_id)
            or row.quantity != clean["quantity"]
            or row.registration_number != clean["registration_number"]
        ):
            return {
                "ledger_entry": "no ledger row of this dealer matches this entry; record it in the ledger"
            }
        return {}

    return check


def _build_ledger_event(direction: str):
    def build(clean: Mapping[str, Any]) -> dict[str, Any]:
        row = AgriInputLedgerEntry.objects.select_related("dealer").get(
            pk=int(clean["ledger_entry"][len(LEDGER_URI) :])
        )
        dealer = row.dealer
        item: dict[str, Any] = {"epcClass": clean["product"], "quantity": event_number(clean["quantity"])}
        uom = UOM.get(clean["unit"])
        if uom:
            item["uom"] = uom
        body: dict[str, Any] = {
            "quantityList": [item],
            ext("registrationNumber"): clean["registration_number"],
        }
        if direction == LedgerDirection.PURCHASE:
            body["bizTransactionList"] = [{"type": "inv", "bizTransaction": clean["ledger_entry"]}]
            body["sourceList"] = [{"type": "owning_party", "source": party_uri(clean["supplier"])}]
            body["destinationList"] = [{"type": "owning_party", "destination": party_uri(dealer)}]
        else:
            body[ext("buyerRecord")] = clean["ledger_entry"]
            body["sourceList"] = [{"type": "owning_party", "source": party_uri(dealer)}]
            if clean.get("buyer") is not None:
                body["destinationList"] = [{"type": "owning_party", "destination": party_uri(clean["buyer"])}]
        return make_event(SECTOR, STEP_OF[direction], clean, body)

    return build


PURCHASE_ENTRY = register_sector_entry(
    StepEntry(
        SECTOR,
        "input_purchasing",
        (*_EVENT_INPUTS, Input("supplier", "供货方", "supplier", "party"), _EVENT_TIME),
        _build_ledger_event(LedgerDirection.PURCHASE),
        check=_check_event(LedgerDirection.PURCHASE),
    )
)
SALE_ENTRY = register_sector_entry(
    StepEntry(
        SECTOR,
        "input_selling",
        (*_EVENT_INPUTS, Input("buyer", "购买单位", "buying party", "party", required=False), _EVENT_TIME),
        _build_ledger_event(LedgerDirection.SALE),
        check=_check_event(LedgerDirection.SALE),
    )
)


def _audit_view(entry: AgriInputLedgerEntry) -> dict[str, Any]:
    """What an audit row keeps of a ledger entry: never the ID number, only its masked form."""
    view = {
        "direction": entry.direction,
        "registration_number": entry.registration_number,
        "specification": entry.specification,
        "quantity": str(entry.quantity),
        "unit": entry.unit,
        "date": entry.day.isoformat(),
        "counterparty": entry.counterparty_id,
        "source": entry.source,
    }
    if entry.unit_code:
        view["unit_code"] = entry.unit_code
    if entry.buyer_id_masked:
        view["buyer_id"] = entry.buyer_id_masked
    return view


def _alert_refusal(actor: Actor, dealer: Party, rules: list[dict[str, Any]]) -> None:
    """A sale refused by the designated-outlet rule: audited and the bureau's officials notified."""
    with transaction.atomic():
        for rule in rules:
            audit_record(
                **actor.audit,
                action="sectors.agri_input.designated_outlet_refused",
                object_type="registry.Party",
                object_id=str(dealer.pk),
                after=rule,
                party_ref=dealer.pk,
            )
        notification_send(
            users=_agri_officials(),
            message=gettext_noop(
                "%(dealer)s tried to sell the highly toxic pesticide %(number)s without being a designated "
                "outlet: the sale was refused."
            ),
            params={"dealer": dealer.name, "number": rules[0]["registration_number"]},
            link="/console/sectors/agri_input/sales/",
        )


def ledger_purchase_record(
    *, actor: Actor, data: Mapping[str, Any], dealer: Party | None = None, source: str = LedgerSource.API
) -> AgriInputLedgerEntry:
    """Record one purchase (进货台账 row)."""
    return ledger_rows_record(
        actor=actor, direction=LedgerDirection.PURCHASE, rows=[data], dealer=dealer, source=source
    )[0]


def ledger_sale_record(
    *, actor: Actor, data: Mapping[str, Any], dealer: Party | None = None, source: str = LedgerSource.API
) -> AgriInputLedgerEntry:
    """Record one sale (销售台账 row), with the buyer by real name where the product asks it."""
    return ledger_rows_record(
        actor=actor, direction=LedgerDirection.SALE, rows=[data], dealer=dealer, source=source
    )[0]


def ledger_buyer_id_reveal(*, actor: Actor, entry: AgriInputLedgerEntry) -> str:
    """The buyer's full ID number of a real-name sale: a view of personal data, audited (who looked,
    never the number). The agriculture bureau's officials overseeing the dealer and the platform only."""
    _require_official(actor, entry.dealer)
    if not entry.buyer_id_protected:
        raise Conflict(_("This sale records no ID card number."))
    number = protect.decrypt(entry.buyer_id_protected)
    with transaction.atomic():
        audit_record(
            **actor.audit,
            action="sectors.agri_input.view_buyer_id",
            object_type="sectors.AgriInputLedgerEntry",
            object_id=str(entry.pk),
            after={"viewed": "buyer_id", "masked": entry.buyer_id_masked},
            party_ref=entry.dealer_id,
        )
    return number


def buyer_digest(id_number: str) -> str:
    """The keyed digest officials search sales by; ``ValidationError`` for a wrong number."""
    return protect.digest(validators.normalize_ric(id_number))


# -- the catalogue ------------------------------------------------------------------------------------------


def agri_input_product_set(
    *,
    actor: Actor,
    registration_number: str,
    name: str,
    kind: str,
    holder: str = "",
    restricted: bool = False,
    highly_toxic: bool = False,
) -> AgriInputProduct:
    """Enter or change a catalogue product (农资产品目录): the agriculture bureau or the platform.
    A highly toxic product is restricted-use too. Ledger rows of its number are linked to it."""
    _require_official(actor)
    errors: dict[str, str] = {}
    number = normalize_registration(registration_number)
    if kind not in AgriInputKind.values:
        errors["kind"] = _("%(field)s must be one of: %(choices)s.") % {
            "field": "kind",
            "choices": ", ".join(AgriInputKind.values),
        }
    if not number:
        errors["registration_number"] = _("%(field)s is required.") % {"field": "registration_number"}
    elif kind in AgriInputKind.values:
        problem = registration_error(kind, number)
        if problem:
            errors["registration_number"] = problem
    name = (name or "").strip()
    if not name:
        errors["name"] = _("%(field)s is required.") % {"field": "name"}
    elif len(name) > 200:
        errors["name"] = _("%(field)s is longer than %(n)d characters.") % {"field": "name", "n": 200}
    if highly_toxic and kind != AgriInputKind.PESTICIDE:
        errors["highly_toxic"] = _("Only a pesticide is marked highly toxic (高毒农药).")
    if errors:
        raise AgriInputInvalid(errors)
    restricted = bool(restricted or highly_toxic)
    with transaction.atomic():
        before = AgriInputProduct.objects.filter(registration_number=number).first()
        product, _created = AgriInputProduct.objects.update_or_create(
            registration_number=number,
            defaults={
                "name": name,
                "kind": kind,
                "holder": (holder or "").strip()[:200],
                "restricted": restricted,
                "highly_toxic": bool(highly_toxic),
                "updated_at": timezone.now(),
            },
        )
        AgriInputLedgerEntry.objects.filter(registration_number=number, product__isnull=True).update(
            product=product
        )
        audit_record(
            **actor.audit,
            action="sectors.agri_input.product_set",
            object_type="sectors.AgriInputProduct",
            object_id=str(product.pk),
            before={"restricted": before.restricted, "highly_toxic": before.highly_toxic} if before else None,
            after={
                "registration_number": number,
                "kind": kind,
                "restricted": restricted,
                "highly_toxic": bool(highly_toxic),
            },
        )
    return product


# -- designated outlets (定点经营) ---------------------------------------------------------------------------


def designated_outlet_designate(
    *,
    actor: Actor,
    dealer: Party,
    valid_from: dt.date,
    document_number: str = "",
    note: str = "",
) -> DesignatedOutlet:
    """Designate a dealer as an outlet for highly toxic pesticides from ``valid_from``: the agriculture
    bureau overseeing the dealer, or the platform. A filed dealer, not already designated."""
    _require_official(actor, dealer)
    errors: dict[str, str] = {}
    filed = Party.objects.filter(pk=dealer.pk, filing_status=FilingStatus.APPROVED).exists()
    if not filed:
        errors["dealer"] = _("%(name)s is not filed (备案).") % {"name": dealer.name}
    if not isinstance(valid_from, dt.date):
        errors["valid_from"] = _("%(field)s must be a date such as 2026-11-16.") % {"field": "valid_from"}
    if len(document_number or "") > 100:
        errors["document_number"] = _("%(field)s is longer than %(n)d characters.") % {
            "field": "document_number",
            "n": 100,
        }
    if errors:
        raise AgriInputInvalid(errors)
    with transaction.atomic():
        Party.objects.select_for_update().filter(pk=dealer.pk).first()
        if DesignatedOutlet.objects.filter(dealer=dealer, valid_until__isnull=True).exists():
            raise Conflict(_("%(name)s is already a designated outlet.") % {"name": dealer.name})
        if DesignatedOutlet.objects.filter(dealer=dealer, valid_until__gte=valid_from).exists():
            raise Conflict(_("This designation would overlap an earlier one: start it later."))
        outlet = DesignatedOutlet.objects.create(
            dealer=dealer,
            valid_from=valid_from,
            document_number=(document_number or "").strip(),
            note=(note or "").strip()[:300],
            designated_by=actor.user,
        )
        audit_record(
            **actor.audit,
            action="sectors.agri_input.outlet_designate",
            object_type="sectors.DesignatedOutlet",
            object_id=str(outlet.pk),
            after={
                "dealer": dealer.pk,
                "valid_from": valid_from.isoformat(),
                "document": outlet.document_number,
            },
            party_ref=dealer.pk,
        )
    return outlet


def designated_outlet_undesignate(
    *, actor: Actor, outlet: DesignatedOutlet, valid_until: dt.date, reason: str
) -> DesignatedOutlet:
    """End a designation on ``valid_until`` (inclusive), with the reason: the bureau or the platform."""
    _require_official(actor, outlet.dealer)
    errors: dict[str, str] = {}
    if outlet.valid_until is not None:
        raise Conflict(_("This designation has ended already."))
    if not isinstance(valid_until, dt.date):
        errors["valid_until"] = _("%(field)s must be a date such as 2026-11-16.") % {"field": "valid_until"}
    elif valid_until < outlet.valid_from:
        errors["valid_until"] = _("The end is before the start of the designation (%(date)s).") % {
            "date": outlet.valid_from.isoformat()
        }
    if not (reason or "").strip():
        errors["reason"] = _("%(field)s is required.") % {"field": "reason"}
    if errors:
        raise AgriInputInvalid(errors)
    with transaction.atomic():
        outlet.valid_until = valid_until
        outlet.end_reason = reason.strip()[:300]
        outlet.save(update_fields=["valid_until", "end_reason"])
        audit_record(
            **actor.audit,
            action="sectors.agri_input.outlet_undesignate",
            object_type="sectors.DesignatedOutlet",
            object_id=str(outlet.pk),
            before={"valid_until": None},
            after={"valid_until": valid_until.isoformat(), "reason": outlet.end_reason},
            party_ref=outlet.dealer_id,
        )
    return outlet


# -- Excel -----------------------------------------------------------------------------------------------


def ledger_template_xlsx(direction: str) -> bytes:
    """The ledger's Excel template: Chinese headers (``中文名 key``), code columns formatted as text,
    an example row starting with #, and a sheet of notes."""
    import io

    import openpyxl
    from openpyxl.styles import Font

    inputs = INPUTS[direction]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "进货台账" if direction == LedgerDirection.PURCHASE else "销售台账"
    sheet.append([i.header for i in inputs])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    example = EXAMPLES[direction]
    sheet.append(["# " + example[inputs[0].key]] + [example.get(i.key, "") for i in inputs[1:]])
    for index, item in enumerate(inputs, start=1):
        letter = openpyxl.utils.get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, len(item.header) * 2)
        if item.key in CODE_INPUTS:
            for row in range(2, 502):
                sheet[f"{letter}{row}"].number_format = "@"
    notes = workbook.create_sheet("说明")
    notes.append(["列", "必填", "说明", "column", "required", "notes"])
    for item in inputs:
        choices = f"（{'/'.join(item.choices)}）" if item.choices else ""
        notes.append(
            [
                item.zh,
                "是" if item.required else "否",
                item.help_zh + choices,
                item.key,
                "yes" if item.required else "no",
                item.en,
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


EXAMPLES = {
    LedgerDirection.PURCHASE: {
        "registration_number": "PD20142631",
        "product_name": "吡虫啉可湿性粉剂",
        "specification": "100克/袋",
        "kind": "pesticide",
        "quantity": "50",
        "unit": "袋",
        "date": "2026-11-16",
        # A real credit code (check character included), the demo's pesticide maker's (江苏禾盛农化):
        # the example row reads and parses as a valid row would (issue #6 item 6).
        "supplier": "91320623138452069X",
    },
    LedgerDirection.SALE: {
        "registration_number": "PD20142631",
        "product_name": "吡虫啉可湿性粉剂",
        "specification": "100克/袋",
        "quantity": "2",
        "unit": "袋",
        "date": "2026-11-16",
        "buyer_name": "张三",
        "buyer_phone": "13800000000",
        "use_crop": "水稻",
        "use_target": "稻飞虱",
    },
}


@dataclass
class LedgerUpload:
    """A checked Excel upload: each row with its spreadsheet row number and values (ID numbers
    masked), and its errors as (row, column, reason)."""

    direction: str
    rows: list[dict[str, Any]]
    errors: list[dict[str, Any]]
    stored: int = 0


def ledger_upload(
    *, actor: Actor, direction: str, content: bytes, dealer: Party | None = None, commit: bool = False
) -> LedgerUpload:
    """Read an Excel upload of ledger rows and check every row (``commit=False``: the preview), or
    store them all (``commit=True``), all or nothing; the errors name row, column and reason.

    The file is read by the sectors' Excel reader (``services_liquor.read_rows``: the framework's
    limits and messages); nothing of it is kept, so no ID number is stored unencrypted."""
    from tracehub.sectors.services_liquor import read_rows

    inputs = INPUTS[direction]
    try:
        numbered = read_rows(inputs, content)
    except StepRefused as exc:
        return LedgerUpload(
            direction, [], [{"row": 0, "column": "", "message": e["message"]} for e in exc.errors]
        )
    headers = {i.key: i.header for i in inputs}
    preview = []
    for number, values in numbered:
        shown = {k: _text(v) for k, v in values.items()}
        if shown.get("buyer_id_number"):
            shown["buyer_id_number"] = protect.mask_id_number(shown["buyer_id_number"])
        preview.append({"row": number, "values": [shown.get(i.key, "") for i in inputs]})
    upload = LedgerUpload(direction, preview, [])
    try:
        entries = ledger_rows_record(
            actor=actor,
            direction=direction,
            rows=[values for _n, values in numbered],
            dealer=dealer,
            source=LedgerSource.EXCEL,
            dry_run=not commit,
        )
    except LedgerRefused as exc:
        for n, errors in exc.rows.items():
            row = numbered[n - 1][0] if n else (numbered[0][0] if len(numbered) == 1 else 0)
            for error in errors:
                upload.errors.append(
                    {
                        "row": row,
                        "column": headers.get(error["field"], error["field"]),
                        "message": error["message"],
                        # kept, so the page renders it in the reader's language (issue #7 i18n)
                        **{k: error[k] for k in ("code", "params") if k in error},
                    }
                )
        return upload
    if commit:
        upload.stored = len(entries)
    return upload


# -- usage filing (使用备案) ---------------------------------------------------------------------------

#: The URI of a usage filing in its event (``tracehub:usageRecord``).
USAGE_URI = "urn:tracehub:doc:agri_input_usage:"
USAGE_INPUTS: tuple[Input, ...] = (
    Input("plot", "地块", "planting plot", "text", help_zh="本主体的种植地块"),
    Input("registration_number", "登记证号", "registration number", "text"),
    Input("product_name", "产品名称", "product name", "text"),
    Input("unit_code", "农药单元识别代码", "pesticide code", "text", required=False, help_zh="32 位，可留空"),
    Input("quantity", "用量", "quantity", "number"),
    Input("unit", "单位", "unit", "text", help_zh="毫升、克、千克…"),
    Input("date", "使用日期", "date of use", "date", help_zh="格式 2026-11-16"),
    Input("crop", "使用作物", "crop", "text"),
    Input("target", "防治对象", "target", "text"),
    Input("operator_name", "施用人", "operator", "text"),
    Input(
        "pre_harvest_interval_days",
        "安全间隔期（天）",
        "pre-harvest interval (days)",
        "number",
        required=False,
        help_zh="农药必填",
    ),
    Input("dealer", "购自经营者", "bought from", "party", required=False, help_zh="经营者统一社会信用代码"),
)
_USAGE_LIMITS = {
    "registration_number": 60,
    "product_name": 200,
    "unit": 20,
    "crop": 100,
    "target": 100,
    "operator_name": 100,
}


def may_file_usage(actor: Actor, party: Party) -> bool:
    """Who files a farm's usage: its own users and clients, and the platform."""
    return actor.sees_all or (actor.acts_for_party and actor.party_id == party.pk)


def usage_uri(usage) -> str:
    return f"{USAGE_URI}{usage.pk}"


def usage_location(usage) -> Location | None:
    """Where a usage is captured: the plot's location, else the farm's first location."""
    if usage.plot.location_id and usage.plot.location.active:
        return usage.plot.location
    return dealer_location(usage.party)


def input_usage_record(
    *,
    actor: Actor,
    party: Party,
    plot,
    registration_number: str,
    product_name: str,
    quantity: Any,
    unit: str,
    date: Any,
    crop: str,
    target: str,
    operator_name: str,
    pre_harvest_interval_days: Any = None,
    unit_code: str = "",
    dealer: Party | None = None,
    source: str = LedgerSource.API,
):
    """File the use of a farm input on one of ``party``'s planting plots (使用备案).

    Its own users and clients, or the platform, write it (``PermissionDenied`` otherwise). Every wrong
    input is named in :class:`AgriInputInvalid`: the plot is the party's; the registration number has
    the format of its kind (from the catalogue, else from the format); a 32-digit code belongs to it; a
    pesticide carries its pre-harvest interval (安全间隔期); the dealer, if named, is filed; the date is
    not in the future. The row, its audit row and its ``input_usage`` event (at the plot's location,
    else the farm's first) are written in one transaction."""
    from tracehub.sectors.models_agri_input import AgriInputUsage

    if not may_file_usage(actor, party):
        raise PermissionDenied(_("Only the farm's own users and the platform file its usage of farm inputs."))
    errors: dict[str, str] = {}
    if plot is None or plot.party_id != party.pk:
        errors["plot"] = _("The plot is not one of the party's planting plots.")
    texts = {
        "registration_number": registration_number,
        "product_name": product_name,
        "unit": unit,
        "crop": crop,
        "target": target,
        "operator_name": operator_name,
    }
    clean: dict[str, str] = {}
    for key, value in texts.items():
        text = _text(value)
        label = input_label(next(i for i in USAGE_INPUTS if i.key == key))
        if not text:
            errors[key] = _("%(field)s is required.") % {"field": label}
        elif len(text) > _USAGE_LIMITS[key]:
            errors[key] = _("%(field)s is longer than %(n)d characters.") % {
                "field": label,
                "n": _USAGE_LIMITS[key],
            }
        clean[key] = text
    number = normalize_registration(clean["registration_number"])
    product = AgriInputProduct.objects.filter(registration_number=number).first() if number else None
    kind = product.kind if product is not None else ""
    if number and product is None:
        kinds = [k for k, (pattern, _example) in REGISTRATION_FORMATS.items() if pattern.match(number)]
        if kinds:
            kind = kinds[0]
        else:
            errors.setdefault(
                "registration_number",
                _(
                    "%(number)s is not a registration number of a pesticide (PD20142631), veterinary drug "
                    "(兽药字(2020)150012345), fertiliser (农肥(2019)准字12345号) or seed (国审稻20170001)."
                )
                % {"number": number},
            )
    elif product is not None:
        problem = registration_error(kind, number)
        if problem:
            errors.setdefault("registration_number", problem)
    code = re.sub(r"[\s-]+", "", _text(unit_code))
    if code:
        if kind != AgriInputKind.PESTICIDE:
            errors["unit_code"] = _("Only a pesticide carries a 32-digit pesticide code.")
        else:
            try:
                found = parse_pesticide_unit_code(code)
                if not found.matches_registration(number):
                    errors["unit_code"] = message(
                        "ledger_code_registration",
                        category=found.category,
                        digits=found.registration_digits,
                        number=number,
                    )
            except IdentifierError as exc:
                errors["unit_code"] = str(exc)
    amount = None
    try:
        amount = Decimal(_text(quantity))
        if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.001")):
            raise InvalidOperation
        if amount >= Decimal("1e11"):
            raise InvalidOperation
    except InvalidOperation:
        errors["quantity"] = _("%(field)s must be a number greater than 0 (at most 3 decimals).") % {
            "field": input_label(USAGE_INPUTS[4])
        }
    day = None
    if isinstance(date, dt.date) and not isinstance(date, dt.datetime):
        day = date
    else:
        try:
            day = dt.date.fromisoformat(_text(date)[:10])
        except ValueError:
            errors["date"] = _("%(field)s must be a date such as 2026-11-16.") % {
                "field": input_label(USAGE_INPUTS[6])
            }
    if day is not None and day > timezone.localdate():
        errors["date"] = _("The date is in the future.")
    interval = None
    interval_text = _text(pre_harvest_interval_days)
    if interval_text:
        if interval_text.isdigit() and int(interval_text) <= 3650:
            interval = int(interval_text)
        else:
            errors["pre_harvest_interval_days"] = _(
                "The pre-harvest interval is a whole number of days (0 to 3650)."
            )
    elif kind == AgriInputKind.PESTICIDE:
        errors["pre_harvest_interval_days"] = _(
            "A pesticide's use records its pre-harvest interval (安全间隔期), in days."
        )
    if dealer is not None and dealer.filing_status != FilingStatus.APPROVED:
        errors["dealer"] = _("%(name)s is not filed (备案).") % {"name": dealer.name}
    if source not in LedgerSource.values:
        source = LedgerSource.API
    if errors:
        raise AgriInputInvalid(errors)
    with transaction.atomic():
        status = Party.objects.select_for_update().filter(pk=party.pk).values_list("filing_status", flat=True)
        if status.first() != FilingStatus.APPROVED:
            raise AgriInputInvalid({"party": _("%(name)s is not filed (备案).") % {"name": party.name}})
        usage = AgriInputUsage(
            party=party,
            plot=plot,
            product=product,
            kind=kind,
            registration_number=number,
            product_name=clean["product_name"],
            unit_code=code,
            quantity=amount,
            unit=clean["unit"],
            day=day,
            crop=clean["crop"],
            target=clean["target"],
            operator_name=clean["operator_name"],
            pre_harvest_interval_days=interval,
            dealer=dealer,
            source=source,
            recorded_by=actor.user,
            recorded_by_client=actor.client,
        )
        location = usage_location(usage)
        if location is None:
            raise AgriInputInvalid(
                {
                    "plot": _(
                        "Neither the plot nor %(name)s has a registered location: register the "
                        "production base first (a usage is captured as an event there)."
                    )
                    % {"name": party.name}
                }
            )
        usage.save()
        audit_record(
            **actor.audit,
            action="sectors.agri_input.usage_record",
            object_type="sectors.AgriInputUsage",
            object_id=str(usage.pk),
            after={
                "plot": plot.pk,
                "registration_number": number,
                "quantity": str(amount),
                "unit": usage.unit,
                "date": day.isoformat(),
                "pre_harvest_interval_days": interval,
                "dealer": dealer.pk if dealer is not None else None,
            },
            party_ref=party.pk,
        )
        data = {
            "location": location.identifier,
            "usage_record": usage_uri(usage),
            "product": product_uri(kind, number, code),
            "registration_number": number,
            "quantity": _number(amount),
            "unit": usage.unit,
            "time": _event_time(day),
        }
        try:
            steps_record(actor=actor, sector=SECTOR, step="input_usage", rows=[data])
        except StepRefused as exc:
            raise AgriInputInvalid(
                {
                    e["field"]: _("Event: %(message)s") % {"message": e["message"]}
                    for es in exc.rows.values()
                    for e in es
                }
            ) from None
    return usage


def _check_usage_event(clean: dict[str, Any]) -> dict[str, str]:
    """An input_usage event entered through the entries stands for a usage filing of the location's
    party, product and quantity (so that it is filed through :func:`input_usage_record`)."""
    from tracehub.sectors.models_agri_input import AgriInputUsage

    ref = clean["usage_record"]
    pk = ref[len(USAGE_URI) :] if ref.startswith(USAGE_URI) else ""
    row = AgriInputUsage.objects.filter(pk=int(pk)).first() if pk.isdigit() else None
    location: Location = clean["location"]
    if (
        row is None
        or row.party_id not in (location.party_id, location.operator_id)
        or row.quantity != clean["quantity"]
        or row.registration_number != clean["registration_number"]
    ):
        return {"usage_record": "no usage filing of this farm matches this entry; file the usage first"}
    return {}


def _build_usage_event(clean: Mapping[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {"epcClass": clean["product"], "quantity": event_number(clean["quantity"])}
    uom = UOM.get(clean["unit"])
    if uom:
        item["uom"] = uom
    body: dict[str, Any] = {
        "quantityList": [item],
        ext("registrationNumber"): clean["registration_number"],
        ext("usageRecord"): clean["usage_record"],
    }
    return make_event(SECTOR, "input_usage", clean, body)


USAGE_ENTRY = register_sector_entry(
    StepEntry(
        SECTOR,
        "input_usage",
        (
            Input("location", "地块场所", "plot's site", "location"),
            Input("usage_record", "使用备案记录", "usage filing", "text", help_zh="使用备案记录 URI"),
            Input("product", "产品", "product", "lot", help_zh="农药单元识别代码或登记证号 URI"),
            Input("registration_number", "登记证号", "registration number", "text"),
            Input("quantity", "用量", "quantity", "number"),
            Input("unit", "单位", "unit", "text"),
            _EVENT_TIME,
        ),
        _build_usage_event,
        check=_check_usage_event,
    )
)


__all__ = [
    "INPUTS",
    "AgriInputInvalid",
    "LedgerRefused",
    "LedgerUpload",
    "agri_input_product_set",
    "buyer_digest",
    "designated_outlet_designate",
    "designated_outlet_undesignate",
    "ledger_buyer_id_reveal",
    "ledger_purchase_record",
    "ledger_rows_record",
    "ledger_sale_record",
    "ledger_template_xlsx",
    "ledger_upload",
    "input_usage_record",
]


def designated_outlet_refusals_report(*, batch) -> int:
    """Refusal hook of the farm-inputs profile (issue #6 item 4: a sale of a highly toxic pesticide by
    a dealer that is not a designated outlet "is rejected at capture and raises an alert"). A raw
    EPCIS capture refused by the ``designated_outlet`` rule rolls back, so the alert is written here,
    after the rollback, in its own transaction: an audit row per refused sale and a console
    notification to the agriculture bureau's officials. Ledger entries check the rule before they
    capture and alert themselves (``_alert_refusal``). Returns how many sales were reported."""
    reported = 0
    officials = None
    for refused in batch.events:
        reasons = [str(e.message) for e in refused.errors if rule_of(e.code) == "designated_outlet"]
        if not reasons:
            continue
        site = refused.normalized.biz_location or refused.normalized.read_point or ""
        location = (
            Location.objects.filter(key=site).select_related("party", "operator").first() if site else None
        )
        dealer = (location.operator or location.party) if location is not None else None
        registration = next((x.key for x in refused.normalized.index if x.role in ("class", "epc")), "")
        sent_id = refused.event.get("eventID")
        audit_record(
            actor_client=batch.client,
            action="sectors.agri_input.designated_outlet_refused",
            object_type="epcis.CaptureJob",
            object_id=batch.capture_id,
            after={
                "eventID": sent_id if isinstance(sent_id, str) else None,
                "location": site,
                "product": registration,
                "reasons": reasons,
            },
            party_ref=dealer.pk if dealer is not None else None,
        )
        if officials is None:
            officials = _agri_officials()
        notification_send(
            users=officials,
            message=gettext_noop(
                "%(dealer)s tried to sell the highly toxic pesticide %(number)s without being a designated "
                "outlet: the sale was refused."
            ),
            params={"dealer": dealer.name if dealer is not None else site, "number": registration},
            link="/console/sectors/agri_input/sales/",
        )
        reported += 1
    return reported
