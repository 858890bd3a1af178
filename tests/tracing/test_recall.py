"""Recalls: scope (locations, quantities, stock still held, consumer codes), storage, audit, exports."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from tracehub.accounts.models import AuditEntry
from tracehub.tracing.models import Recall

from .builders import aggregate, at, capture, commission, lgtin, pgln, receive, sell, sgln, sgtin, ship, sscc

pytestmark = pytest.mark.django_db

LOT = lgtin("LOTR")
PACKS = [sgtin(f"R{n}") for n in range(6)]
CASE_A, CASE_B = sscc(71), sscc(72)


@pytest.fixture
def distributed(api):
    """Six packs of LOTR: two cases to a distributor; one case to a pharmacy that sells one pack."""
    events = [
        commission(PACKS, when=at(1), location=1, lot="LOTR"),
        aggregate(CASE_A, PACKS[:3], when=at(2), location=1),
        aggregate(CASE_B, PACKS[3:], when=at(2, 9), location=1),
        ship(
            [CASE_A, CASE_B],
            when=at(3),
            location=1,
            source=1,
            destination=2,
            bizTransactionList=[
                {"type": "desadv", "bizTransaction": "urn:epcglobal:cbv:bt:9521234000006:ASN-1"}
            ],
        ),
        receive(
            [CASE_A, CASE_B],
            when=at(4),
            location=2,
            destinationList=[{"type": "owning_party", "destination": pgln(2)}],
        ),
        ship([CASE_B], when=at(5), location=2, source=2, destination=3),
        receive([CASE_B], when=at(6), location=3),
        aggregate(CASE_B, action="DELETE", when=at(7), location=3),
        sell([PACKS[3]], when=at(8), location=3),
    ]
    capture(api, *events)
    return events


def declare(api, uri=LOT, reason="Sterility failure (无菌检查不合格)") -> dict:
    response = api.post("/api/v1/recalls", {"id": uri, "reason": reason}, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def test_recall_scope(api, distributed):
    recall = declare(api)
    assert recall["id"] == LOT
    assert recall["status"] == "open"
    assert recall["declaredBy"] == "client:test subsystem"
    places = {place["id"]: place for place in recall["locations"]}
    assert set(places) == {sgln(1), sgln(2), sgln(3)}
    assert places[sgln(1)]["received"] == {"EA": 6} and places[sgln(1)]["dispatched"] == {"EA": 6}
    assert places[sgln(2)]["received"] == {"EA": 6} and places[sgln(2)]["dispatched"] == {"EA": 3}
    assert places[sgln(3)]["received"] == {"EA": 3} and places[sgln(3)]["dispatched"] == {"EA": 1}
    # Who still holds stock: received and not shipped on or sold.
    assert {(h["location"], h["onHand"]["EA"]) for h in recall["holders"]} == {(sgln(2), 3), (sgln(3), 2)}
    assert places[sgln(2)]["parties"] == [pgln(2)]
    assert set(recall["parties"]) == {pgln(1), pgln(2), pgln(3)}
    assert recall["shipmentCount"] == 2 and recall["holderCount"] == 2 and recall["locationCount"] == 3
    assert set(recall["codes"]) == {"https://id.gs1.org/01/09521234567899/10/LOTR"} | {
        f"https://id.gs1.org/01/09521234567899/21/R{n}" for n in range(6)
    }
    assert recall["findings"] == []


def test_recall_is_stored_listed_fetched_and_audited(api, distributed):
    recall = declare(api)
    stored = Recall.objects.get(recall_id=recall["recallID"])
    assert stored.key == "01/09521234567899/10/LOTR" and stored.declared_by_client.name == "test subsystem"
    audit = AuditEntry.objects.get(action="tracing.recall.declare", object_id=stored.recall_id)
    assert audit.after["holders"] == 2 and audit.actor_client == stored.declared_by_client
    listed = api.get("/api/v1/recalls").json()
    assert [item["recallID"] for item in listed] == [recall["recallID"]]
    assert listed[0]["id"] == LOT and listed[0]["holderCount"] == 2
    fetched = api.get(f"/api/v1/recalls/{recall['recallID']}").json()
    assert fetched == recall


def test_recall_of_a_digital_link(api, distributed):
    recall = declare(api, "https://id.gs1.org/01/09521234567899/10/LOTR")
    assert recall["id"] == LOT and recall["holderCount"] == 2


def test_export_xlsx_in_the_fsma_204_shape(api, distributed):
    recall = declare(api)
    response = api.get(recall["exports"]["xlsx"])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(book["FSMA 204"].iter_rows(values_only=True))
    assert rows[0][:10] == (
        "Traceability Lot Code",
        "Traceability Lot Code Source",
        "Product Description",
        "Quantity",
        "Unit of Measure",
        "Location",
        "Date",
        "Event Type",
        "Reference Document Type",
        "Reference Document Number",
    )
    shipments = [row for row in rows[1:] if row[7] == "Shipping"]
    assert {(row[0], row[1], row[3], row[4], row[5]) for row in shipments} == {
        (LOT, sgln(1), 6, "EA", sgln(1)),
        (LOT, sgln(1), 3, "EA", sgln(2)),
    }
    first = next(row for row in shipments if row[5] == sgln(1))
    assert (first[8], first[9]) == ("desadv", "urn:epcglobal:cbv:bt:9521234000006:ASN-1")
    assert first[2] == "GTIN 09521234567899"
    places = list(book["Locations"].iter_rows(values_only=True))
    assert len(places) == 4


def test_export_csv_with_chinese_columns(api, distributed):
    recall = declare(api)
    response = api.get(recall["exports"]["csv_zh"])
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:8] == [
        "追溯批次码",
        "批次码来源",
        "产品描述",
        "数量",
        "计量单位",
        "地点",
        "日期",
        "事件类型",
    ]
    assert {row[7] for row in rows[1:]} >= {"发货", "收货", "初次包装", "零售"}
    english = api.get(recall["exports"]["csv"]).content.decode("utf-8-sig")
    assert english.startswith("Traceability Lot Code,")


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"id": "not a uri", "reason": "x"}, "id"),
        ({"id": "urn:epc:class:lgtin:9521234.056789", "reason": "x"}, "id"),
        ({"id": LOT, "reason": ""}, "reason"),
        ({"id": LOT, "reason": "   "}, "reason"),
        ({"id": LOT}, "reason"),
        ({"reason": "x"}, "id"),
    ],
)
def test_bad_recall_requests_are_400_naming_the_field(api, distributed, body, path):
    response = api.post("/api/v1/recalls", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert path in {error["path"] for error in response.json()["errors"]}
    assert not Recall.objects.exists()


def test_unknown_recall_and_unknown_lot_are_404(api, distributed):
    assert api.get("/api/v1/recalls/nope").status_code == 404
    assert api.get("/api/v1/recalls/nope/export.xlsx").status_code == 404
    response = api.post(
        "/api/v1/recalls", {"id": lgtin("NONE"), "reason": "x"}, content_type="application/json"
    )
    assert response.status_code == 404


def test_bad_export_language_is_400(api, distributed):
    recall = declare(api)
    response = api.get(recall["exports"]["csv"] + "?lang=fr")
    assert response.status_code == 400
    assert "lang" in {error["path"] for error in response.json()["errors"]}


def test_export_csv_cells_never_run_as_formulas():
    # Product names and document numbers come from enterprises; a cell starting like a formula is
    # written as text (OWASP CSV injection), numbers stay numbers.
    from tracehub.tracing.exports import HEADERS, recall_csv
    from tracehub.tracing.models import Recall

    row = ['=HYPERLINK("http://evil")', "src", "+cmd", -3, "EA", "loc", "2026-11-28", "ShippingEvent"]
    row += ["inv", "@SUM(A1)"] + [""] * (len(HEADERS["en"]) - 10)
    recall = Recall(scope={"rows": [row]})
    rows = list(csv.reader(io.StringIO(recall_csv(recall).decode("utf-8-sig"))))
    assert rows[1][:4] == ['\'=HYPERLINK("http://evil")', "src", "'+cmd", "-3"]
    assert rows[1][9] == "'@SUM(A1)"
