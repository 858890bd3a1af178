"""Where a drug lot went (去向, G2): forward from the lot to every pharmacy and hospital, by district
(the tracing app's forward trace); run on PostgreSQL too (tracehub.devtools.pgtest)."""

from __future__ import annotations

import pytest

from tracehub.demo import data as d
from tracehub.identifiers import canonical_key
from tracehub.sectors import selectors_drug
from tracehub.sectors.demo_g2_g6 import DRUG_LOT, HOSPITAL_SITE

from .test_drug_world import console, load_g2_demo


@pytest.fixture
def g2_demo(db, settings):
    return load_g2_demo(settings)


LOT = selectors_drug.lot_key(d.DRUG.gtin, DRUG_LOT)


def test_the_lot_reaches_every_pharmacy_and_the_hospital_by_district(g2_demo):
    answer = selectors_drug.lot_destinations(key=LOT)
    assert answer == {
        "lot": LOT,
        "packs": 12,
        "districts": [
            {
                "district": "350203",
                "name": "思明区",
                "packsReceived": 4,
                "places": [
                    {
                        "party": "厦门鹭安大药房有限公司",
                        "partyType": "pharmacy",
                        "location": "鹭安大药房中山路店",
                        "locationKey": canonical_key(d.PHARMACY_A_STORE.id),
                        "packsReceived": 4,
                        "packsDispensed": 1,
                    }
                ],
            },
            {
                "district": "350206",
                "name": "湖里区",
                "packsReceived": 4,
                "places": [
                    {
                        "party": "厦门惠众大药房有限公司",
                        "partyType": "pharmacy",
                        "location": "惠众大药房江头店",
                        "locationKey": d.PHARMACY_B_STORE.id,
                        "packsReceived": 4,
                        "packsDispensed": 1,
                    }
                ],
            },
            {
                "district": "350211",
                "name": "集美区",
                "packsReceived": 4,
                "places": [
                    {
                        "party": "厦门市集美区杏林医院",
                        "partyType": "hospital",
                        "location": "杏林医院药剂科",
                        "locationKey": HOSPITAL_SITE,
                        "packsReceived": 4,
                        "packsDispensed": 1,
                    }
                ],
            },
        ],
    }


def test_the_trace_api_reaches_every_pharmacy(g2_demo, api):
    response = api.get("/api/v1/trace/forward", {"id": f"https://id.gs1.org/01/{d.DRUG.gtin}/10/{DRUG_LOT}"})
    assert response.status_code == 200, response.content
    places = {p["id"] for p in response.json()["locations"]}
    assert {d.PHARMACY_A_STORE.id, d.PHARMACY_B_STORE.id, HOSPITAL_SITE} <= places
    assert d.PESTICIDE_PLANT.id not in places


@pytest.mark.parametrize(
    ("username", "status"), [("demo-amr", 200), ("demo-operator", 200), ("demo-customs", 404)]
)
def test_the_destinations_api_and_page(g2_demo, username, status):
    http = console(username)
    response = http.get(f"/api/v1/sectors/drug/lots/{d.DRUG.gtin}/{DRUG_LOT}/destinations")
    assert response.status_code == status
    page = http.get("/console/sectors/drug/destinations/", {"gtin": d.DRUG.gtin, "lot": DRUG_LOT})
    assert page.status_code == 200
    text = page.content.decode()
    assert ("惠众大药房江头店" in text) is (status == 200)
    assert ("杏林医院药剂科" in text) is (status == 200)
