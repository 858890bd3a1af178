"""Writes of the farm produce subsystem (农产品, G4; 农业农村局).

Planting plots and livestock farms (created, changed and deleted by the party's own users and
clients, or the platform); the compliance certificate (承诺达标合格证), whose number the platform
allocates and whose issue is captured as the profile's ``certificate_issuing`` event through the
sectors' entry pipeline (``services.steps_record``: inputs checked, event hashed, captured,
audited, one transaction); rapid residue tests (快检), a failed one flagging its lot; market
inspections (市场查验) by the agriculture bureau. Every write audits in its own transaction.

Wrong values raise :class:`AgriInvalid` naming each field (translated messages).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tracehub.accounts.models import District
from tracehub.accounts.services import audit_record
from tracehub.identifiers import IdentifierError, canonical_key
from tracehub.registry.actors import Actor
from tracehub.registry.models import Location, Party
from tracehub.sectors import selectors_agri as selectors
from tracehub.sectors.entry import (
    CHINA,
    Input,
    StepEntry,
    ext,
    make_event,
    number,
    register_sector_entry,
    seller_of,
)
from tracehub.sectors.messages import define, message
from tracehub.sectors.models_agri import (
    CertificateCheck,
    CertificateCommitment,
    CertificateStatus,
    CommitmentBasis,
    InspectionOutcome,
    LivestockFarm,
    LivestockSpecies,
    LotTestResult,
    MarketInspection,
    PlantingPlot,
    ProduceCertificate,
    ProduceUnit,
    RapidTest,
)
from tracehub.sectors.profile import DOCUMENT_PREFIX
from tracehub.sectors.services import StepResult, step_record

SECTOR = "agri"
CERTIFICATE_KIND = "produce_compliance_certificate"
#: Sequences a district allocates in a day (4 digits of the certificate number).
MAX_SEQUENCE = 9999
CERTIFICATE_NUMBER = re.compile(r"^\d{16}$")


class AgriInvalid(Exception):
    """Wrong fields of a farm produce record: ``errors`` maps each field to what is wrong, a
    :class:`~tracehub.sectors.messages.Message` (English with its code and params for API clients;
    pages render it in the reader's language: issue #7 i18n)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


#: The farm produce records' messages (tracehub.sectors.messages; docs/sectors/README.md "Messages").
MESSAGES = define(
    {
        "agri_required": gettext_noop("This field is required."),
        "agri_too_long": gettext_noop("At most %(n)s characters."),
        "agri_positive": gettext_noop("A number greater than 0 is required."),
        "agri_not_negative": gettext_noop("A number of 0 or more is required."),
        "agri_whole_number": gettext_noop("A whole number of 0 or more is required."),
        "agri_choice": gettext_noop("Expected one of: %(choices)s."),
        "agri_district": gettext_noop("A district code of Xiamen such as 350211 is required."),
        "agri_lot": gettext_noop("A lot identifier (LGTIN or platform lot URI) is required."),
        "agri_location": gettext_noop("The location is not one of the party's."),
        "agri_plot_name_taken": gettext_noop("The party already has a plot of this name."),
        "agri_plot_in_use": gettext_noop("Certificates name this plot: it cannot be deleted."),
        "agri_farm_name_taken": gettext_noop("The party already has a farm of this name."),
        "agri_date": gettext_noop("A date such as 2026-11-16 is required."),
        "agri_production_date_future": gettext_noop("The production date cannot be in the future."),
        "agri_commitments_required": gettext_noop("Tick at least one commitment."),
        "agri_commitments_choice": gettext_noop("Expected some of: %(choices)s."),
        "agri_plot_unknown": gettext_noop("The plot is not one of the producer's."),
        "agri_lot_failed": gettext_noop("This lot failed a rapid test: no certificate is issued for it."),
        "agri_certificate_lot": gettext_noop("The certificate is of another lot."),
        "agri_tested_party_required": gettext_noop("The producer whose lot was tested is required."),
        "agri_tested_at_future": gettext_noop("The test time cannot be in the future."),
        "agri_certificate_number": gettext_noop("A certificate number is 16 digits."),
    }
)


# -- value checks (each names its field) ----------------------------------------------------------


def _text(errors: dict[str, str], key: str, value: str, *, limit: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[key] = message("agri_required")
    elif len(value) > limit:
        errors[key] = message("agri_too_long", n=limit)
    return value


def _decimal(errors: dict[str, str], key: str, value: Any, *, positive: bool) -> Decimal | None:
    try:
        number_ = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        number_ = None
    if number_ is None or not number_.is_finite() or number_ < 0 or (positive and number_ == 0):
        errors[key] = message("agri_positive") if positive else message("agri_not_negative")
        return None
    return number_


def _choice(errors: dict[str, str], key: str, value: str, choices) -> str:
    if value not in choices.values:
        errors[key] = message("agri_choice", choices=", ".join(choices.values))
    return value


def _district(errors: dict[str, str], value: str, party: Party) -> str:
    value = (value or party.district or "").strip()
    if value not in District.values or value == District.CITY:
        errors["district"] = message("agri_district")
    return value


def _lot(errors: dict[str, str], value: str) -> str:
    value = (value or "").strip()
    try:
        if ":" not in value or any(c.isspace() for c in value):
            raise IdentifierError("not an identifier")
        canonical_key(value)
    except IdentifierError:
        errors["lot"] = message("agri_lot")
    return value


def _own_location(errors: dict[str, str], location: Location | None, party: Party) -> None:
    if location is not None and party.pk not in (location.party_id, location.operator_id):
        errors["location"] = message("agri_location")


def _require_editor(actor: Actor, party: Party) -> None:
    if not selectors.may_edit_party(actor, party):
        raise PermissionDenied(_("Only the party's own users and the platform record its farm produce data."))


def _audit(actor: Actor, action: str, obj, party_id: int, after: dict[str, Any], before=None) -> None:
    audit_record(
        **actor.audit,
        action=f"sectors.agri.{action}",
        object_type=f"sectors.{type(obj).__name__}",
        object_id=str(obj.pk),
        before=before,
        after=after,
        party_ref=party_id,
    )


# -- planting plots (种植地块) and livestock farms (畜禽养殖场) --------------------------------------


def plot_create(
    *,
    actor: Actor,
    party: Party,
    name: str,
    area_mu: Decimal | str,
    crop: str,
    variety: str,
    district: str = "",
    location: Location | None = None,
) -> PlantingPlot:
    """Record a planting plot of ``party`` (its own users and clients, or the platform)."""
    _require_editor(actor, party)
    errors: dict[str, str] = {}
    name = _text(errors, "name", name, limit=100)
    area = _decimal(errors, "area_mu", area_mu, positive=True)
    crop = _text(errors, "crop", crop, limit=100)
    variety = _text(errors, "variety", variety, limit=100)
    district = _district(errors, district, party)
    _own_location(errors, location, party)
    if "name" not in errors and PlantingPlot.objects.filter(party=party, name=name).exists():
        errors["name"] = message("agri_plot_name_taken")
    if errors:
        raise AgriInvalid(errors)
    with transaction.atomic():
        plot = PlantingPlot.objects.create(
            party=party,
            name=name,
            area_mu=area,
            crop=crop,
            variety=variety,
            district=district,
            location=location,
        )
        _audit(actor, "plot.create", plot, party.pk, _plot_facts(plot))
    return plot


def _plot_facts(plot: PlantingPlot) -> dict[str, Any]:
    return {
        "name": plot.name,
        "areaMu": str(plot.area_mu),
        "crop": plot.crop,
        "variety": plot.variety,
        "district": plot.district,
        "location": plot.location.key if plot.location else None,
    }


def plot_update(
    *,
    actor: Actor,
    plot: PlantingPlot,
    name: str | None = None,
    area_mu: Decimal | str | None = None,
    crop: str | None = None,
    variety: str | None = None,
    district: str | None = None,
    location: Location | None | bool = False,
) -> PlantingPlot:
    """Change a plot's facts (``location=None`` unlinks it; leave it ``False`` to keep it)."""
    party = plot.party
    _require_editor(actor, party)
    errors: dict[str, str] = {}
    before = _plot_facts(plot)
    if name is not None:
        plot.name = _text(errors, "name", name, limit=100)
        if PlantingPlot.objects.filter(party=party, name=plot.name).exclude(pk=plot.pk).exists():
            errors["name"] = message("agri_plot_name_taken")
    if area_mu is not None:
        plot.area_mu = _decimal(errors, "area_mu", area_mu, positive=True)
    if crop is not None:
        plot.crop = _text(errors, "crop", crop, limit=100)
    if variety is not None:
        plot.variety = _text(errors, "variety", variety, limit=100)
    if district is not None:
        plot.district = _district(errors, district, party)
    if location is not False:
        _own_location(errors, location, party)
        plot.location = location
    if errors:
        plot.refresh_from_db()
        raise AgriInvalid(errors)
    with transaction.atomic():
        plot.updated_at = timezone.now()
        plot.save()
        _audit(actor, "plot.update", plot, party.pk, _plot_facts(plot), before=before)
    return plot


def plot_delete(*, actor: Actor, plot: PlantingPlot) -> None:
    """Delete a plot no certificate names (a named one stays: certificates are never changed)."""
    _require_editor(actor, plot.party)
    if plot.certificates.exists():
        raise AgriInvalid({"plot": message("agri_plot_in_use")})
    with transaction.atomic():
        _audit(actor, "plot.delete", plot, plot.party_id, {}, before=_plot_facts(plot))
        plot.delete()


def _farm_facts(farm: LivestockFarm) -> dict[str, Any]:
    return {
        "name": farm.name,
        "species": farm.species,
        "headCount": farm.head_count,
        "annualOutput": farm.annual_output,
        "epidemicCertificate": farm.epidemic_certificate,
        "district": farm.district,
        "location": farm.location.key if farm.location else None,
    }


def _count(errors: dict[str, str], key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip().isdigit():
        errors[key] = message("agri_whole_number")
        return 0
    return int(value)


def farm_create(
    *,
    actor: Actor,
    party: Party,
    name: str,
    species: str,
    head_count: int,
    annual_output: int = 0,
    epidemic_certificate: str = "",
    district: str = "",
    location: Location | None = None,
) -> LivestockFarm:
    """Record a livestock or poultry farm of ``party``."""
    _require_editor(actor, party)
    errors: dict[str, str] = {}
    name = _text(errors, "name", name, limit=100)
    _choice(errors, "species", species, LivestockSpecies)
    heads = _count(errors, "head_count", head_count)
    output = _count(errors, "annual_output", annual_output)
    certificate = _text(errors, "epidemic_certificate", epidemic_certificate, limit=60, required=False)
    district = _district(errors, district, party)
    _own_location(errors, location, party)
    if "name" not in errors and LivestockFarm.objects.filter(party=party, name=name).exists():
        errors["name"] = message("agri_farm_name_taken")
    if errors:
        raise AgriInvalid(errors)
    with transaction.atomic():
        farm = LivestockFarm.objects.create(
            party=party,
            name=name,
            species=species,
            head_count=heads,
            annual_output=output,
            epidemic_certificate=certificate,
            district=district,
            location=location,
        )
        _audit(actor, "farm.create", farm, party.pk, _farm_facts(farm))
    return farm


def farm_update(
    *,
    actor: Actor,
    farm: LivestockFarm,
    head_count: int | None = None,
    annual_output: int | None = None,
    epidemic_certificate: str | None = None,
) -> LivestockFarm:
    """Change a farm's stock, yearly output or certificate."""
    _require_editor(actor, farm.party)
    errors: dict[str, str] = {}
    before = _farm_facts(farm)
    if head_count is not None:
        farm.head_count = _count(errors, "head_count", head_count)
    if annual_output is not None:
        farm.annual_output = _count(errors, "annual_output", annual_output)
    if epidemic_certificate is not None:
        farm.epidemic_certificate = _text(
            errors, "epidemic_certificate", epidemic_certificate, limit=60, required=False
        )
    if errors:
        farm.refresh_from_db()
        raise AgriInvalid(errors)
    with transaction.atomic():
        farm.updated_at = timezone.now()
        farm.save()
        _audit(actor, "farm.update", farm, farm.party_id, _farm_facts(farm), before=before)
    return farm


def farm_delete(*, actor: Actor, farm: LivestockFarm) -> None:
    _require_editor(actor, farm.party)
    with transaction.atomic():
        _audit(actor, "farm.delete", farm, farm.party_id, {}, before=_farm_facts(farm))
        farm.delete()


# -- the compliance certificate (承诺达标合格证) ---------------------------------------------------

_LOCATION = Input("location", "开具场所", "issuing site", "location", help_zh="生产基地或场所标识")
_TIME = Input("time", "时间", "time", "time", required=False, help_zh="留空为当前时间；格式 2026-11-16 08:30")
CERTIFICATE_INPUTS = (
    _LOCATION,
    Input("lot", "产品批次", "lot", "lot", help_zh="批次标识（LGTIN 或平台批次 URI）"),
    Input("product_name", "产品名称", "product", "text"),
    Input("quantity", "数量", "quantity", "number"),
    Input("unit", "单位", "unit", "choice", choices=tuple(ProduceUnit.values)),
    Input("origin", "产地", "origin", "text"),
    Input("production_date", "生产/收获日期", "production date", "date"),
    Input("commitments", "承诺内容", "commitments", "text", help_zh="以逗号分隔的承诺项"),
    Input("test_basis", "承诺依据", "basis", "choice", choices=tuple(CommitmentBasis.values)),
    Input("plot", "地块编号", "plot id", "text", required=False),
    Input("contact_phone", "联系电话", "contact phone", "text", required=False),
    _TIME,
)


def _allocate(district: str, day: dt.date) -> tuple[str, int]:
    last = ProduceCertificate.objects.filter(district=district, day=day).aggregate(m=Max("sequence"))["m"]
    sequence = 1 if last is None else last + 1
    if sequence > MAX_SEQUENCE:
        raise PermissionDenied(_("No certificate number is left in this district today."))
    return f"{district}{day:%y%m%d}{sequence:04d}", sequence


def _build_certificate(clean: Mapping[str, Any]) -> dict[str, Any]:
    """Allocate the certificate number, build the ``certificate_issuing`` event quoting it and store
    the certificate (before capture; the whole entry is one transaction)."""
    location: Location = clean["location"]
    when = clean.get("time") or timezone.now().astimezone(CHINA).replace(microsecond=0)
    clean = {**clean, "time": when}
    day = when.astimezone(CHINA).date()
    district = location.district or seller_of(location).district or "350200"
    commitments = [c for c in clean["commitments"].split(",") if c]
    for _attempt in range(5):
        cert_number, sequence = _allocate(district, day)
        event = make_event(
            SECTOR,
            "certificate_issuing",
            clean,
            {
                "quantityList": [
                    {"epcClass": clean["lot"], "quantity": number(clean["quantity"]), "uom": clean["unit"]}
                ],
                "action": "ADD",
                "bizTransactionList": [
                    {"type": "cert", "bizTransaction": f"{DOCUMENT_PREFIX}{CERTIFICATE_KIND}:{cert_number}"}
                ],
                "ilmd": {ext("productionDate"): clean["production_date"]},
                ext("origin"): clean["origin"],
                ext("commitments"): commitments,
                ext("commitmentBasis"): clean["test_basis"],
                ext("productName"): clean["product_name"],
            },
        )
        try:
            with transaction.atomic():
                ProduceCertificate.objects.create(
                    number=cert_number,
                    district=district,
                    day=day,
                    sequence=sequence,
                    party=seller_of(location),
                    location=location,
                    plot_id=int(clean["plot"]) if clean.get("plot") else None,
                    product_name=clean["product_name"],
                    lot=clean["lot"],
                    quantity=clean["quantity"],
                    unit=clean["unit"],
                    origin=clean["origin"],
                    production_date=dt.date.fromisoformat(clean["production_date"]),
                    commitments=commitments,
                    test_basis=clean["test_basis"],
                    contact_phone=clean.get("contact_phone") or "",
                    event_id=event["eventID"],
                    issued_at=when,
                )
        except IntegrityError:
            continue  # another issue took this number at the same moment: take the next one
        return event
    raise PermissionDenied(_("No certificate number could be allocated; try again."))


def _after_certificate(*, actor: Actor, clean, event, captured: bool) -> dict[str, Any]:
    found = ProduceCertificate.objects.get(event_id=event["eventID"])
    return {"certificate": found.number}


CERTIFICATE_ENTRY = register_sector_entry(
    StepEntry(SECTOR, "certificate_issuing", CERTIFICATE_INPUTS, _build_certificate, after=_after_certificate)
)


def certificate_issue(
    *,
    actor: Actor,
    location: Location,
    lot: str,
    product_name: str,
    quantity: Decimal | str,
    unit: str,
    origin: str,
    production_date: dt.date | str,
    commitments: list[str],
    test_basis: str,
    plot: PlantingPlot | None = None,
    contact_phone: str = "",
    issued_at: dt.datetime | None = None,
) -> ProduceCertificate:
    """Issue a compliance certificate for one lot at ``location`` (the producer's own site): the
    platform allocates its number, the ``certificate_issuing`` event quoting it is captured (the
    profile checks it as any capture), and the certificate is stored — one transaction.

    Raises :class:`AgriInvalid` naming each wrong field, ``PermissionDenied`` for another party's
    site, :class:`~tracehub.sectors.services.StepRefused` if capture refuses the event."""
    producer = seller_of(location)
    _require_editor(actor, producer)
    errors: dict[str, str] = {}
    lot = _lot(errors, lot)
    product_name = _text(errors, "product_name", product_name, limit=100)
    amount = _decimal(errors, "quantity", quantity, positive=True)
    _choice(errors, "unit", unit, ProduceUnit)
    origin = _text(errors, "origin", origin, limit=200)
    if isinstance(production_date, str):
        try:
            production_date = dt.date.fromisoformat(production_date.strip())
        except ValueError:
            errors["production_date"] = message("agri_date")
    if isinstance(production_date, dt.date) and production_date > timezone.localdate():
        errors["production_date"] = message("agri_production_date_future")
    chosen = set(commitments or ())
    if not chosen:
        errors["commitments"] = message("agri_commitments_required")
    elif chosen - set(CertificateCommitment.values):
        errors["commitments"] = message(
            "agri_commitments_choice", choices=", ".join(CertificateCommitment.values)
        )
    _choice(errors, "test_basis", test_basis, CommitmentBasis)
    if plot is not None and plot.party_id != producer.pk:
        errors["plot"] = message("agri_plot_unknown")
    contact_phone = _text(errors, "contact_phone", contact_phone, limit=40, required=False)
    if selectors.lot_flagged(lot):
        errors["lot"] = message("agri_lot_failed")
    if errors:
        raise AgriInvalid(errors)
    data = {
        "location": location.identifier,
        "lot": lot,
        "product_name": product_name,
        "quantity": str(amount),
        "unit": unit,
        "origin": origin,
        "production_date": production_date.isoformat(),
        "commitments": ",".join(c for c in CertificateCommitment.values if c in chosen),
        "test_basis": test_basis,
        "plot": str(plot.pk) if plot else "",
        "contact_phone": contact_phone,
    }
    if issued_at is not None:
        data["time"] = issued_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
    with transaction.atomic():
        result: StepResult = step_record(actor=actor, sector=SECTOR, step="certificate_issuing", data=data)
        return ProduceCertificate.objects.select_related("party", "location", "plot").get(
            number=result.extra["certificate"]
        )


# -- rapid residue tests (农残快检) --------------------------------------------------------------


def _build_rapid_test(clean: Mapping[str, Any]) -> dict[str, Any]:
    result = {"testItem": clean["item"], "testMethod": clean.get("method") or "", "result": clean["result"]}
    return make_event(
        SECTOR,
        "rapid_test",
        clean,
        {"quantityList": [{"epcClass": clean["lot"]}], ext("inspectionResult"): result},
    )


RAPID_TEST_ENTRY = register_sector_entry(
    StepEntry(
        SECTOR,
        "rapid_test",
        (
            Input("location", "检测场所", "testing site", "location"),
            Input("lot", "产品批次", "lot", "lot"),
            Input("item", "检测项目", "test item", "text"),
            Input("method", "检测方法", "method", "text", required=False),
            Input("result", "检测结论", "result", "choice", choices=("pass", "fail")),
            _TIME,
        ),
        _build_rapid_test,
    )
)


def rapid_test_record(
    *,
    actor: Actor,
    lot: str,
    sample: str,
    item: str,
    value: Decimal | str,
    limit: Decimal | str,
    unit: str,
    tester: str,
    method: str = "",
    tested_at: dt.datetime | None = None,
    certificate: ProduceCertificate | None = None,
    party: Party | None = None,
    location: Location | None = None,
) -> RapidTest:
    """Record a rapid residue test of a lot. ``passed`` is ``value ≤ limit``. The producer is the
    certificate's, else ``party``, else the actor's own party; it may be recorded by the producer's
    users and clients (with ``location``, one of its sites, the ``rapid_test`` event is captured
    too), by agriculture officials overseeing the producer, or the platform. A failed test flags
    the lot: its certificates become ``flagged`` and no new one is issued for it."""
    errors: dict[str, str] = {}
    lot = _lot(errors, lot)
    if certificate is None and "lot" not in errors:
        certificate = ProduceCertificate.objects.filter(lot=lot).select_related("party").first()
        if party is not None and certificate is not None and certificate.party_id != party.pk:
            certificate = None
    if certificate is not None:
        if certificate.lot != lot:
            errors["certificate"] = message("agri_certificate_lot")
        party = certificate.party
    if party is None and actor.acts_for_party:
        party = Party.objects.get(pk=actor.party_id)
    if party is None:
        errors["party"] = message("agri_tested_party_required")
        raise AgriInvalid(errors)
    if not (selectors.may_edit_party(actor, party) or selectors.oversees(actor, party.district)):
        raise PermissionDenied(
            _("Only the producer, the agriculture bureau and the platform record its tests.")
        )
    sample = _text(errors, "sample", sample, limit=100)
    item = _text(errors, "item", item, limit=100)
    method = _text(errors, "method", method, limit=100, required=False)
    amount = _decimal(errors, "value", value, positive=False)
    bound = _decimal(errors, "limit", limit, positive=False)
    unit = _text(errors, "unit", unit, limit=20)
    tester = _text(errors, "tester", tester, limit=100)
    when = tested_at or timezone.now()
    if when > timezone.now() + dt.timedelta(minutes=5):
        errors["tested_at"] = message("agri_tested_at_future")
    if location is not None:
        _own_location(errors, location, party)
    if errors:
        raise AgriInvalid(errors)
    passed = amount <= bound
    with transaction.atomic():
        event_id = ""
        if location is not None:
            result = step_record(
                actor=actor,
                sector=SECTOR,
                step="rapid_test",
                data={
                    "location": location.identifier,
                    "lot": lot,
                    "item": item,
                    "method": method,
                    "result": "pass" if passed else "fail",
                    "time": when.astimezone(CHINA).strftime("%Y-%m-%d %H:%M"),
                },
            )
            event_id = result.event["eventID"]
        test = RapidTest.objects.create(
            party=party,
            certificate=certificate,
            lot=lot,
            sample=sample,
            item=item,
            method=method,
            value=amount,
            limit=bound,
            unit=unit,
            passed=passed,
            tester=tester,
            tested_at=when,
            event_id=event_id,
            recorded_by=actor.user,
        )
        flagged = 0
        if not passed:
            flagged = ProduceCertificate.objects.filter(lot=lot).update(status=CertificateStatus.FLAGGED)
        _audit(
            actor,
            "test.record",
            test,
            party.pk,
            {
                "lot": lot,
                "item": item,
                "value": str(amount),
                "limit": str(bound),
                "passed": passed,
                "flagged": flagged,
            },
        )
    return test


# -- market inspection (市场查验) ----------------------------------------------------------------


def market_inspection_record(
    *,
    actor: Actor,
    market: Location,
    seller: Party,
    lot: str,
    outcome: str,
    certificate_number: str = "",
    test_result: str = "",
    note: str = "",
    inspected_at: dt.datetime | None = None,
) -> MarketInspection:
    """An agriculture official records a market inspection of a seller's lot. The certificate
    check is computed: the quoted number resolves to a stored, unflagged certificate of the lot
    (valid), or not (invalid), or none was quoted (missing). ``test_result`` left blank is taken
    from the lot's latest rapid test (not tested without one)."""
    if not selectors.oversees(actor, market.district or seller.district):
        raise PermissionDenied(_("Only the agriculture bureau's inspectors record market inspections."))
    errors: dict[str, str] = {}
    lot = _lot(errors, lot)
    _choice(errors, "outcome", outcome, InspectionOutcome)
    if test_result:
        _choice(errors, "test_result", test_result, LotTestResult)
    note = _text(errors, "note", note, limit=300, required=False)
    quoted = (certificate_number or "").strip().rsplit(":", 1)[-1]
    if quoted and not CERTIFICATE_NUMBER.match(quoted):
        errors["certificate_number"] = message("agri_certificate_number")
    if errors:
        raise AgriInvalid(errors)
    certificate = selectors.certificate_by_number(quoted) if quoted else None
    if not quoted:
        check = CertificateCheck.MISSING
    elif certificate is None or certificate.lot != lot or certificate.status != CertificateStatus.ISSUED:
        check = CertificateCheck.INVALID
    else:
        check = CertificateCheck.VALID
    if not test_result:
        latest = RapidTest.objects.filter(lot=lot).order_by("-tested_at", "-id").first()
        test_result = (
            LotTestResult.NOT_TESTED
            if latest is None
            else (LotTestResult.PASSED if latest.passed else LotTestResult.FAILED)
        )
    with transaction.atomic():
        inspection = MarketInspection.objects.create(
            market=market,
            seller=seller,
            lot=lot,
            certificate_number=quoted,
            certificate=certificate if check == CertificateCheck.VALID else None,
            certificate_check=check,
            test_result=test_result,
            outcome=outcome,
            note=note,
            inspector=str(actor)[:150],
            inspected_at=inspected_at or timezone.now(),
        )
        _audit(
            actor,
            "inspection.record",
            inspection,
            seller.pk,
            {
                "lot": lot,
                "certificate": quoted,
                "check": check,
                "testResult": test_result,
                "outcome": outcome,
            },
        )
    return inspection
