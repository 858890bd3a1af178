"""Double dispensing by raw EPCIS (issue #7 item 1, G2): the drug profile's capture hook runs after
the capture commits, so two dispensings of one code in ONE document are flagged as two in two
documents are; a refused document stores and flags nothing."""

from __future__ import annotations

import orjson
import pytest

from tracehub.accounts.models import Notification
from tracehub.demo import data as d
from tracehub.epcis.models import Event
from tracehub.identifiers import canonical_key
from tracehub.sectors.demo_g2_g6 import DRUG_PACKS, HOSPITAL_SITE
from tracehub.sectors.entry import document
from tracehub.sectors.models_drug import DispensingAlert
from tracehub.sectors.services_drug import DISPENSING_MESSAGE

from .test_drug_world import event_of, load_g2_demo

JSONLD = "application/ld+json"


@pytest.fixture
def g2_demo(db, settings):
    return load_g2_demo(settings)


def _dispensing(location: str, when: str, kind: str = "retail") -> dict:
    data = {"location": location, "packs": DRUG_PACKS[1], "dispense_type": kind, "time": when}
    return event_of("drug", "dispensing", data)


def _post(api, events):
    return api.post("/epcis/capture", data=orjson.dumps(document(events)), content_type=JSONLD)


def test_two_dispensings_of_one_code_in_one_document_raise_an_alert(
    g2_demo, api, django_capture_on_commit_callbacks
):
    first = _dispensing(d.PHARMACY_A_STORE.id, "2026-11-20 10:00")
    second = _dispensing(HOSPITAL_SITE, "2026-11-20 11:00", "hospital_use")
    before = DispensingAlert.objects.count()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _post(api, [first, second])
    assert response.status_code == 202, response.content
    assert DispensingAlert.objects.count() == before  # nothing before the capture commits
    for callback in callbacks:
        callback()
    pack = canonical_key(DRUG_PACKS[1])
    alert = DispensingAlert.objects.get(code=pack)
    assert (alert.first_event_id, alert.second_event_id, alert.location, alert.status) == (
        first["eventID"],
        second["eventID"],
        canonical_key(HOSPITAL_SITE),
        "open",
    )
    assert Event.objects.filter(event_id__in=[first["eventID"], second["eventID"]]).count() == 2
    notified = Notification.objects.get(
        user__username="demo-amr", message=DISPENSING_MESSAGE, params__code=pack
    )
    assert notified.params == {"code": pack, "location": canonical_key(HOSPITAL_SITE)}

    # The same document again stores nothing, so raises nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(api, [first, second]).status_code == 202
    assert DispensingAlert.objects.count() == before + 1


def test_a_refused_document_raises_no_alert(g2_demo, api, django_capture_on_commit_callbacks):
    first = _dispensing(d.PHARMACY_A_STORE.id, "2026-11-20 10:00")
    second = _dispensing(HOSPITAL_SITE, "2026-11-20 11:00", "hospital_use")
    wrong = {
        **second,
        "eventID": "urn:uuid:not-a-dispensing",
        "epcList": ["urn:epc:id:sscc:0614141.1234567890"],
    }
    before = (Event.objects.count(), DispensingAlert.objects.count())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _post(api, [first, second, wrong])
    assert response.status_code == 400
    assert callbacks == []
    assert (Event.objects.count(), DispensingAlert.objects.count()) == before
