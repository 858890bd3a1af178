"""Platform trace codes under /t/ (issue #5 item 3): a code handed out by the code allocation service
(赋码) resolves to its product and lot through the allocation range that holds it, shows the same
product page as a GS1 code (timeline from the events carrying its platform URI, badges, recall
banner), answers machines with a linkset; a well-formed code nobody was given is a 404 page, a
malformed one a 400 page, in Chinese by default and in English on request."""

from __future__ import annotations

import orjson
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from stdnum.iso7064 import mod_97_10

from tracehub.demo import data
from tracehub.demo.events import at, event
from tracehub.portal.models import AlertKind, AuthenticityAlert, ScanCounter
from tracehub.registry import selectors as registry_selectors
from tracehub.registry import services as registry_services
from tracehub.registry.actors import Actor
from tracehub.registry.models import Party, Product
from tracehub.tracing.services import recall_declare

from .helpers import capture

SYSTEM = Actor.system("portal test")
TRACE = "urn:tracehub:code:trace:"


def _main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


def _steps(html: str) -> list[str]:
    import re

    timeline = html[html.index('data-testid="timeline"') :]
    timeline = timeline[: timeline.index("</ol>")]
    return re.findall(r"<strong>([^<]+)</strong>", timeline)


def _statements(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE", "SET LOCAL"))
    ]


def allocate(product: Product, *, count: int = 3, lot: str = "") -> list[str]:
    """Platform trace codes allocated through the code allocation service; the codes, in order."""
    allocation = registry_services.code_allocation_create(
        actor=SYSTEM, party=product.party, product=product, count=count, scheme="platform", lot=lot
    )
    return list(registry_selectors.code_allocation_codes(allocation))


@pytest.fixture
def pak_choi(demo) -> Product:
    """The demo cooperative's pak choi (上海青): a product with a platform code and no GTIN."""
    return Product.objects.get(platform_code=data.PAK_CHOI.platform_code)


@pytest.fixture
def codes(pak_choi) -> list[str]:
    return allocate(pak_choi, lot="HX20261120")


def test_an_allocated_code_shows_its_product_lot_and_producer(client, codes):
    response = client.get(f"/t/{codes[0]}")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    main = _main(html)
    assert "<h1>上海青</h1>" in main
    assert '<dt>批号</dt><dd class="mono">HX20261120</dd>' in main
    assert f'<dt>追溯码</dt><dd class="mono code">{codes[0]}</dd>' in main
    assert "厦门市集美区后溪绿野蔬菜专业合作社" in main
    assert 'data-testid="filing-status">已备案</span>' in main
    assert "暂无供应链记录。" in main  # allocated, not yet reported in any event
    assert "已查询 1 次" in main
    # Issued by the platform: not a "never commissioned" fake, whether or not an event names it yet.
    assert 'class="portal-warning"' not in html
    assert AuthenticityAlert.objects.count() == 0
    assert ScanCounter.objects.get(code=f"{TRACE}{codes[0]}").count == 1
    # The grouped spelling on a receipt and the platform URI land on the same page and counter.
    grouped = f"{codes[0][:10]}-{codes[0][10:16]}-{codes[0][16:]}"
    assert "已查询 2 次" in client.get(f"/t/{grouped}").content.decode()
    assert "已查询 3 次" in client.get(f"/t/{TRACE}{codes[0]}").content.decode()
    assert ScanCounter.objects.count() == 1


def test_english_on_request(client, codes):
    html = client.get(f"/t/{codes[1]}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in html
    main = _main(html)
    assert "<h1>Shanghai pak choi</h1>" in main
    assert '<dt>Lot</dt><dd class="mono">HX20261120</dd>' in main
    assert "Lüye Vegetable Cooperative, Houxi, Jimei" in main
    assert "Looked up 1 time" in main


def test_a_warm_page_of_an_allocated_code_costs_one_query_more_than_a_gs1_serial(client, codes):
    client.get(f"/t/{codes[0]}")  # fills the caches: the product (by id), the page shell
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/t/{codes[1]}")
    assert response.status_code == 200
    statements = _statements(queries)
    # The allocation range holding the code (one indexed look-up), the code's own events, then the
    # scan: one statement on PostgreSQL, the counter read, its insert and the scan row elsewhere.
    assert len(statements) == (3 if connection.vendor == "postgresql" else 5), "\n".join(statements)
    assert "registry_codeallocation" in statements[0] and "ORDER BY" in statements[0]
    assert "registry_product" not in "\n".join(statements)


def test_events_carrying_the_platform_uri_make_the_timeline_and_badges(client, codes):
    uri = f"{TRACE}{codes[2]}"
    capture(
        [
            event(
                "ObjectEvent",
                at(-2, "07:00"),
                what={"epcList": [uri]},
                action="ADD",
                biz_step="commissioning",
                disposition="active",
                read_point=data.COOP_BASE,
                biz_location=data.COOP_BASE,
                ilmd={"cbvmda:lotNumber": "HX20261120"},
            ),
            event(
                "ObjectEvent",
                at(-2, "09:30"),
                what={"epcList": [uri]},
                action="OBSERVE",
                biz_step="shipping",
                disposition="in_transit",
                read_point=data.COOP_BASE,
                transactions=[
                    {
                        "type": "cert",
                        "bizTransaction": "urn:tracehub:doc:produce_compliance_certificate:HG-0001",
                    }
                ],
            ),
        ]
    )
    html = client.get(f"/t/{codes[2]}").content.decode()
    assert _steps(html) == ["生产赋码", "发货"]
    main = _main(html)
    assert "绿野蔬菜种植基地 · 集美区" in main
    assert '<span class="badge-label">承诺达标合格证</span> <span class="mono">HG-0001</span>' in main


def test_a_recall_of_the_code_shows_the_banner(client, codes):
    uri = f"{TRACE}{codes[0]}"
    capture(
        [
            event(
                "ObjectEvent",
                at(-2, "07:00"),
                what={"epcList": [uri]},
                action="ADD",
                biz_step="commissioning",
                disposition="active",
                read_point=data.COOP_BASE,
                biz_location=data.COOP_BASE,
            )
        ]
    )
    assert 'data-testid="recall-banner"' not in client.get(f"/t/{codes[0]}").content.decode()
    recall_declare(actor=SYSTEM, key=uri, identifier=uri, reason="农药残留超标")
    html = client.get(f"/t/{codes[0]}").content.decode()
    banner = html[html.index('data-testid="recall-banner"') :]
    banner = banner[: banner.index("</section>")]
    assert "已召回：请勿使用该产品" in banner and "农药残留超标" in banner
    # Another code of the allocation is not recalled.
    assert 'data-testid="recall-banner"' not in client.get(f"/t/{codes[1]}").content.decode()


def test_a_recall_of_the_allocated_lot_reaches_its_platform_codes(client, demo):
    """Platform codes allocated for a product with a GTIN: the recall of the allocation's lot
    (``01/{gtin}/10/{lot}``) covers every code of it, though no event names the codes yet."""
    drug = Product.objects.get(gtin=data.DRUG.gtin)
    codes = allocate(drug, count=2, lot="P2699")
    lot_key = f"01/{data.DRUG.gtin}/10/P2699"
    recall_declare(actor=SYSTEM, key=lot_key, identifier=lot_key, reason="溶出度不合格")
    html = client.get(f"/t/{codes[1]}").content.decode()
    assert "<h1>布洛芬缓释胶囊 0.3g×20粒</h1>" in html
    assert 'data-testid="recall-banner"' in html and "溶出度不合格" in html


def test_linkset_for_machines(client, codes):
    response = client.get(f"/t/{codes[0]}?linkType=all")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/linkset+json"
    entry = orjson.loads(response.content)["linkset"][0]
    page = f"http://testserver/t/{codes[0]}"
    assert entry["anchor"] == page  # no GS1 Digital Link: the page is the code's own URL
    assert entry["https://gs1.org/voc/pip"] == [
        {"href": page, "title": "产品追溯页面", "type": "text/html", "hreflang": ["zh", "en"]}
    ]
    assert entry["https://gs1.org/voc/traceability"][0]["href"] == (
        f"http://testserver/api/v1/public/codes?code=%2Ft%2F{codes[0]}"
    )
    assert ScanCounter.objects.count() == 0  # a machine is not a scan
    unallocated = _unallocated(codes[-1])
    missing = client.get(f"/t/{unallocated}", HTTP_ACCEPT="application/linkset+json")
    assert missing.status_code == 404
    assert orjson.loads(missing.content) == {"title": "Not found", "status": 404, "detail": unallocated}


def test_the_consumer_api_answers_an_allocated_code(client, codes):
    response = client.get("/api/v1/public/codes", {"code": codes[0]})
    assert response.status_code == 200
    body = response.json()
    assert (body["code"], body["key"], body["kind"], body["lot"]) == (
        codes[0],
        f"{TRACE}{codes[0]}",
        "platform",
        "HX20261120",
    )
    assert body["product"]["name"] == "上海青"
    assert body["producer"]["name"] == "厦门市集美区后溪绿野蔬菜专业合作社"
    assert body["warnings"] == []
    assert client.get("/api/v1/public/codes", {"code": _unallocated(codes[-1])}).status_code == 404


def _unallocated(last: str) -> str:
    """The code right after the last one allocated: well-formed (check digits right), never issued."""
    head = f"{last[:16]}{int(last[16:20]) + 1:04d}"
    return head + mod_97_10.calc_check_digits(head)


def test_a_well_formed_code_never_issued_is_a_404_page(client, codes):
    unallocated = _unallocated(codes[-1])
    response = client.get(f"/t/{unallocated}")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "<h1>未找到该追溯码</h1>" in html
    assert (
        '<p data-testid="never-issued">平台从未发放过该追溯码：没有任何赋码记录包含它。'
        "请检查是否输入完整；包装上印有平台从未发放的追溯码，可能是假冒产品。</p>"
    ) in html
    assert f'<p class="mono code">{unallocated}</p>' in html
    english = client.get(f"/t/{unallocated}", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 404
    assert (
        '<p data-testid="never-issued">The platform never issued this trace code: no code allocation '
        "holds it. Check that it was typed completely; a code on a pack that the platform never issued "
        "may be fake.</p>"
    ) in english.content.decode()
    assert ScanCounter.objects.count() == 0
    # A code of another party's numbering space (another district and node) is not held either.
    other = "35020300992611280000"
    other += mod_97_10.calc_check_digits(other)
    assert client.get(f"/t/{other}").status_code == 404


def test_a_code_never_issued_but_reported_in_an_event_is_a_suspect(client, codes):
    """Events name a well-formed trace code no allocation holds: the page shows the events, with
    the "never issued" warning and an alert for the bureau."""
    unallocated = _unallocated(codes[-1])
    capture(
        [
            event(
                "ObjectEvent",
                at(-1, "08:00"),
                what={"epcList": [f"{TRACE}{unallocated}"]},
                action="OBSERVE",
                biz_step="receiving",
                disposition="in_progress",
                read_point=data.FARMERS_MARKET_SITE,
            )
        ]
    )
    response = client.get(f"/t/{unallocated}")
    assert response.status_code == 200
    html = response.content.decode()
    assert _steps(html) == ["收货"]
    assert 'data-kind="never_commissioned"' in html
    assert AuthenticityAlert.objects.get().kind == AlertKind.NEVER_COMMISSIONED


@pytest.mark.parametrize(
    "code",
    [
        "3502110001261120000000",  # wrong check digits
        "350211000126112000001",  # 21 digits: no platform code is that long
        "35021100012611200000AB",  # letters
        "urn:tracehub:code:trace:123",
    ],
)
def test_malformed_codes_are_a_400_page(client, db, code):
    response = client.get(f"/t/{code}")
    assert response.status_code == 400
    html = response.content.decode()
    assert "<h1>无效的追溯码</h1>" in html
    assert 'data-field="code"' in html
    english = client.get(f"/t/{code}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h1>Invalid code</h1>" in english


def test_the_allocation_look_up_is_one_indexed_query(pak_choi):
    codes = allocate(pak_choi, count=5, lot="L1") + allocate(pak_choi, count=4, lot="L2")
    party = Party.objects.get(pk=pak_choi.party_id)
    for position, code in enumerate(codes):
        with CaptureQueriesContext(connection) as queries:
            found = registry_selectors.code_allocation_holding(platform_code=code)
        assert len(queries.captured_queries) == 1
        assert found is not None
        assert (found["product_id"], found["party_id"], found["lot"]) == (
            pak_choi.pk,
            party.pk,
            "L1" if position < 5 else "L2",
        )
        assert set(found) == {"id", "party_id", "product_id", "lot"}
    assert registry_selectors.code_allocation_holding(platform_code=f"{TRACE}{codes[3]}")["lot"] == "L1"
    for nothing in (_unallocated(codes[-1]), "nonsense", "urn:tracehub:code:drug:81234560000012345678"):
        assert registry_selectors.code_allocation_holding(platform_code=nothing) is None, nothing
