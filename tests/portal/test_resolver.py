"""The GS1 resolver (issue #5 item 3): every URI form of a code lands on the same page, machines get
a GS1 linkset, /t/ platform codes, the resolver description, the search box, and bad or unknown
codes get their pages in Chinese."""

from __future__ import annotations

from urllib.parse import quote

import orjson
import pytest

from tracehub.demo import data
from tracehub.identifiers import compress_digital_link
from tracehub.portal.models import Scan, ScanCounter

from .helpers import DRUG_CODE, capture_drug_code


def _lot_of(path: str) -> str:
    from tracehub.epcis.models import EventIndex

    event = EventIndex.objects.get(key=path.lstrip("/"), role="epc", event__biz_step="commissioning").event
    return EventIndex.objects.get(event=event, role="lot").key.rsplit("/", 1)[-1]


def test_every_form_of_a_serial_lands_on_the_same_page(client, drug_pack):
    gtin, serial = data.DRUG.gtin, drug_pack.rsplit("/", 1)[-1]
    lot = _lot_of(drug_pack)
    with_lot = f"/01/{gtin}/10/{lot}/21/{serial}"
    uncompressed = f"https://id.gs1.org{with_lot}"
    full = compress_digital_link(uncompressed).removeprefix("https://id.gs1.org")
    partial = compress_digital_link(uncompressed, partial=True).removeprefix("https://id.gs1.org")
    forms = [
        drug_pack,  # /01/{gtin}/21/{serial}
        with_lot,  # /01/{gtin}/10/{lot}/21/{serial}
        with_lot + "?17=281031&utm_source=wechat",  # a data attribute and a non-GS1 parameter
        full,  # fully compressed: one path segment
        partial,  # partially compressed: /01/{gtin}/{base64}
        f"/gtin/{gtin}/lot/{lot}/ser/{serial}",  # GS1 DL 1.0 short names
    ]
    assert full.count("/") == 1 and partial.startswith(f"/01/{gtin}/")
    for number, path in enumerate(forms, start=1):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        html = response.content.decode()
        assert data.DRUG.name in html
        assert f"(01){gtin}(21){serial}" in html or f"(01){gtin}(10){lot}(21){serial}" in html
        assert f"已查询 {number} 次" in html, path
    assert ScanCounter.objects.get(code=f"01/{gtin}/21/{serial}").count == len(forms)
    assert ScanCounter.objects.count() == 1


def test_lot_and_gtin_pages(client, drug_pack):
    gtin = data.DRUG.gtin
    lot = _lot_of(drug_pack)
    lot_page = client.get(f"/01/{gtin}/10/{lot}")
    assert lot_page.status_code == 200
    html = lot_page.content.decode()
    assert data.DRUG.name in html and "生产赋码" in html and lot in html
    product_page = client.get(f"/01/{gtin}")
    assert product_page.status_code == 200
    assert data.DRUG.name in product_page.content.decode()
    # A GTIN-13 in the path is read as the GTIN-14 it stands for: the same product.
    assert ScanCounter.objects.filter(code__in=[f"01/{gtin}/10/{lot}", f"01/{gtin}"]).count() == 2


def test_sscc_of_a_case_shows_its_chain(client, demo):
    from tracehub.epcis.models import Event, EventIndex

    packing = Event.objects.filter(event_type="AggregationEvent", biz_step="packing").first()
    sscc = EventIndex.objects.get(event=packing, role="parent").key
    assert sscc.startswith("00/")
    response = client.get("/" + sscc)
    assert response.status_code == 200
    html = response.content.decode()
    assert "装箱" in html and "发货" in html


def test_platform_code_under_t(client, demo):
    capture_drug_code()
    response = client.get(f"/t/{DRUG_CODE}")
    assert response.status_code == 200
    html = response.content.decode()
    assert DRUG_CODE in html and "生产赋码" in html and "鹭康制药海沧工厂" in html
    assert ScanCounter.objects.get(code=f"urn:tracehub:code:drug:{DRUG_CODE}").count == 1


def test_unknown_code_is_a_404_page_in_chinese(client, demo):
    unknown_gtin = "06901234567892"  # valid check digit, nobody's product
    response = client.get(f"/01/{unknown_gtin}/21/ABC")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "未找到该追溯码" in html
    assert f"(01){unknown_gtin}(21)ABC" in html
    assert client.get("/t/81234560000099999999").status_code == 404
    assert Scan.objects.count() == 0  # an unknown code is not counted


@pytest.mark.parametrize(
    "path",
    [
        "/01/09521234567890/21/ABC",  # wrong check digit
        "/01/123/21/ABC",  # too short
        "/01/09521234567899/21/A%20B",  # a space is outside GS1 character set 82
        "/01/09521234567899/17/261231",  # (17) is no key qualifier of (01)
        "/t/12345",  # no platform code has 5 digits
        "/t/8123456000001234567X",
    ],
)
def test_malformed_codes_get_a_400_page_in_chinese(client, db, path):
    response = client.get(path)
    assert response.status_code == 400
    html = response.content.decode()
    assert "无效的追溯码" in html and '<html lang="zh-hans">' in html
    assert 'data-field="code"' in html


def test_root_segments_that_are_not_compressed_links(client, db):
    assert client.get("/not-a-link").status_code == 404
    redirect = client.get("/console")
    assert redirect.status_code == 301 and redirect["Location"] == "/console/"


def test_linkset_for_machines(client, drug_pack):
    for response in (
        client.get(drug_pack, HTTP_ACCEPT="application/linkset+json"),
        client.get(drug_pack + "?linkType=all"),
        client.get(drug_pack, HTTP_ACCEPT="application/json"),
    ):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/linkset+json"
        body = orjson.loads(response.content)
        assert list(body) == ["linkset"] and len(body["linkset"]) == 1
        entry = body["linkset"][0]
        assert entry["anchor"] == f"https://id.gs1.org{drug_pack}"
        page = f"http://testserver{drug_pack}"
        assert entry["https://gs1.org/voc/pip"] == [
            {"href": page, "title": "产品追溯页面", "type": "text/html", "hreflang": ["zh", "en"]}
        ]
        assert entry["https://gs1.org/voc/defaultLink"][0]["href"] == page
        trace = entry["https://gs1.org/voc/traceability"][0]
        assert trace["type"] == "application/json"
        assert trace["href"] == f"http://testserver/api/v1/public/codes?code={quote(drug_pack, safe='')}"
        assert set(entry) == {
            "anchor",
            "https://gs1.org/voc/defaultLink",
            "https://gs1.org/voc/pip",
            "https://gs1.org/voc/traceability",
            "https://gs1.org/voc/recallStatus",
            "https://gs1.org/voc/customerSupport",
        }
    # A browser gets the page, which names its linkset; a machine is not counted as a scan.
    page = client.get(drug_pack, HTTP_ACCEPT="text/html,application/xhtml+xml")
    assert page["Content-Type"].startswith("text/html")
    assert (
        page["Link"]
        == f'<http://testserver{drug_pack}?linkType=all>; rel="linkset"; type="application/linkset+json"'
    )
    assert ScanCounter.objects.get().count == 1
    unknown = client.get("/01/06901234567892/21/ABC?linkType=all")
    assert unknown.status_code == 404


def test_traceability_link_type_redirects_to_the_json(client, drug_pack):
    response = client.get(drug_pack + "?linkType=gs1:traceability")
    assert response.status_code == 307
    assert response["Location"] == f"http://testserver/api/v1/public/codes?code={quote(drug_pack, safe='')}"


def test_well_known_resolver_description(client, db):
    response = client.get("/.well-known/gs1resolver")
    assert response.status_code == 200
    body = response.json()
    assert body["resolverRoot"] == "http://testserver"
    assert body["supportedPrimaryKeys"] == ["gtin", "sscc", "gln", "grai"]
    assert body["supportedPrimaryKeyAIs"] == ["00", "01", "414", "8004"]
    assert body["linksetMediaType"] == "application/linkset+json"
    assert body["supportedLinkType"][0]["prefix"] == "gs1:"
    assert body["platformCodes"]["kinds"] == ["drug", "pesticide", "trace", "vetdrug"]


def test_search_box_takes_any_form_of_a_code(client, drug_pack):
    gtin, serial = data.DRUG.gtin, drug_pack.rsplit("/", 1)[-1]
    prefix = data.DRUG_MAKER.company_prefix
    item = "0" + data.DRUG.item_ref
    cases = {
        f"(01){gtin}(21){serial}": drug_pack,
        f"01{gtin}21{serial}": drug_pack,
        f"https://example.com/01/{gtin}/21/{serial}?17=281031": drug_pack,
        compress_digital_link(f"https://id.gs1.org{drug_pack}"): drug_pack,
        f"urn:epc:id:sgtin:{prefix}.{item}.{serial}": drug_pack,
        f"  {gtin[1:]}  ": f"/01/{gtin}",
        "8123 4560 0000 1234 5678": f"/t/{DRUG_CODE}",
        f"urn:tracehub:code:drug:{DRUG_CODE}": f"/t/{DRUG_CODE}",
    }
    for typed, path in cases.items():
        response = client.get("/lookup/", {"q": typed})
        assert response.status_code == 302, typed
        assert response["Location"] == path, typed
    bad = client.get("/lookup/", {"q": "not a code"})
    assert bad.status_code == 400
    assert "平台无法识别该代码" in bad.content.decode()  # tests/portal/test_lookup.py: every error
    empty = client.get("/lookup/")
    assert empty.status_code == 200 and 'name="q"' in empty.content.decode()
