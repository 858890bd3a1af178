"""Writes of the enterprise full-chain subsystem (企业信息化追溯, E2): recipes (BOM) and key control
points, step entries (through :func:`tracehub.sectors.services_liquor.record_steps`, the same
pipeline as every channel), and the checks derived from captured events: a production
TransformationEvent against its recipe (``ProductionRecord``, a ``bom_mismatch`` finding), sensor
readings against the control points' limits (a ``ccp_deviation`` finding). A finding is stored on
the lot in the transaction of its event and notified to the enterprise's users and to the officials
overseeing it (console notifications).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tracehub.accounts.services import audit_record, notification_send
from tracehub.epcis.models import Event
from tracehub.epcis.profiles import CaptureBatch
from tracehub.identifiers import IdentifierError, canonical_key
from tracehub.registry.actors import Actor, actor_for_client
from tracehub.registry.models import Location, Party, Product
from tracehub.registry.selectors import officials_overseeing, party_users
from tracehub.sectors import entry
from tracehub.sectors.entry import CHINA, Input, party_uri
from tracehub.sectors.messages import define, message, notification_param
from tracehub.sectors.models_enterprise import (
    ControlPoint,
    ControlPointStatus,
    EnterpriseFinding,
    FindingKind,
    ProductionRecord,
    Recipe,
    RecipeLine,
    RecipeStatus,
)
from tracehub.sectors.profile import registry
from tracehub.sectors.profiles import enterprise
from tracehub.sectors.services import StepResult
from tracehub.sectors.services_liquor import (
    SectorEntry,
    event_base,
    finish,
    place,
    product_of_lot,
    record_steps,
)

UOMS = ("KGM", "GRM", "H87", "LTR", "CS")
FINDING_MESSAGE = gettext_noop("Finding on lot %(lot)s of %(party)s: %(message)s")


def _member(actor: Actor, party: Party) -> bool:
    return actor.sees_all or (actor.acts_for_party and actor.party_id == party.pk)


def _number(
    value: Any, field: str, errors: dict[str, list[str]], *, positive: bool = False
) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        errors[field] = [_("Expected a number.")]
        return None
    if not number.is_finite() or (positive and number <= 0):
        errors[field] = [_("Expected a number greater than 0.") if positive else _("Expected a number.")]
        return None
    return number


# -- recipes and control points ---------------------------------------------------------------------


def recipe_create(
    *,
    actor: Actor,
    party: Party,
    code: str,
    name: str,
    output_product: Product,
    output_uom: str = "KGM",
    lines: Sequence[Mapping[str, Any]],
) -> Recipe:
    """Register a recipe (配方/BOM): ``lines`` are ``{"product": Product, "quantity": per unit of
    output, "uom": …, "tolerance": % (default 5)}``. Every wrong field is named."""
    if not _member(actor, party):
        raise PermissionDenied(_("Only the enterprise registers its recipes."))
    errors: dict[str, list[str]] = {}
    code = (code or "").strip()
    if not code or len(code) > 40:
        errors["code"] = [_("A code of 1-40 characters is required.")]
    elif Recipe.objects.filter(party=party, code=code).exists():
        errors["code"] = [_("The enterprise already has a recipe with this code.")]
    if not (name or "").strip() or len(name) > 200:
        errors["name"] = [_("A text of 1-200 characters is required.")]
    if output_product.party_id != party.pk:
        errors["output_product"] = [_("The product is not a product of this party.")]
    if output_uom not in UOMS:
        errors["output_uom"] = [_("Expected one of: %(choices)s.") % {"choices": ", ".join(UOMS)}]
    if not lines:
        errors["lines"] = [_("A recipe has at least one input.")]
    clean = []
    seen: set[int] = set()
    for i, line in enumerate(lines):
        product = line.get("product")
        if not isinstance(product, Product):
            errors[f"lines[{i}].product"] = [_("A registered product is required.")]
            continue
        if product.pk in seen:
            errors[f"lines[{i}].product"] = [_("Each input product appears once.")]
        seen.add(product.pk)
        quantity = _number(line.get("quantity"), f"lines[{i}].quantity", errors, positive=True)
        if line.get("quantity") in (None, ""):
            errors[f"lines[{i}].quantity"] = [_("Expected a number greater than 0.")]
        tolerance = _number(line.get("tolerance", 5), f"lines[{i}].tolerance", errors)
        if tolerance is not None and not Decimal(0) <= tolerance <= Decimal(100):
            errors[f"lines[{i}].tolerance"] = [_("Expected a number from 0 to 100.")]
        uom = line.get("uom", "KGM")
        if uom not in UOMS:
            errors[f"lines[{i}].uom"] = [_("Expected one of: %(choices)s.") % {"choices": ", ".join(UOMS)}]
        clean.append((product, quantity, uom, tolerance))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        recipe = Recipe.objects.create(
            party=party, code=code, name=name.strip(), output_product=output_product, output_uom=output_uom
        )
        RecipeLine.objects.bulk_create(
            RecipeLine(recipe=recipe, input_product=p, quantity_per_unit=q, uom=u, tolerance_pct=t)
            for p, q, u, t in clean
        )
        audit_record(
            **actor.audit,
            action="sectors.enterprise.recipe.create",
            object_type="sectors.Recipe",
            object_id=str(recipe.pk),
            after={
                "code": code,
                "output": output_product.key,
                "lines": [
                    {"input": p.key, "quantity": str(q), "uom": u, "tolerance": str(t)}
                    for p, q, u, t in clean
                ],
            },
            party_ref=party.pk,
        )
    return recipe


def control_point_create(
    *,
    actor: Actor,
    party: Party,
    code: str,
    name: str,
    minimum: Any = None,
    maximum: Any = None,
    measurement: str = "Temperature",
    uom: str = "CEL",
    hazard: str = "",
    location: Location | None = None,
) -> ControlPoint:
    """Register a key control point (关键控制点) with its critical limits."""
    if not _member(actor, party):
        raise PermissionDenied(_("Only the enterprise registers its control points."))
    errors: dict[str, list[str]] = {}
    code = (code or "").strip()
    if not code or len(code) > 20:
        errors["code"] = [_("A code of 1-20 characters is required.")]
    elif ControlPoint.objects.filter(party=party, code=code).exists():
        errors["code"] = [_("The enterprise already has a control point with this code.")]
    if not (name or "").strip() or len(name) > 200:
        errors["name"] = [_("A text of 1-200 characters is required.")]
    low = _number(minimum, "minimum", errors)
    high = _number(maximum, "maximum", errors)
    if low is None and high is None and "minimum" not in errors and "maximum" not in errors:
        errors["minimum"] = [_("A lower or an upper limit is required.")]
    if low is not None and high is not None and low > high:
        errors["maximum"] = [_("The upper limit is below the lower limit.")]
    if not measurement or len(measurement) > 40:
        errors["measurement"] = [_("A measurement type such as Temperature is required.")]
    if not (isinstance(uom, str) and 2 <= len(uom) <= 3 and uom.isalnum() and uom.upper() == uom):
        errors["uom"] = [_("A UN/ECE Recommendation 20 code such as CEL is required.")]
    if location is not None and party.pk not in (location.party_id, location.operator_id):
        errors["location"] = [_("The location is not one of this party's.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        point = ControlPoint.objects.create(
            party=party,
            code=code,
            name=name.strip(),
            hazard=hazard.strip(),
            measurement=measurement,
            uom=uom,
            minimum=low,
            maximum=high,
            location=location,
        )
        audit_record(
            **actor.audit,
            action="sectors.enterprise.control_point.create",
            object_type="sectors.ControlPoint",
            object_id=str(point.pk),
            after={"code": code, "limits": point.limits, "location": location.key if location else None},
            party_ref=party.pk,
        )
    return point


# -- checks derived from events ---------------------------------------------------------------------


def _party_of(location_key: str) -> tuple[Party | None, Location | None]:
    location = Location.objects.select_related("party", "operator").filter(key=location_key).first()
    if location is None:
        return None, None
    return (location.operator or location.party), location


def _lots(event: Mapping[str, Any]) -> list[str]:
    lots = []
    for name in ("quantityList", "outputQuantityList", "childQuantityList"):
        for item in event.get(name) or ():
            if isinstance(item, dict) and isinstance(item.get("epcClass"), str):
                lots.append(item["epcClass"])
    for name in ("epcList", "outputEPCList"):
        lots.extend(x for x in event.get(name) or () if isinstance(x, str))
    return list(dict.fromkeys(lots))


def _measurement(kind: Any) -> str:
    text = str(kind or "")
    for sep in (":", "/", "#"):
        text = text.rsplit(sep, 1)[-1]
    return text


def _raise_finding(*, actor: Actor, party: Party, link: str, **fields: Any) -> EnterpriseFinding:
    finding, created = EnterpriseFinding.objects.get_or_create(
        event_id=fields.pop("event_id"),
        kind=fields.pop("kind"),
        control_point=fields.pop("control_point", None),
        lot=fields.pop("lot"),
        defaults={"party": party, **fields},
    )
    if created:
        audit_record(
            **actor.audit,
            action=f"sectors.enterprise.finding.{finding.kind}",
            object_type="sectors.EnterpriseFinding",
            object_id=str(finding.pk),
            after={
                "lot": finding.lot,
                "message": finding.message,
                "code": finding.code,
                "event": finding.event_id[:200],
            },
            party_ref=party.pk,
        )
        users = list(party_users(party.pk)) + list(officials_overseeing(party))
        notification_send(
            users=list({u.pk: u for u in users}.values()),
            message=FINDING_MESSAGE,
            params={
                "lot": finding.lot,
                "party": party.name,
                "message": notification_param(
                    {"code": finding.code, "params": finding.params, "message": finding.message}
                )
                if finding.code
                else finding.message,
            },
            link=link,
        )
    return finding


def check_control_points(*, actor: Actor, event: Mapping[str, Any]) -> list[EnterpriseFinding]:
    """Sensor readings of an event against the control points of the enterprise at its location:
    each reading outside a limit raises a ``ccp_deviation`` finding on every lot of the event."""
    readings = event.get("sensorElementList") or ()
    location_id = (event.get("bizLocation") or {}).get("id")
    if not readings or not location_id:
        return []
    try:
        key = canonical_key(location_id)
    except IdentifierError:
        return []
    party, location = _party_of(key)
    if party is None:
        return []
    named = event.get("tracehub:controlPoint")
    points = [
        p
        for p in ControlPoint.objects.filter(party=party, status=ControlPointStatus.ACTIVE).select_related(
            "location"
        )
        if (p.location_id is None or p.location_id == location.pk) and (not named or p.code == named)
    ]
    findings = []
    lots = _lots(event)
    for element in readings:
        for report in (element or {}).get("sensorReport") or ():
            try:
                value = Decimal(str(report.get("value")))
            except (InvalidOperation, TypeError):
                continue
            kind = _measurement(report.get("type"))
            for point in points:
                if point.measurement != kind or (report.get("uom") or point.uom) != point.uom:
                    continue
                low = point.minimum is not None and value < point.minimum
                high = point.maximum is not None and value > point.maximum
                if not (low or high):
                    continue
                # A catalogue message (issue #7 i18n): English stored, rendered on pages from
                # code and params in the reader's language.
                text = message(
                    "ccp_deviation:below" if low else "ccp_deviation:above",
                    point=point.code,
                    name=point.name,
                    value=f"{value.normalize():f}",
                    uom=point.uom,
                    limit=point.limits,
                )
                for lot in lots:
                    findings.append(
                        _raise_finding(
                            actor=actor,
                            party=party,
                            link=f"/console/sectors/enterprise/findings/?lot={lot}",
                            event_id=event["eventID"],
                            kind=FindingKind.CCP_DEVIATION,
                            control_point=point,
                            lot=lot,
                            location_key=key,
                            value=value,
                            limit=point.limits[:100],
                            message=text[:500],
                            code=text.code,
                            params=text.params,
                            details={"reading": str(value), "time": event.get("eventTime")},
                            detected_at=timezone.now(),
                        )
                    )
    return findings


def _quantity(item: Mapping[str, Any]) -> Decimal:
    try:
        return Decimal(str(item.get("quantity")))
    except InvalidOperation:
        return Decimal(0)


def check_production(*, actor: Actor, event: Mapping[str, Any]) -> ProductionRecord | None:
    """A production TransformationEvent against its recipe: the expected quantity of each input is
    the recipe's quantity per unit × the output quantity; an input missing, an input not in the
    recipe, a different unit, or a quantity off by more than the line's tolerance is a mismatch,
    recorded on the ``ProductionRecord`` and raised as a ``bom_mismatch`` finding on the output lot."""
    code = event.get("tracehub:recipe")
    location_id = (event.get("bizLocation") or {}).get("id")
    if not code or not location_id:
        return None
    try:
        location_key = canonical_key(location_id)
    except IdentifierError:
        return None
    party, _location = _party_of(location_key)
    recipe = (
        Recipe.objects.filter(party=party, code=code, status=RecipeStatus.ACTIVE)
        .prefetch_related("lines__input_product")
        .first()
        if party
        else None
    )
    if recipe is None:
        return None
    outputs = [i for i in event.get("outputQuantityList") or () if isinstance(i, dict)]
    output_quantity = sum((_quantity(i) for i in outputs), Decimal(0))
    output_lot = outputs[0]["epcClass"] if outputs else ""
    actual: dict[int, tuple[Decimal, set[str], str]] = {}
    unknown = []
    for item in event.get("inputQuantityList") or ():
        product = product_of_lot(item.get("epcClass", "")) if isinstance(item, dict) else None
        if product is None:
            unknown.append(str(item.get("epcClass") if isinstance(item, dict) else item))
            continue
        quantity, uoms, name = actual.get(product.pk, (Decimal(0), set(), product.name))
        actual[product.pk] = (quantity + _quantity(item), uoms | {item.get("uom") or ""}, name)
    details = []
    matches = True
    for line in recipe.lines.all():
        expected = (line.quantity_per_unit * output_quantity).quantize(Decimal("0.0001"))
        got, uoms, _name = actual.pop(line.input_product_id, (Decimal(0), set(), ""))
        allowed = expected * line.tolerance_pct / 100
        ok = bool(uoms) and uoms == {line.uom} and abs(got - expected) <= allowed
        matches &= ok
        details.append(
            {
                "input": line.input_product.name,
                "product": line.input_product.key,
                "expected": f"{expected.normalize():f}",
                "actual": f"{got.normalize():f}",
                "uom": line.uom,
                "tolerancePct": f"{line.tolerance_pct.normalize():f}",
                "status": "ok" if ok else ("missing" if not uoms else "mismatch"),
            }
        )
    for _pk, (got, _uoms, name) in actual.items():
        matches = False
        details.append(
            {"input": name, "expected": "0", "actual": f"{got.normalize():f}", "status": "not_in_recipe"}
        )
    for lot in unknown:
        matches = False
        details.append({"input": lot, "expected": "0", "status": "unregistered"})
    when = event.get("eventTime")
    record, created = ProductionRecord.objects.get_or_create(
        event_id=event["eventID"],
        defaults={
            "party": party,
            "recipe": recipe,
            "output_lot": output_lot,
            "output_quantity": output_quantity,
            "matches_recipe": matches,
            "details": details,
            "produced_at": _time(when),
        },
    )
    if created and not matches:
        text = message(
            "bom_mismatch",
            recipe=recipe.code,
            inputs=_wrong_inputs([d for d in details if d["status"] != "ok"]),
        )
        _raise_finding(
            actor=actor,
            party=party,
            link=f"/console/sectors/enterprise/findings/?lot={output_lot}",
            event_id=event["eventID"],
            kind=FindingKind.BOM_MISMATCH,
            recipe=recipe,
            lot=output_lot,
            location_key=location_key,
            limit=recipe.code,
            message=text[:500],
            code=text.code,
            params=text.params,
            details={"lines": details},
            detected_at=timezone.now(),
        )
    return record


def _wrong_inputs(lines: Sequence[Mapping[str, Any]]) -> Any:
    """The inputs off the recipe, "冷鲜五花肉 (mismatch), 卤汁酱油 (missing)": each line a nested
    ``bom_input:<status>`` message, joined two by two with ``bom_inputs``, so the list is
    translated — separator included — without a template per count (issue #7 i18n)."""
    joined: Any = None
    for line in reversed(lines):
        item = message(f"bom_input:{line['status']}", input=line["input"])
        joined = item if joined is None else message("bom_inputs", first=item, rest=joined)
    return joined if joined is not None else ""


def _time(value: Any):
    import datetime as dt

    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return timezone.now()


def enterprise_events_evaluate(
    *, actor: Actor, events: Iterable[Mapping[str, Any]]
) -> list[EnterpriseFinding]:
    """Derive the production records and findings of captured events (entries call it in their
    transaction; an enterprise system's own EPCIS captures through :func:`enterprise_evaluate_stored`)."""
    findings: list[EnterpriseFinding] = []
    for event in events:
        if event.get("bizStep") == registry[enterprise.SECTOR].step("production").biz_step:
            record = check_production(actor=actor, event=event)
            if record is not None and not record.matches_recipe:
                findings.extend(
                    EnterpriseFinding.objects.filter(event_id=event["eventID"], kind=FindingKind.BOM_MISMATCH)
                )
        findings.extend(check_control_points(actor=actor, event=event))
    return findings


def enterprise_captured_evaluate(*, batch: CaptureBatch) -> list[EnterpriseFinding]:
    """Capture hook of the enterprise profile (E2): the production records and control-point
    findings of events an enterprise's own system captured over EPCIS, derived as soon as the capture
    commits (an entry derives them in its own transaction; here that is a no-op, findings being one
    per event, kind and lot)."""
    actor = actor_for_client(batch.client) if batch.client is not None else Actor.system("capture")
    events = [{**hooked.event, "eventID": hooked.event_id} for hooked in batch.events]
    return enterprise_events_evaluate(actor=actor, events=events)


def enterprise_evaluate_stored(*, actor: Actor, party: Party, since=None) -> list[EnterpriseFinding]:
    """Check the stored events at the party's locations (e.g. pushed by its own system through EPCIS
    capture) against its recipes and control points; idempotent (one finding per event and lot)."""
    if not (_member(actor, party) or actor.oversees):
        raise PermissionDenied(_("Only the enterprise or its bureau checks its events."))
    keys = list(Location.objects.filter(party=party).values_list("key", flat=True)) + list(
        Location.objects.filter(operator=party).values_list("key", flat=True)
    )
    rows = Event.objects.filter(biz_location__in=keys, error_declared=False)
    if since is not None:
        rows = rows.filter(event_time__gte=since)
    with transaction.atomic():
        return enterprise_events_evaluate(
            actor=actor, events=(orjson.loads(d) for d in rows.values_list("document", flat=True))
        )


# -- step entry -------------------------------------------------------------------------------------

_LOCATION = Input("location", "场所", "site", "location", help_zh="工厂、车间、冷库或门店（SGLN）")
_TIME = Input("time", "时间", "time", "time", required=False, help_zh="留空为当前时间；格式 2026-11-16 08:30")
_LOT = Input("lot", "批次", "lot", "lot", help_zh="批次标识（LGTIN）")
_QUANTITY = Input("quantity", "数量", "quantity", "number")
_UOM = Input("uom", "单位", "unit", "choice", choices=UOMS, help_zh="KGM 千克、H87 件、LTR 升、CS 箱")
_TEMPERATURE = Input("temperature", "温度（°C）", "temperature (°C)", "signed", required=False)

ENTERPRISE_INPUTS: dict[str, tuple[Input, ...]] = {
    "receiving": (_LOCATION, Input("supplier", "供货方", "supplier", "party"), _LOT, _QUANTITY, _UOM, _TIME),
    "production": (
        _LOCATION,
        Input("recipe", "配方编号", "recipe code", "text"),
        Input(
            "inputs",
            "投料（批次=用量）",
            "inputs (lot=quantity)",
            "x-inputs",
            help_zh="批次=用量(单位)；分号分隔，单位缺省 KGM",
        ),
        Input("output_lot", "产出批次", "output lot", "lot"),
        Input("output_quantity", "产出数量", "output quantity", "number"),
        _UOM,
        Input("production_date", "生产日期", "production date", "date"),
        _TIME,
    ),
    "control_point": (
        _LOCATION,
        Input("control_point", "关键控制点编号", "control point code", "text"),
        Input("lots", "批次", "lots", "lots", help_zh="逗号分隔"),
        Input("value", "读数", "reading", "signed", help_zh="如中心温度 75.5"),
        _TIME,
    ),
    "storing": (
        _LOCATION,
        _LOT,
        _QUANTITY,
        _UOM,
        Input("from_location", "移出库位", "moved from", "location", required=False),
        _TEMPERATURE,
        _TIME,
    ),
    "transporting": (_LOCATION, Input("lots", "批次", "lots", "lots"), _TEMPERATURE, _TIME),
    "shipping": (
        _LOCATION,
        Input("customer", "客户", "customer", "party"),
        _LOT,
        _QUANTITY,
        _UOM,
        _TEMPERATURE,
        _TIME,
    ),
    "sales": (_LOCATION, _LOT, _QUANTITY, _UOM, _TIME),
}


#: The entry inputs' messages (tracehub.sectors.messages: English to clients, translated on pages).
MESSAGES = define(
    {
        "enterprise_inputs_format": gettext_noop(
            "write each input as lot=quantity (unit optional, e.g. =12.5KGM)"
        ),
        "enterprise_quantity": gettext_noop("%(value)s is not a quantity such as 12.5 or 12.5KGM"),
        "enterprise_inputs_required": gettext_noop("at least one input is required"),
        # Findings on lots (EnterpriseFinding.code/params): stored in English, shown to the
        # enterprise and its bureau in their language (E2; issue #7 i18n).
        "ccp_deviation:below": gettext_noop(
            "%(point)s %(name)s: %(value)s %(uom)s below the limit %(limit)s"
        ),
        "ccp_deviation:above": gettext_noop(
            "%(point)s %(name)s: %(value)s %(uom)s above the limit %(limit)s"
        ),
        "bom_mismatch": gettext_noop("recipe %(recipe)s: %(inputs)s"),
        "bom_inputs": gettext_noop("%(first)s, %(rest)s"),
        "bom_input:missing": gettext_noop("%(input)s (missing)"),
        "bom_input:mismatch": gettext_noop("%(input)s (mismatch)"),
        "bom_input:not_in_recipe": gettext_noop("%(input)s (not_in_recipe)"),
        "bom_input:unregistered": gettext_noop("%(input)s (unregistered)"),
    }
)


def _parse_extra(spec: Input, text: str) -> Any:
    if spec.kind == "x-inputs":
        import re

        items = []
        for part in re.split(r"[;；\n]+", text):
            if not part.strip():
                continue
            lot, sep, rest = part.strip().rpartition("=")
            if not sep or not lot.strip():
                raise ValueError(message("enterprise_inputs_format"))
            match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Z0-9]{2,3})?\s*", rest)
            if not match:
                raise ValueError(message("enterprise_quantity", value=repr(rest)))
            canonical_key(lot.strip())
            items.append((lot.strip(), Decimal(match.group(1)), match.group(2) or "KGM"))
        if not items:
            raise ValueError(message("enterprise_inputs_required"))
        return items
    raise ValueError(message("input_kind_unknown", kind=spec.kind))


def _sensor(value: Decimal, when: str, uom: str = "CEL", kind: str = "Temperature") -> list[dict[str, Any]]:
    return [
        {
            "sensorMetadata": {"time": when},
            "sensorReport": [{"type": kind, "value": entry.number(value), "uom": uom}],
        }
    ]


def _make(step: str, clean: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    step_spec = registry[enterprise.SECTOR].step(step)
    location: Location = clean["location"]
    event = event_base(step_spec, clean, location)
    quantity = (
        [{"epcClass": clean["lot"], "quantity": entry.number(clean["quantity"]), "uom": clean["uom"]}]
        if clean.get("lot") and clean.get("quantity") is not None
        else None
    )
    party = location.operator or location.party
    if step == "receiving":
        event["quantityList"] = quantity
        place(event, step_spec, location)
        event["sourceList"] = [{"type": "owning_party", "source": party_uri(clean["supplier"])}]
    elif step == "production":
        event["inputQuantityList"] = [
            {"epcClass": lot, "quantity": entry.number(q), "uom": uom} for lot, q, uom in clean["inputs"]
        ]
        event["outputQuantityList"] = [
            {
                "epcClass": clean["output_lot"],
                "quantity": entry.number(clean["output_quantity"]),
                "uom": clean["uom"],
            }
        ]
        place(event, step_spec, location)
        key = canonical_key(clean["output_lot"])
        event["ilmd"] = {
            "cbvmda:lotNumber": key.split("/10/", 1)[1] if "/10/" in key else key.rsplit(":", 1)[-1],
            "tracehub:productionDate": clean["production_date"],
        }
        event["tracehub:recipe"] = clean["recipe"]
    elif step == "control_point":
        point = ControlPoint.objects.filter(party=party, code=clean["control_point"]).first()
        event["quantityList"] = [{"epcClass": lot} for lot in clean["lots"]]
        place(event, step_spec, location)
        event["sensorElementList"] = _sensor(
            clean["value"],
            event["eventTime"],
            point.uom if point else "CEL",
            point.measurement if point else "Temperature",
        )
        event["tracehub:controlPoint"] = clean["control_point"]
    elif step in ("storing", "shipping", "sales"):
        event["quantityList"] = quantity
        place(event, step_spec, location)
        if step == "storing" and clean.get("from_location"):
            event["sourceList"] = [{"type": "location", "source": clean["from_location"].identifier}]
        if step == "shipping":
            event["sourceList"] = [{"type": "owning_party", "source": party_uri(party)}]
            event["destinationList"] = [{"type": "owning_party", "destination": party_uri(clean["customer"])}]
        if clean.get("temperature") is not None:
            event["sensorElementList"] = _sensor(clean["temperature"], event["eventTime"])
    elif step == "transporting":
        event["quantityList"] = [{"epcClass": lot} for lot in clean["lots"]]
        place(event, step_spec, location)
        if clean.get("temperature") is not None:
            event["sensorElementList"] = _sensor(clean["temperature"], event["eventTime"])
    else:  # pragma: no cover - ENTERPRISE_INPUTS and this function list the same steps
        raise KeyError(step)
    return finish(event), {}


def _after(*, actor: Actor, step: str, clean: dict[str, Any], result: StepResult) -> None:
    findings = enterprise_events_evaluate(actor=actor, events=[result.event])
    result.extra["findings"] = len(findings)
    if step == "production":
        record = ProductionRecord.objects.filter(event_id=result.event["eventID"]).first()
        result.extra["matchesRecipe"] = bool(record and record.matches_recipe)


ENTERPRISE_EXAMPLES = {
    "control_point": {
        "location": "urn:epc:id:sgln:693317208.002.0",
        "control_point": "CCP1",
        "lots": "urn:epc:class:lgtin:693317208.0101.20261116A",
        "value": "75.5",
        "time": "2026-11-16 10:30",
    },
}

ENTERPRISE_ENTRY = SectorEntry(
    sector=enterprise.SECTOR,
    inputs=ENTERPRISE_INPUTS,
    make=_make,
    examples=ENTERPRISE_EXAMPLES,
    parse_extra=_parse_extra,
    after=_after,
)


def enterprise_steps_record(
    *, actor: Actor, step: str, rows: Sequence[Mapping[str, Any]]
) -> list[StepResult]:
    return record_steps(actor=actor, spec=ENTERPRISE_ENTRY, step=step, rows=rows)


def enterprise_step_record(*, actor: Actor, step: str, data: Mapping[str, Any]) -> StepResult:
    return enterprise_steps_record(actor=actor, step=step, rows=[data])[0]


__all__ = [
    "CHINA",
    "ENTERPRISE_ENTRY",
    "check_control_points",
    "check_production",
    "control_point_create",
    "enterprise_evaluate_stored",
    "enterprise_events_evaluate",
    "enterprise_step_record",
    "enterprise_steps_record",
    "recipe_create",
]
