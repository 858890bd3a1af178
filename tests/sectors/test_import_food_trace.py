"""An imported wine bottle on a Xiamen shelf traced back to its foreign producer, through customs
clearance and inspection (G6); run on PostgreSQL too (tracehub.devtools.pgtest)."""

from __future__ import annotations

import orjson
import pytest

from tracehub.demo import data as d
from tracehub.epcis.models import Event
from tracehub.identifiers import canonical_key
from tracehub.sectors.demo_g2_g6 import WINE_BOTTLES, WINE_CASE, WINE_PRODUCER, wine_steps
from tracehub.sectors.profile import platform_step
from tracehub.tracing.selectors import trace_build

from .test_drug_world import event_of, load_g2_demo


@pytest.fixture
def g2_demo(db, settings):
    return load_g2_demo(settings)


BOTTLE = WINE_BOTTLES[0]  # sold at 醇境酒业湖滨南路店 (思明)


def test_a_bottle_on_a_xiamen_shelf_traces_back_through_customs_to_the_foreign_producer(g2_demo):
    trace = trace_build(key=canonical_key(BOTTLE), direction="back")
    steps = [(e.biz_step, e.location) for e in trace.events]
    shop, port = canonical_key(d.WINE_SHOP_A_STORE.id), canonical_key(d.PORT_INSPECTION_SITE.id)
    cellar, warehouse = canonical_key(d.WINERY_CELLAR.id), canonical_key(d.IMPORTER_WAREHOUSE.id)
    assert steps == [
        ("commissioning", cellar),
        ("packing", cellar),
        ("shipping", cellar),
        (platform_step("import_inspection"), port),
        (platform_step("customs_clearance"), port),
        (platform_step("import_receiving"), warehouse),
        ("shipping", warehouse),
        ("receiving", shop),
        ("unpacking", shop),
        ("retail_selling", shop),
    ]
    assert canonical_key(WINE_CASE) in trace.keys
    # The importer's receipt names the foreign producer by its China registration and the declaration.
    receipt = event_of("import_food", "import_receiving", dict(wine_steps())["import_receiving"])
    assert receipt["eventID"] in [e.event_id for e in trace.events]
    stored = orjson.loads(Event.objects.get(event_id=receipt["eventID"]).document)
    assert stored["tracehub:foreignProducer"] == WINE_PRODUCER
    assert [canonical_key(s["source"]) for s in stored["sourceList"]] == [canonical_key(d.WINERY.id)]
    # The start of the chain is the producer's own cellar in Bordeaux.
    assert trace.names[cellar]["name"] == "Château Belvue-Sainte-Croix, chai"


def test_the_trace_api_answers_the_same_chain(g2_demo, api):
    response = api.get("/api/v1/trace/back", {"id": BOTTLE})
    assert response.status_code == 200, response.content
    body = response.json()
    places = {p["id"] for p in body["locations"]}
    assert {
        d.WINERY_CELLAR.id,
        d.PORT_INSPECTION_SITE.id,
        d.IMPORTER_WAREHOUSE.id,
        d.WINE_SHOP_A_STORE.id,
    } <= places
    steps = {e["bizStep"] for e in body["graph"]["edges"] if e["relation"] == "at"}
    assert {platform_step("customs_clearance"), platform_step("import_inspection")} <= steps
