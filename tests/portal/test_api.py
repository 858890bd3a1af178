"""The consumer query API (issue #5 item 7): anonymous, read-only, rate-limited; the page's content as
JSON, and the drug consumer query data set."""

from __future__ import annotations

from urllib.parse import quote

from tracehub.demo import data
from tracehub.demo.events import day
from tracehub.portal.models import Scan

from .helpers import DRUG_CODE, capture_drug_code


def test_code_lookup_as_json(client, drug_pack):
    response = client.get("/api/v1/public/codes", {"code": f"https://id.gs1.org{drug_pack}"})
    assert response.status_code == 200
    body = response.json()
    serial = drug_pack.rsplit("/", 1)[-1]
    assert body["code"] == f"(01){data.DRUG.gtin}(21){serial}"
    assert body["key"] == drug_pack[1:] and body["kind"] == "serial"
    assert body["pageUrl"] == f"http://testserver{drug_pack}"
    assert body["product"]["name"] == data.DRUG.name
    assert body["product"]["attributes"]["approval_number"] == "国药准字H35021187"
    assert body["producer"] == {
        "name": "厦门鹭康制药有限公司",
        "nameEn": body["producer"]["nameEn"],
        "filingStatus": "approved",
        "filingStatusLabel": "已备案",
        "filingNumber": body["producer"]["filingNumber"],
        "country": "CN",
    }
    assert body["expiryDate"] == day(715) and body["productionDate"] == day(-14)  # the demo drug chain's
    assert [step["step"] for step in body["chain"]] == [
        "commissioning",
        "packing",
        "shipping",
        "receiving",
        "shipping",
        "receiving",
        "unpacking",
        "dispensing",
    ]
    assert body["chain"][-1]["stepLabel"] == "药房售出"
    assert body["origin"]["place"] == "鹭康制药海沧工厂"
    assert body["recall"] is None
    assert body["warnings"] == ["already_sold"]
    assert body["lookups"] == {"count": 0, "firstAt": None}
    drug = body["drug"]
    assert drug == {
        "drugGenericName": "布洛芬缓释胶囊",
        "dosageForm": "胶囊剂",
        "specification": "0.3g×20粒",
        "approvalNumber": "国药准字H35021187",
        "marketingAuthorizationHolder": "厦门鹭康制药有限公司",
        "manufacturer": "厦门鹭康制药有限公司",
        "productionDate": day(-14),
        "expiryDate": day(715),
        "batchNumber": body["lot"],
        "traceCode": body["code"],
        "dispensed": True,
    }
    assert Scan.objects.count() == 0  # the API is not a scan


def test_the_page_counter_shows_in_the_api(client, drug_packs):
    client.get(drug_packs[3])
    client.get(drug_packs[3])
    body = client.get("/api/v1/public/codes", {"code": drug_packs[3]}).json()
    assert body["lookups"]["count"] == 2 and body["lookups"]["firstAt"] is not None


def test_drug_query_set_by_drug_trace_code(client, demo):
    capture_drug_code()
    response = client.get("/api/v1/public/codes", {"code": DRUG_CODE})
    assert response.status_code == 200
    body = response.json()
    assert body["kind"] == "platform" and body["key"] == f"urn:tracehub:code:drug:{DRUG_CODE}"
    assert body["lot"] == "P2611" and body["product"] is None
    assert body["chain"][0]["place"] == "鹭康制药海沧工厂"
    # Without a registered product (no allocation yet) the drug data set has nothing to say.
    assert client.get("/api/v1/public/drugs", {"code": DRUG_CODE}).status_code == 404


def test_drug_endpoint(client, drug_pack, wine_bottles):
    response = client.get("/api/v1/public/drugs", {"code": quote(drug_pack, safe="/")})
    assert response.status_code == 200
    assert response.json()["approvalNumber"] == "国药准字H35021187"
    wine = client.get("/api/v1/public/drugs", {"code": wine_bottles[0]})
    assert wine.status_code == 404


def test_bad_and_unknown_codes(client, demo):
    bad = client.get("/api/v1/public/codes", {"code": "/01/09521234567890/21/X"})
    assert bad.status_code == 400
    problem = bad.json()
    assert problem["errors"][0]["path"] == "code"
    assert "check digit" in problem["errors"][0]["message"]
    missing = client.get("/api/v1/public/codes")
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["path"] == "code"
    unknown = client.get("/api/v1/public/codes", {"code": "/01/06901234567892/21/X"})
    assert unknown.status_code == 404
    assert unknown.json()["title"] == "Not found"


def test_read_only_and_anonymous(client, drug_pack):
    assert client.post("/api/v1/public/codes", {"code": drug_pack}).status_code == 405
    keyed = client.get("/api/v1/public/codes", {"code": drug_pack}, HTTP_AUTHORIZATION="Bearer nonsense")
    assert keyed.status_code == 200  # no key is asked for, and a wrong one changes nothing
    assert client.get("/api/v1/public/openapi.json").status_code == 200


def test_rate_limit(client, drug_pack, settings):
    settings.TRACEHUB_PORTAL_API_PER_MINUTE = 3
    for _ in range(3):
        assert client.get("/api/v1/public/codes", {"code": drug_pack}).status_code == 200
    limited = client.get("/api/v1/public/codes", {"code": drug_pack})
    assert limited.status_code == 429
    assert limited.json()["title"] == "Too many requests"
    other = client.get("/api/v1/public/codes", {"code": drug_pack}, REMOTE_ADDR="203.0.113.5")
    assert other.status_code == 200
