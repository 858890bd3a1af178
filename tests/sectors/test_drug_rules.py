"""The drug rules (G2): shipping and receiving only between licensed parties, pack codes, and a code
dispensed twice flagged to the drug bureau; stored data unchanged on every refusal."""

from __future__ import annotations

import datetime as dt

import orjson
import pytest

from tracehub.accounts.models import Notification
from tracehub.demo import data as d
from tracehub.epcis.models import Event
from tracehub.identifiers import canonical_key
from tracehub.registry import services as registry_services
from tracehub.registry.models import Party, PartyType
from tracehub.sectors.demo_g2_g6 import DRUG_CARTONS, DRUG_PACKS, HOSPITAL_SITE, drug_steps
from tracehub.sectors.entry import document, party_key
from tracehub.sectors.models_drug import DispensingAlert
from tracehub.sectors.services import StepRefused, step_record
from tracehub.sectors.services_drug import medical_licence_create

from .test_drug_world import SYSTEM, event_of, load_g2_demo, stored_state


@pytest.fixture
def g2_demo(db, settings):
    return load_g2_demo(settings)


FRESH_PACKS = [d.DRUG.instance(f"9{n:011d}") for n in range(1, 4)]


def ship(
    receiver_uscc: str, *, when: str = "2026-11-19 09:00", units: str = DRUG_CARTONS[0]
) -> dict[str, str]:
    return {"location": d.DISTRIBUTOR_WAREHOUSE.id, "receiver": receiver_uscc, "units": units, "time": when}


def refused(step: str, data: dict[str, str]) -> list[dict[str, str]]:
    before = stored_state()
    with pytest.raises(StepRefused) as exc:
        step_record(actor=SYSTEM, sector="drug", step=step, data=data)
    assert stored_state() == before
    return exc.value.errors


def test_a_shipment_to_a_party_without_a_drug_licence_is_refused_naming_it(g2_demo):
    supermarket = Party.objects.get(uscc=d.SUPERMARKET.uscc)
    assert refused("shipping", ship(d.SUPERMARKET.uscc)) == [
        {
            "field": "destinationList",
            "message": f"destination {supermarket.name} ({party_key(supermarket)}) holds no valid drug "
            "manufacturing or distribution licence (药品生产/经营许可证) or medical institution licence on "
            "2026-11-19: drugs are shipped and received only between licensed parties",
            "code": "licensed_receiver",
            "params": {"party": supermarket.name, "key": party_key(supermarket), "day": "2026-11-19"},
        }
    ]


def test_a_receipt_by_an_unlicensed_party_is_refused(g2_demo):
    data = {
        "location": d.SUPERMARKET_STORE.id,
        "supplier": d.DRUG_DISTRIBUTOR.uscc,
        "units": DRUG_CARTONS[0],
        "time": "2026-11-19 10:00",
    }
    errors = refused("receiving", data)
    assert [e["field"] for e in errors] == ["destinationList"]
    assert errors[0]["message"].startswith("destination 厦门鹭岛优鲜超市有限公司 (")


def test_a_licence_that_expired_before_the_shipment_does_not_count(g2_demo):
    pharmacy = Party.objects.get(uscc=d.PHARMACY_B.uscc)
    licence = pharmacy.licences.get(kind="drug_distribution")
    registry_services.licence_update(
        actor=SYSTEM, licence=licence, valid_from=dt.date(2021, 1, 1), valid_until=dt.date(2026, 11, 18)
    )
    errors = refused("shipping", ship(d.PHARMACY_B.uscc, when="2026-11-19 09:00"))
    assert "holds no valid drug manufacturing or distribution licence" in errors[0]["message"]
    assert "on 2026-11-19" in errors[0]["message"]
    # On the last day of its validity it was still valid.
    result = step_record(
        actor=SYSTEM, sector="drug", step="shipping", data=ship(d.PHARMACY_B.uscc, when="2026-11-18 17:00")
    )
    assert result.captured


def test_a_hospital_receives_drugs_on_its_practice_licence_while_valid(g2_demo):
    assert Event.objects.filter(
        event_id=event_of(
            "drug", "receiving", [s for s in drug_steps() if s[1]["location"] == HOSPITAL_SITE][0][1]
        )["eventID"]
    ).exists()
    clinic = registry_services.party_create(
        actor=SYSTEM,
        name="厦门市湖里区禾山社区卫生服务中心",
        party_type=PartyType.HOSPITAL,
        id_kind="uscc",
        uscc=d.make_uscc("12", "350206", "48850301"),
        sectors=["drug"],
        district="350206",
    )
    filing = registry_services.filing_submit(actor=SYSTEM, party=clinic)
    registry_services.filing_approve(actor=SYSTEM, filing=filing)
    medical_licence_create(
        actor=SYSTEM, party=clinic, number="PDY00001X35020617A1001", valid_until=dt.date(2026, 1, 31)
    )
    errors = refused("shipping", ship(clinic.uscc))
    assert errors[0]["message"].startswith("destination 厦门市湖里区禾山社区卫生服务中心 (")
    medical_licence_create(
        actor=SYSTEM, party=clinic, number="PDY00002X35020617A1001", valid_from=dt.date(2026, 2, 1)
    )
    assert step_record(actor=SYSTEM, sector="drug", step="shipping", data=ship(clinic.uscc)).captured


def test_only_pack_codes_are_commissioned(g2_demo):
    data = {
        "location": d.DRUG_PACKAGING_LINE.id,
        "packs": f"{FRESH_PACKS[0]},{DRUG_CARTONS[0]}",
        "lot": "2611201",
        "expiry": "2028-11-30",
        "time": "2026-11-20 09:00",
    }
    sscc = canonical_key(DRUG_CARTONS[0])
    assert refused("commissioning", data) == [
        {
            "field": "epcList",
            "message": f"{sscc} is not a drug pack code: packs are coded and dispensed by 20-digit drug "
            "trace code (urn:tracehub:code:drug:<20 digits>) or GS1 SGTIN (01 + 21)",
            "code": "pack_codes",
            "params": {"key": sscc, "prefix": "urn:tracehub:code:drug:"},
        }
    ]
    # 20-digit drug trace codes are accepted as typed and become platform URIs.
    result = step_record(
        actor=SYSTEM,
        sector="drug",
        step="commissioning",
        data={**data, "packs": "81905210000000171234 81905210000000185678"},
    )
    assert result.event["epcList"] == [
        "urn:tracehub:code:drug:81905210000000171234",
        "urn:tracehub:code:drug:81905210000000185678",
    ]


def _dispensing(location: str, pack: str, when: str, kind: str = "retail") -> dict[str, str]:
    return {"location": location, "packs": pack, "dispense_type": kind, "time": when}


def test_a_code_dispensed_twice_is_stored_flagged_and_sent_to_the_drug_bureau(g2_demo):
    first = event_of("drug", "dispensing", drug_steps()[-3][1])
    second = event_of("drug", "dispensing", drug_steps()[-1][1])
    pack = canonical_key(DRUG_PACKS[0])
    alert = DispensingAlert.objects.get()
    assert (alert.code, alert.first_event_id, alert.second_event_id, alert.location, alert.status) == (
        pack,
        first["eventID"],
        second["eventID"],
        canonical_key(d.PHARMACY_B_STORE.id),
        "open",
    )
    assert Event.objects.filter(event_id=second["eventID"]).exists()  # the evidence is kept
    notified = Notification.objects.filter(user__username="demo-amr", message__startswith="Drug code").get()
    assert notified.message == "Drug code %(code)s was dispensed a second time at %(location)s: check it."
    assert notified.params == {"code": pack, "location": canonical_key(d.PHARMACY_B_STORE.id)}
    assert not Notification.objects.filter(
        user__username="demo-customs", message__startswith="Drug code"
    ).exists()

    # The same dispensing sent again is the same event: no new alert.
    again = step_record(actor=SYSTEM, sector="drug", step="dispensing", data=drug_steps()[-1][1])
    assert again.captured is False and DispensingAlert.objects.count() == 1


def test_a_third_dispensing_through_plain_epcis_capture_raises_another_alert(
    g2_demo, api, django_capture_on_commit_callbacks
):
    third = event_of(
        "drug", "dispensing", _dispensing(HOSPITAL_SITE, DRUG_PACKS[0], "2026-11-20 08:00", "hospital_use")
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/epcis/capture", data=orjson.dumps(document([third])), content_type="application/ld+json"
        )
    assert response.status_code == 202, response.content
    assert Event.objects.filter(event_id=third["eventID"]).exists()
    alerts = DispensingAlert.objects.order_by("id")
    assert [(a.second_event_id, a.first_event_id) for a in alerts][1] == (
        third["eventID"],
        event_of("drug", "dispensing", drug_steps()[-3][1])["eventID"],
    )


def test_a_first_dispensing_raises_nothing(g2_demo):
    before = DispensingAlert.objects.count()
    result = step_record(
        actor=SYSTEM,
        sector="drug",
        step="dispensing",
        data=_dispensing(d.PHARMACY_A_STORE.id, DRUG_PACKS[1], "2026-11-20 10:00"),
    )
    assert result.captured and DispensingAlert.objects.count() == before


def test_the_api_names_each_wrong_input_and_stores_nothing(g2_demo, api):
    before = stored_state()
    response = api.post(
        "/api/v1/sectors/drug/dispensing",
        data=orjson.dumps(
            {
                "location": d.PHARMACY_A_STORE.id,
                "packs": "urn:epc:id:sgtin:123",
                "dispense_type": "gift",
                "colour": "red",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 400
    paths = {e["path"]: e["message"] for e in response.json()["errors"]}
    assert set(paths) == {"packs", "dispense_type", "colour"}
    assert "retail, hospital_use" in paths["dispense_type"]
    assert stored_state() == before
    assert (
        api.post("/api/v1/sectors/drug/brewing", data=b"{}", content_type="application/json").status_code
        == 404
    )
    response = api.post(
        "/api/v1/sectors/drug/shipping",
        data=orjson.dumps(
            {"rows": [ship(d.PHARMACY_A.uscc, units=DRUG_CARTONS[1]), ship(d.SUPERMARKET.uscc)]}
        ),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert [e["path"] for e in response.json()["errors"]] == ["rows[1].destinationList"]
    assert stored_state() == before  # the good row is not stored either


def test_a_medical_device_is_coded_by_its_udi(g2_demo):
    data = {
        "location": d.DRUG_PACKAGING_LINE.id,
        "packs": "(01)06932057180012(11)261101(17)311031(10)D2611(21)SN0001",
        "lot": "D2611",
        "expiry": "2031-10-31",
        "time": "2026-11-20 09:00",
    }
    result = step_record(actor=SYSTEM, sector="drug", step="commissioning", data=data)
    assert result.event["epcList"] == ["https://id.gs1.org/01/06932057180012/21/SN0001"]
    # A UDI without its production identifier is no pack code.
    errors = refused("commissioning", {**data, "packs": "(01)06932057180012"})
    assert errors[0]["field"] == "packs" and "no production identifier" in errors[0]["message"]
