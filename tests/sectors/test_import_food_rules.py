"""The imported-food rules (G6): import record completeness, registered producer, filed importer,
retention on deletion requests, and import sales records from shipping events; stored data
unchanged on every refusal."""

from __future__ import annotations

import datetime as dt

import orjson
import pytest

from tracehub.accounts.models import AuditEntry
from tracehub.demo import data as d
from tracehub.identifiers import canonical_key
from tracehub.registry.models import Party
from tracehub.sectors.demo_g2_g6 import (
    MILK_CASE,
    MILK_DECLARATION,
    MILK_RECORD,
    WINE_CASE,
    WINE_DECLARATION,
    WINE_RECORD,
    milk_steps,
    wine_steps,
)
from tracehub.sectors.entry import document, party_uri
from tracehub.sectors.models_import import ImportRecord
from tracehub.sectors.services import StepRefused, step_record
from tracehub.sectors.services_import import RetentionRefused, import_record_delete, retain_until

from .test_drug_world import SYSTEM, console, event_of, load_g2_demo, stored_state


@pytest.fixture
def g2_demo(db, settings):
    return load_g2_demo(settings)


RECEIPT = dict(next(data for step, data in wine_steps() if step == "import_receiving"))
NEW_CASE = d.WINERY.sscc(2, extension="7")


def receipt(**changes: str) -> dict[str, str]:
    """A valid import receipt of a second wine lot (another case, declaration and lot)."""
    data = {
        **RECEIPT,
        "goods": NEW_CASE,
        "lot_class": f"urn:epc:class:lgtin:{d.WINERY.company_prefix}.0{d.WINE.item_ref}.L2023-09",
        "lot": "L2023-09",
        "declaration": "370020261000519999",
        "time": "2026-11-19 10:00",
    }
    for key, value in changes.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    return data


def refused(data: dict[str, str]) -> list[dict[str, str]]:
    before = stored_state()
    with pytest.raises(StepRefused) as exc:
        step_record(actor=SYSTEM, sector="import_food", step="import_receiving", data=data)
    assert stored_state() == before
    return exc.value.errors


def test_an_incomplete_import_record_is_refused_naming_every_missing_item(g2_demo):
    data = receipt(declaration=None, health_certificate=None, producer=None, entry_date=None, contract="")
    errors = refused(data)
    assert {e["code"] for e in errors} == {"input_required"}
    assert [{"field": e["field"], "message": e["message"]} for e in errors] == [
        {
            "field": "producer",
            "message": "境外生产企业在华注册编号 (foreign producer's registration no.) is required",
        },
        {"field": "contract", "message": "合同号 (contract no.) is required"},
        {"field": "declaration", "message": "报关单号 (customs declaration no.) is required"},
        {
            "field": "health_certificate",
            "message": "官方卫生证书编号 (official health certificate no.) is required",
        },
        {"field": "entry_date", "message": "入境日期 (entry date) is required"},
    ]


def test_a_wrong_declaration_number_and_country_are_named(g2_demo):
    errors = refused(receipt(declaration="37002026X000519999", origin_country="France"))
    assert [e["field"] for e in errors] == ["origin_country", "declaration"]
    assert "character 9 is 'X'" in errors[1]["message"]


def test_an_import_receipt_captured_without_its_record_items_is_refused(g2_demo, api):
    event = event_of("import_food", "import_receiving", receipt())
    for term in ("tracehub:foreignProducer", "tracehub:originCountry", "tracehub:entryDate"):
        del event[term]
    event["bizTransactionList"] = [
        t for t in event["bizTransactionList"] if "customs_declaration" not in t["bizTransaction"]
    ]
    before = stored_state()
    response = api.post(
        "/epcis/capture", data=orjson.dumps(document([event])), content_type="application/ld+json"
    )
    assert response.status_code == 400, response.content
    paths = sorted({e["path"] for e in response.json()["errors"]})
    assert paths == [
        "epcisBody.eventList[0].bizTransactionList",
        "epcisBody.eventList[0].tracehub:entryDate",
        "epcisBody.eventList[0].tracehub:foreignProducer",
        "epcisBody.eventList[0].tracehub:originCountry",
    ]
    assert stored_state() == before


def test_an_unregistered_producer_or_an_unfiled_importer_is_refused(g2_demo):
    errors = refused(receipt(producer="CIFR2020ITA09999"))
    assert errors == [
        {
            "field": "tracehub:foreignProducer",
            "message": "foreign producer CIFR2020ITA09999 is not registered (在华注册): "
            "import only from registered producers",
            "code": "registered_producer:unregistered",
            "params": {"number": "CIFR2020ITA09999"},
        }
    ]
    # The port logistics company holds no importer filing: it cannot record an import at its site.
    errors = refused(receipt(location=d.PORT_INSPECTION_SITE.id))
    assert [e["field"] for e in errors] == ["destinationList"]
    assert errors[0]["message"].startswith(
        "importer 厦门海沧鹭港国际物流有限公司 holds no valid importer filing"
    )


def test_the_receipt_keeps_the_import_record_with_its_retention(g2_demo):
    wine = ImportRecord.objects.get(declaration_number=WINE_DECLARATION)
    assert (wine.name, wine.lot, wine.quantity, wine.value, wine.origin_country, wine.shelf_life_days) == (
        "贝尔维圣十字城堡波尔多超级干红葡萄酒 2022",
        "L2023-07",
        6,
        1260,
        "FR",
        None,
    )
    assert wine.producer.registration_number == "CIFR2022FRA01537"
    assert wine.objects_received == [canonical_key(WINE_CASE)]
    assert wine.product.gtin == d.WINE.gtin
    # No shelf life: 2 years from the entry date.
    assert wine.retain_until == dt.date(wine.entry_date.year + 2, wine.entry_date.month, wine.entry_date.day)
    milk = ImportRecord.objects.get(declaration_number=MILK_DECLARATION)
    # Produced a month before the demo day (the demo is dated from the load day), 730 days: best
    # before 730 days later, kept until 6 months after that.
    produced = dt.date.fromisoformat(MILK_RECORD["production_date"])
    expiry = produced + dt.timedelta(days=730)
    assert (milk.expiry_date, milk.retain_until) == (
        expiry,
        retain_until(production_date=produced, shelf_life_days=730, entry_date=milk.entry_date),
    )
    assert (milk.retain_until.year * 12 + milk.retain_until.month) - (expiry.year * 12 + expiry.month) == 6
    assert retain_until(
        production_date=dt.date(2026, 8, 31), shelf_life_days=0 or None, entry_date=dt.date(2026, 8, 31)
    ) == dt.date(2028, 8, 31)
    assert retain_until(
        production_date=dt.date(2026, 1, 1), shelf_life_days=242, entry_date=dt.date(2026, 2, 1)
    ) == dt.date(2027, 2, 28)


def test_deletion_inside_retention_is_refused_with_the_reason(g2_demo):
    milk = ImportRecord.objects.get(declaration_number=MILK_DECLARATION)
    before = stored_state()
    with pytest.raises(RetentionRefused) as exc:
        import_record_delete(
            actor=SYSTEM, record=milk, reason="清理", today=milk.retain_until - dt.timedelta(days=1)
        )
    assert exc.value.reason == (
        f"import record {milk.pk} (南阿尔卑斯较大婴儿配方奶粉（2段）, lot NZ261020A) "
        f"must be kept until {milk.retain_until}: "
        f"6 months past the end of its shelf life ({milk.expiry_date})"
    )
    assert stored_state() == before
    wine = ImportRecord.objects.get(declaration_number=WINE_DECLARATION)
    with pytest.raises(RetentionRefused, match="2 years from entry"):
        import_record_delete(actor=SYSTEM, record=wine, reason="清理")
    assert stored_state() == before
    # The importer asks through the API: 409 with the reason; the record stays.
    importer = console("demo-importer-admin")
    response = importer.post(
        f"/api/v1/sectors/import_food/records/{milk.pk}/delete",
        data=orjson.dumps({"reason": "清理"}),
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["errors"] == [{"path": "retainUntil", "message": exc.value.reason}]
    assert stored_state() == before
    # On the first day after retention it may go, audited.
    import_record_delete(actor=SYSTEM, record=milk, reason="保存期满", today=milk.retain_until)
    assert not ImportRecord.objects.filter(pk=milk.pk).exists()
    audit = AuditEntry.objects.filter(action="sectors.import_food.record_delete").get()
    assert audit.before["declaration"] == MILK_DECLARATION and audit.after == {"reason": "保存期满"}


def test_import_sales_records_are_the_importers_shipments(g2_demo, django_assert_max_num_queries):
    importer = console("demo-importer-admin")
    wine = ImportRecord.objects.get(declaration_number=WINE_DECLARATION)
    response = importer.get(f"/api/v1/sectors/import_food/records/{wine.pk}")
    assert response.status_code == 200
    sales = response.json()["sales"]
    shipped = event_of(
        "import_food", "shipping", [data for step, data in wine_steps() if step == "shipping"][1]
    )
    assert sales == [
        {
            "eventID": shipped["eventID"],
            # The demo shipment's time (dated from the load day), in UTC.
            "time": dt.datetime.fromisoformat(shipped["eventTime"]).astimezone(dt.UTC).isoformat(),
            "buyer": party_uri(Party.objects.get(uscc=d.WINE_SHOP_A.uscc)),
            "objects": [WINE_CASE],
            "documents": [f"urn:tracehub:doc:sales_invoice:XS{WINE_RECORD['lot']}"],
        }
    ]
    milk = ImportRecord.objects.get(declaration_number=MILK_DECLARATION)
    page = importer.get(f"/console/sectors/import_food/records/{milk.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert MILK_CASE in text and "CIFR2021NZL00215" in text
    # Another party sees neither the record nor its sales.
    assert console("demo-stall").get(f"/api/v1/sectors/import_food/records/{milk.pk}").status_code == 404
    customs = console("demo-customs")
    with django_assert_max_num_queries(10):  # whatever the number of records: one query for them
        listing = customs.get("/api/v1/sectors/import_food/records").json()
    assert sorted(r["declarationNumber"] for r in listing) == sorted([WINE_DECLARATION, MILK_DECLARATION])


def test_milk_powder_steps_cover_the_chain(g2_demo):
    assert [step for step, _data in milk_steps()] == [
        "shipping",
        "import_inspection",
        "customs_clearance",
        "import_receiving",
        "shipping",
        "receiving",
        "retail",
    ]
