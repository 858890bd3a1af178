"""Farm inputs ledgers as EPCIS events (G5): each purchase and sale is captured as the farm inputs
profile's input_purchasing or input_selling event in the ledger's transaction, without the buyer's
personal data; stock is judged as of the sale's date; the buyer's phone is masked everywhere but the
audited reveal."""

from __future__ import annotations

import csv
import io
import json

import orjson
import pytest
from django.utils import translation

from tracehub.epcis.models import CaptureJob, Event
from tracehub.sectors import services_agri_input as service
from tracehub.sectors.entry import entry_for, party_uri
from tracehub.sectors.models_agri_input import AgriInputLedgerEntry, mask_phone
from tracehub.sectors.profile import registry
from tracehub.sectors.services import StepRefused, steps_record

from .test_agri_input_world import (
    BUYER_ID,
    DEALER_SHOP,
    ORDINARY,
    PESTICIDE_CODE,
    RESTRICTED,
    SYSTEM,
    ago,
    build_agri_world,
    purchase,
    real_name,
    sale,
    stock_up,
)

CONSOLE = "/console/sectors/agri_input"
API = "/api/v1/sectors/agri_input"
PHONE = "13906001234"
MASKED = "139****1234"


@pytest.fixture
def agri(db):
    with translation.override("en"):
        yield build_agri_world()


def _events(step: str) -> list[tuple[dict, str]]:
    biz_step = registry["agri_input"].step(step).biz_step
    found = []
    for event in Event.objects.order_by("id"):
        document = json.loads(event.document)
        if document.get("bizStep") == biz_step:
            found.append((document, event.document))
    return found


def test_a_purchase_and_a_real_name_sale_are_captured_as_the_profile_steps(agri):
    ledger = service.ledger_rows_record(
        actor=agri.actor("dealer"),
        direction="purchase",
        rows=[purchase(quantity="50", unit_code=PESTICIDE_CODE, date=ago(10))],
    )[0]
    [(bought, _raw)] = _events("input_purchasing")
    assert bought["type"] == "ObjectEvent" and bought["action"] == "OBSERVE"
    assert bought["quantityList"] == [
        {"epcClass": f"urn:tracehub:code:pesticide:{PESTICIDE_CODE}", "quantity": 50}
    ]
    assert bought["bizLocation"] == {"id": DEALER_SHOP} and bought["readPoint"] == {"id": DEALER_SHOP}
    assert bought["sourceList"] == [{"type": "owning_party", "source": party_uri(agri.supplier)}]
    assert bought["destinationList"] == [{"type": "owning_party", "destination": party_uri(agri.dealer)}]
    assert bought["bizTransactionList"] == [
        {"type": "inv", "bizTransaction": f"urn:tracehub:doc:agri_input_ledger:{ledger.pk}"}
    ]
    assert bought["tracehub:registrationNumber"] == ORDINARY
    assert bought["eventTime"].startswith(ago(10) + "T12:00:00")

    stock_up(agri, RESTRICTED, date=ago(10))
    sold = service.ledger_rows_record(
        actor=agri.actor("dealer"),
        direction="sale",
        rows=[sale(RESTRICTED, quantity="3", specification="100克/袋", **real_name())],
    )[0]
    [(event, raw)] = _events("input_selling")
    assert event["quantityList"] == [{"epcClass": "urn:tracehub:class:agri_input:PD20120855", "quantity": 3}]
    assert event["tracehub:buyerRecord"] == f"urn:tracehub:doc:agri_input_ledger:{sold.pk}"
    assert event["tracehub:registrationNumber"] == RESTRICTED
    assert event["sourceList"] == [{"type": "owning_party", "source": party_uri(agri.dealer)}]
    assert "destinationList" not in event  # a person is no party: the buyer stays in the ledger
    assert event["bizLocation"] == {"id": DEALER_SHOP}
    # No personal data of the buyer anywhere in the stored event document.
    for secret in (BUYER_ID, BUYER_ID[-6:], "林水生", PHONE, "造水村", sold.buyer_id_masked):
        assert secret not in raw
    assert Event.objects.count() == 3 and CaptureJob.objects.count() == 3


def test_a_sale_to_a_farm_names_the_farm_as_destination(agri):
    stock_up(agri)
    service.ledger_rows_record(
        actor=agri.actor("dealer"),
        direction="sale",
        rows=[sale(buyer_uscc=agri.farm.uscc, buyer_name="")],
    )
    [(event, _raw)] = _events("input_selling")
    assert event["destinationList"] == [{"type": "owning_party", "destination": party_uri(agri.farm)}]


def test_a_refused_event_refuses_the_row_and_a_refused_row_captures_nothing(agri, monkeypatch):
    stock_up(agri)
    rows, events = AgriInputLedgerEntry.objects.count(), Event.objects.count()

    def refuse(**_kwargs):
        raise StepRefused({0: [{"field": "bizLocation.id", "message": "refused"}]})

    with monkeypatch.context() as patched:
        patched.setattr(service, "steps_record", refuse)
        with pytest.raises(service.LedgerRefused) as caught:
            service.ledger_rows_record(actor=agri.actor("dealer"), direction="sale", rows=[sale()])
    assert caught.value.rows == {0: [{"field": "bizLocation.id", "message": "Event: refused"}]}
    assert (AgriInputLedgerEntry.objects.count(), Event.objects.count()) == (rows, events)
    # A row refused by the ledger (beyond stock) captures no event.
    with pytest.raises(service.LedgerRefused):
        service.ledger_rows_record(actor=agri.actor("dealer"), direction="sale", rows=[sale(quantity="51")])
    assert (AgriInputLedgerEntry.objects.count(), Event.objects.count()) == (rows, events)
    # A dealer without a location records nothing: its rows could not be captured.
    agri.dealer.locations.update(active=False)
    with pytest.raises(service.LedgerRefused) as caught:
        service.ledger_rows_record(actor=agri.actor("dealer"), direction="sale", rows=[sale()])
    assert [e["field"] for e in caught.value.errors] == ["dealer"]
    assert (AgriInputLedgerEntry.objects.count(), Event.objects.count()) == (rows, events)


def test_a_ledger_event_cannot_be_entered_without_its_ledger_row(agri):
    assert entry_for("agri_input", "input_selling") is not None
    with pytest.raises(StepRefused) as caught:
        steps_record(
            actor=SYSTEM,
            sector="agri_input",
            step="input_selling",
            rows=[
                {
                    "location": DEALER_SHOP,
                    "ledger_entry": "urn:tracehub:doc:agri_input_ledger:999",
                    "product": "urn:tracehub:class:agri_input:PD20142631",
                    "registration_number": ORDINARY,
                    "quantity": "1",
                    "unit": "袋",
                }
            ],
        )
    assert [e["field"] for e in caught.value.errors] == ["ledger_entry"]
    assert Event.objects.count() == 0


# -- stock as of the sale's date ---------------------------------------------------------------------------


def _refused(w, rows) -> dict[int, dict[str, str]]:
    before = (AgriInputLedgerEntry.objects.count(), Event.objects.count())
    with pytest.raises(service.LedgerRefused) as caught:
        service.ledger_rows_record(actor=w.actor("dealer"), direction="sale", rows=rows)
    assert (AgriInputLedgerEntry.objects.count(), Event.objects.count()) == before
    return {n: {e["field"]: e["message"] for e in es} for n, es in caught.value.rows.items()}


def test_a_sale_is_checked_against_the_stock_of_its_date(agri):
    stock_up(agri, quantity="5", date=ago(10))
    # Before the purchase there was nothing to sell.
    errors = _refused(agri, [sale(quantity="1", date=ago(11))])
    assert errors == {
        0: {
            "quantity": f"Sale beyond stock: on {ago(11)} the ledgers show 0 袋 of PD20142631 100克/袋 "
            "in stock, less than 1."
        }
    }
    service.ledger_rows_record(
        actor=agri.actor("dealer"), direction="sale", rows=[sale(quantity="4", date=ago(2))]
    )
    # Back-dated: 5 were in stock on that day, but the sale would leave the later day at -1.
    errors = _refused(agri, [sale(quantity="2", date=ago(5))])
    assert errors == {
        0: {
            "quantity": f"Sale beyond stock: the ledgers show 1 袋 of PD20142631 100克/袋 in stock on "
            f"{ago(2)}; a sale of 2 on {ago(5)} would make it negative."
        }
    }
    # A later purchase does not help an earlier sale.
    stock_up(agri, quantity="10", date=ago(1))
    assert list(_refused(agri, [sale(quantity="2", date=ago(5))])[0]) == ["quantity"]
    # Rows of one batch count against each other on their dates.
    assert list(_refused(agri, [sale(quantity="1", date=ago(5)), sale(quantity="1", date=ago(3))])) == [2]
    service.ledger_rows_record(
        actor=agri.actor("dealer"), direction="sale", rows=[sale(quantity="1", date=ago(5))]
    )
    service.ledger_rows_record(
        actor=agri.actor("dealer"), direction="sale", rows=[sale(quantity="10", date=ago(1))]
    )
    assert len(_events("input_selling")) == 3


# -- the buyer's phone, masked ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone,masked",
    [
        (PHONE, MASKED),
        ("139-0600-1234", MASKED),
        ("0592-5551234", "059****1234"),
        ("5551234", "***1234"),
        ("", ""),
    ],
)
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


def test_the_phone_is_masked_on_pages_csv_and_api_but_not_in_the_reveal(agri):
    stock_up(agri, RESTRICTED)
    entry = service.ledger_rows_record(
        actor=agri.actor("dealer"), direction="sale", rows=[sale(RESTRICTED, **real_name())]
    )[0]
    dealer, official = agri.http("dealer"), agri.http("official")
    for http in (dealer, official):
        page = http.get(f"{CONSOLE}/ledger/?ledger=sale").content.decode()
        assert PHONE not in page and MASKED in page
        answer = http.get(f"{API}/ledger?ledger=sale")
        assert answer.status_code == 200 and PHONE not in answer.content.decode()
        assert [row["buyer"]["phone"] for row in orjson.loads(answer.content)] == [MASKED]
    export = official.post(f"{CONSOLE}/ledger/export.csv", {"ledger": "sale"}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(export)))
    assert PHONE not in export and [r[12] for r in rows[1:]] == [MASKED]
    revealed = official.post(f"{CONSOLE}/ledger/{entry.pk}/buyer-id").content.decode()
    assert PHONE in revealed and BUYER_ID in revealed
    api_revealed = official.post(f"{API}/ledger/{entry.pk}/buyer-id")
    assert orjson.loads(api_revealed.content) == {"id": entry.pk, "idNumber": BUYER_ID, "phone": PHONE}
