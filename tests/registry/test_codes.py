"""Code allocation (赋码, issue #5 item 2): ranges never overlap, codes never repeat, every code is
found again by one indexed look-up, refusals name their field, and the API and console serve CSV
and labels. Concurrency on PostgreSQL: test_codes_concurrency.py."""

from __future__ import annotations

import csv
import io
import re

import orjson
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from stdnum.iso7064 import mod_11_10

from tracehub.accounts.models import AuditEntry
from tracehub.core.errors import Conflict
from tracehub.identifiers import parse_platform_trace_code
from tracehub.identifiers.serials import SerialCipher
from tracehub.registry import selectors, services
from tracehub.registry.models import CodeAllocation, CodeCounter, CodeNode, Product

from .world import GTIN_B, PREFIX_A, SYSTEM, close_response, gtin

pytestmark = pytest.mark.django_db

JSON = "application/json"


def allocate(world, role="admin", **fields):
    data = {"party": world.party_a, "product": world.product_a, "count": 10, "scheme": "gs1", "lot": "L1"}
    data.update(fields)
    return services.code_allocation_create(actor=world.actor(role), **data)


def codes_of(allocation) -> list[str]:
    return list(selectors.code_allocation_codes(allocation))


def service_errors(call) -> dict[str, list[str]]:
    """The field errors of a refused call, in English."""
    with translation.override("en"), pytest.raises(ValidationError) as info:
        call()
    with translation.override("en"):
        return info.value.message_dict


def body(response) -> bytes:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    close_response(response)
    return content


# -- the service -------------------------------------------------------------------------------------


def test_an_allocation_records_its_range_who_and_when(world):
    before = timezone.now()
    allocation = allocate(world, count=1000)
    assert (allocation.scheme, allocation.counter_key) == ("gs1", world.product_a.gtin)
    assert (allocation.first_sequence, allocation.last_sequence, allocation.count) == (0, 999, 1000)
    assert (allocation.party, allocation.product, allocation.lot) == (world.party_a, world.product_a, "L1")
    assert allocation.created_by == world.users["admin"]
    assert allocation.created_by_client is None
    assert allocation.actor_label == "admin-a"
    assert allocation.created_at >= before
    assert CodeCounter.objects.get(scheme="gs1", key=world.product_a.gtin).next_sequence == 1000
    audit = AuditEntry.objects.get(action="registry.code.allocate")
    assert (audit.object_id, audit.party_ref, audit.actor_label) == (
        str(allocation.pk),
        world.party_a.pk,
        "admin-a",
    )
    assert audit.after["first_sequence"] == 0 and audit.after["count"] == 1000
    # An API client is recorded as the client.
    by_key = allocate(world, role="party_client", count=5)
    assert by_key.created_by is None and by_key.created_by_client == world.clients["party_client"]
    assert (by_key.first_sequence, by_key.last_sequence) == (1000, 1004)


def test_allocations_follow_each_other_and_no_code_repeats(world):
    first = allocate(world, count=300, lot="L1")
    second = allocate(world, role="staff", count=200, lot="L2")
    third = allocate(world, role="party_client", count=1, lot="")
    assert [(a.first_sequence, a.last_sequence) for a in (first, second, third)] == [
        (0, 299),
        (300, 499),
        (500, 500),
    ]
    serials = codes_of(first) + codes_of(second) + codes_of(third)
    assert len(serials) == 501 and len(set(serials)) == 501
    for serial in serials:
        assert re.fullmatch(r"\d{13}", serial) and mod_11_10.is_valid(serial)
    # Not the sequence in disguise: consecutive sequences give unrelated serials.
    assert serials != sorted(serials)
    assert sum(a[:6] == b[:6] for a, b in zip(serials, serials[1:], strict=False)) < 5
    # A slice is the same codes as the whole list at those positions.
    assert list(selectors.code_allocation_codes(first, start=17, stop=20)) == codes_of(first)[17:20]


def test_each_gtin_has_its_own_secret_permutation(world):
    other = services.product_create(
        actor=SYSTEM, party=world.party_a, gtin=gtin(PREFIX_A, "002"), name="冷鲜猪肉", sectors=["food"]
    )
    a = allocate(world, count=50)
    b = allocate(world, product=other, count=50)
    assert a.first_sequence == b.first_sequence == 0
    assert set(codes_of(a)).isdisjoint(codes_of(b))
    secrets = set(CodeCounter.objects.filter(scheme="gs1").values_list("secret", flat=True))
    assert len(secrets) == 2 and all(len(s) == 32 for s in secrets)


def test_a_serial_is_found_again_by_two_indexed_lookups(world):
    a = allocate(world, count=100, lot="L1")
    b = allocate(world, count=100, lot="L2")
    gtin14 = world.product_a.gtin
    for allocation in (a, b):
        codes = codes_of(allocation)
        for serial in (codes[0], codes[57], codes[-1]):
            with CaptureQueriesContext(connection) as ctx:
                found = selectors.code_allocation_find(gtin=gtin14, serial=serial)
            assert found == allocation and found.lot == allocation.lot
            assert len(ctx.captured_queries) == 2
            assert found.product.name == "冷鲜猪白条" and found.party.name == world.party_a.name
    # GTIN-13 spelling of the same GTIN.
    assert selectors.code_allocation_find(gtin=gtin14[1:], serial=codes_of(a)[3]) == a
    cipher = SerialCipher(bytes.fromhex(CodeCounter.objects.get(key=gtin14).secret))
    never_issued = cipher.encode(200)  # the next sequence: valid form, not allocated
    typo = codes_of(a)[0][:-1] + str((int(codes_of(a)[0][-1]) + 1) % 10)
    for gtin_value, serial in (
        (gtin14, never_issued),
        (gtin14, typo),
        (gtin14, "ABC"),
        (gtin14, ""),
        (GTIN_B, codes_of(a)[0]),  # a GTIN without allocations
        ("12345", codes_of(a)[0]),  # not a GTIN
    ):
        assert selectors.code_allocation_find(gtin=gtin_value, serial=serial) is None, (gtin_value, serial)
    assert selectors.code_allocation_find() is None


def test_platform_trace_codes_carry_district_node_day_and_sequence(world):
    product = services.product_create(
        actor=SYSTEM,
        party=world.party_a,
        platform_code=f"urn:tracehub:product:{world.party_a.uscc}:pork",
        name="散装猪肉",
        sectors=["meat_veg"],
    )
    a = allocate(world, product=product, scheme="platform", count=3, lot="")
    b = allocate(world, product=product, scheme="platform", count=2, lot="20261128")
    today = timezone.localdate()
    assert a.counter_key == b.counter_key == f"3502130001{today:%y%m%d}"
    codes = codes_of(a) + codes_of(b)
    assert [parse_platform_trace_code(c).sequence for c in codes] == ["0000", "0001", "0002", "0003", "0004"]
    parsed = parse_platform_trace_code(codes[0])
    assert (parsed.district, parsed.node, parsed.day) == ("350213", "0001", today)
    # Party B (思明) gets its own node 0001 of its own district.
    product_b = services.product_create(
        actor=SYSTEM,
        party=world.party_b,
        platform_code="urn:example:drug:1",
        name="板蓝根颗粒",
        sectors=["drug"],
        attributes={"approval_number": "国药准字H35021187"},
    )
    c = services.code_allocation_create(
        actor=SYSTEM, party=world.party_b, product=product_b, count=1, scheme="platform"
    )
    assert c.counter_key == f"3502030001{today:%y%m%d}"
    assert list(CodeNode.objects.order_by("district").values_list("district", "node")) == [
        ("350203", 1),
        ("350213", 1),
    ]
    code = codes[3]
    grouped = f"{code[:10]}-{code[10:16]}-{code[16:]}"
    for spelling in (code, grouped, f"urn:tracehub:code:trace:{code}"):
        with CaptureQueriesContext(connection) as ctx:
            assert selectors.code_allocation_find(platform_code=spelling) == b
        assert len(ctx.captured_queries) == 1
    unallocated = f"{code[:16]}0005"
    from stdnum.iso7064 import mod_97_10

    for spelling in (
        unallocated + mod_97_10.calc_check_digits(unallocated),
        code[:-2] + ("00" if code[-2:] != "00" else "01"),
        "urn:tracehub:code:drug:81234560000012345678",
        "nonsense",
    ):
        assert selectors.code_allocation_find(platform_code=spelling) is None, spelling


def test_platform_codes_stop_at_ten_thousand_a_day(world):
    product = services.product_create(
        actor=SYSTEM,
        party=world.party_a,
        platform_code="urn:example:veg:1",
        name="青菜",
        sectors=["meat_veg"],
    )
    full = allocate(world, product=product, scheme="platform", count=10_000)
    assert (full.first_sequence, full.last_sequence) == (0, 9999)
    assert service_errors(lambda: allocate(world, product=product, scheme="platform", count=1)) == {
        "count": ["Only 0 platform trace codes are left for today (10,000 a day per node)."]
    }
    assert CodeAllocation.objects.count() == 1


def test_who_may_allocate(world):
    for role in ("admin", "staff", "party_client", "operator", "platform_client"):
        assert allocate(world, role=role, count=1).count == 1
    for role in ("official", "department_client"):
        with pytest.raises(PermissionDenied):
            allocate(world, role=role)
    for role in ("official_other", "admin_other", "auditor"):
        with pytest.raises(Product.DoesNotExist):
            allocate(world, role=role)
    assert CodeAllocation.objects.count() == 5


def test_only_an_approved_party_gets_codes(world):
    services.filing_suspend(actor=SYSTEM, filing=world.filing_a, reason="检查")
    with translation.override("en"), pytest.raises(Conflict) as info:
        allocate(world)
    with translation.override("en"):
        assert str(info.value.message) == (
            "Codes are allocated only to filed parties; this party's filing is: Suspended (已暂停)."
        )
    assert not CodeAllocation.objects.exists() and not CodeCounter.objects.exists()


def test_bad_input_is_refused_by_field(world):
    assert service_errors(lambda: allocate(world, count=0, lot="a b", scheme="gs2")) == {
        "count": ["Expected a whole number from 1 to 1000000."],
        "lot": [
            "Not a valid GS1 lot number (AI 10): (10) value 'a b' contains ' ', which is not allowed "
            "there (GS1 AI encodable character set 82; format X..20)"
        ],
        "scheme": ["Expected one of: gs1, platform."],
    }
    assert set(service_errors(lambda: allocate(world, count=1_000_001))) == {"count"}
    assert set(service_errors(lambda: allocate(world, count=True))) == {"count"}
    assert set(service_errors(lambda: allocate(world, party=world.party_b))) == {"product"}
    no_gtin = services.product_create(
        actor=SYSTEM,
        party=world.party_a,
        platform_code="urn:example:veg:2",
        name="白菜",
        sectors=["meat_veg"],
    )
    assert service_errors(lambda: allocate(world, product=no_gtin, scheme="gs1")) == {
        "scheme": ["GS1 serial numbers need a product with a GTIN; use platform trace codes."]
    }
    services.product_update(actor=SYSTEM, product=world.product_a, active=False)
    world.product_a.refresh_from_db()
    assert service_errors(lambda: allocate(world)) == {"product": ["The product is inactive."]}
    assert not CodeAllocation.objects.exists()


# -- the API ------------------------------------------------------------------------------------------


def post(http, data):
    return http.post("/api/v1/codes", data=orjson.dumps(data), content_type=JSON)


def problem_paths(response) -> set[str]:
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    return {e["path"] for e in response.json()["errors"]}


def test_api_allocates_and_answers_the_range(world):
    http = world.http("party_client")
    response = post(http, {"productId": world.product_a.pk, "scheme": "gs1", "count": 25, "lot": "L7"})
    assert response.status_code == 201, response.content
    data = response.json()
    allocation = CodeAllocation.objects.get()
    codes = codes_of(allocation)
    assert data == {
        "id": allocation.pk,
        "partyId": world.party_a.pk,
        "partyName": "厦门翔润肉类食品有限公司",
        "productId": world.product_a.pk,
        "productName": "冷鲜猪白条",
        "gtin": world.product_a.gtin,
        "lot": "L7",
        "scheme": "gs1",
        "counterKey": world.product_a.gtin,
        "firstSequence": 0,
        "lastSequence": 24,
        "count": 25,
        "createdBy": "client:翔润 ERP",
        "createdAt": data["createdAt"],
        "firstCode": codes[0],
        "lastCode": codes[-1],
        "labelPages": {"a4": 1, "roll": 25},
    }
    assert world.http("official").get(f"/api/v1/codes/{allocation.pk}").json()["lastCode"] == codes[-1]


def test_api_list_is_filtered_paged_and_costs_the_same_whatever_its_size(world):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = world.http("platform_client").get("/api/v1/codes", {"limit": 100})
        assert response.status_code == 200
        return len(ctx.captured_queries)

    allocate(world, count=5, lot="A")
    one = queries()
    for lot in ("B", "C", "D", "E"):
        allocate(world, count=5, lot=lot)
    assert queries() == one
    http = world.http("admin")
    page = http.get("/api/v1/codes", {"lot": "C"}).json()
    assert (page["count"], [i["lot"] for i in page["items"]]) == (1, ["C"])
    page = http.get("/api/v1/codes", {"limit": 2, "offset": 1}).json()
    assert (page["count"], [i["lot"] for i in page["items"]]) == (5, ["D", "C"])
    assert http.get("/api/v1/codes", {"scheme": "platform"}).json()["count"] == 0
    assert world.http("admin_other").get("/api/v1/codes").json()["count"] == 0
    assert world.http("official").get("/api/v1/codes").json()["count"] == 5
    assert world.http("official_other").get("/api/v1/codes").json()["count"] == 0


def test_api_names_each_wrong_field(world):
    http = world.http("admin")
    assert problem_paths(
        post(http, {"productId": world.product_a.pk, "scheme": "x", "count": 0, "colour": 1})
    ) == {
        "scheme",
        "count",
        "colour",
    }
    assert problem_paths(
        post(http, {"productId": world.product_a.pk, "scheme": "gs1", "count": 2, "lot": "a b"})
    ) == {"lot"}
    assert problem_paths(post(http, {"scheme": "gs1", "count": "many"})) == {"productId", "count"}
    assert problem_paths(post(http, {"productId": world.product_a.pk, "scheme": "gs1", "count": True})) == {
        "count"
    }
    assert post(http, {"productId": 999999, "scheme": "gs1", "count": 1}).status_code == 404
    allocation = allocate(world, count=40)
    base = f"/api/v1/codes/{allocation.pk}"
    assert problem_paths(http.get(f"{base}/labels.html", {"pages": "0"})) == {"pages"}
    assert problem_paths(http.get(f"{base}/labels.pdf", {"pages": "2-1"})) == {"pages"}
    assert problem_paths(http.get(f"{base}/labels.pdf", {"pages": "x"})) == {"pages"}
    assert problem_paths(http.get(f"{base}/labels.html", {"layout": "a5"})) == {"layout"}
    assert problem_paths(http.get(f"{base}/labels.png", {"index": 41})) == {"index"}
    assert problem_paths(http.get(f"{base}/labels.svg", {"index": "first"})) == {"index"}
    roll = http.get(f"{base}/labels.pdf", {"layout": "roll", "pages": "1-40"})
    assert roll.status_code == 200 and body(roll).count(b"/Type /Page\n") == 40
    big = allocate(world, count=5000)
    assert problem_paths(http.get(f"/api/v1/codes/{big.pk}/labels.html", {"pages": "1-29"})) == {"pages"}
    assert http.get(f"/api/v1/codes/{big.pk}/labels.html", {"pages": "1-28"}).status_code == 200


def test_api_refuses_codes_to_an_unfiled_party(world):
    services.filing_revoke(actor=SYSTEM, filing=world.filing_a, reason="test")
    response = post(world.http("admin"), {"productId": world.product_a.pk, "scheme": "gs1", "count": 1})
    assert response.status_code == 409
    assert response.json()["type"] == "epcisException:ConflictException"


def test_csv_streams_every_code_with_its_uri(world, settings):
    settings.TRACEHUB_DIGITAL_LINK_BASE = "https://trace.example.cn"
    allocation = allocate(world, count=20_000, lot="L,9")  # a comma in a lot: quoted
    response = world.http("staff").get(f"/api/v1/codes/{allocation.pk}/codes.csv")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(body(response).decode())))
    assert rows[0] == ["index", "gtin", "lot", "serial", "uri", "element_string"]
    assert len(rows) == 20_001
    codes = codes_of(allocation)
    g = world.product_a.gtin
    assert rows[1] == [
        "1",
        g,
        "L,9",
        codes[0],
        f"https://trace.example.cn/01/{g}/10/L%2C9/21/{codes[0]}",
        f"(01){g}(10)L,9(21){codes[0]}",
    ]
    assert rows[-1][0] == "20000" and rows[-1][3] == codes[-1]
    assert [r[3] for r in rows[1:]] == codes


def test_csv_writes_a_formula_like_lot_as_text(world):
    # GS1 set 82 allows a lot such as "=1+2"; a spreadsheet must not run it (CSV injection).
    allocation = allocate(world, count=2, lot="=1+2")
    rows = list(
        csv.reader(
            io.StringIO(body(world.http("staff").get(f"/api/v1/codes/{allocation.pk}/codes.csv")).decode())
        )
    )
    assert [r[2] for r in rows[1:]] == ["'=1+2", "'=1+2"]
    assert rows[1][5].startswith("(01)")  # the element string itself starts safely and is kept as is


def test_platform_csv_and_labels_point_at_the_platform_page(world):
    product = services.product_create(
        actor=SYSTEM,
        party=world.party_a,
        platform_code="urn:example:veg:3",
        name="芥菜",
        sectors=["meat_veg"],
    )
    allocation = allocate(world, product=product, scheme="platform", count=3, lot="")
    http = world.http("admin")
    rows = list(csv.reader(io.StringIO(body(http.get(f"/api/v1/codes/{allocation.pk}/codes.csv")).decode())))
    code = codes_of(allocation)[1]
    assert rows[0] == ["index", "code", "printed", "uri"]
    assert rows[2] == ["2", code, f"{code[:10]}-{code[10:16]}-{code[16:]}", f"http://testserver/t/{code}"]
    svg = body(http.get(f"/api/v1/codes/{allocation.pk}/labels.svg", {"index": 2})).decode()
    assert (
        f'aria-label="http://testserver/t/{code}"' in svg and f"{code[:10]}-{code[10:16]}-{code[16:]}" in svg
    )


def test_label_sheets_hold_the_requested_pages(world):
    allocation = allocate(world, count=100)
    http = world.http("admin")
    codes = codes_of(allocation)
    page2 = http.get(f"/api/v1/codes/{allocation.pk}/labels.html", {"pages": "2-3"})
    assert page2.status_code == 200 and page2["Content-Type"] == "text/html; charset=utf-8"
    html = body(page2).decode()
    assert html.count('<section class="sheet sheet-a4"') == 2
    assert html.count('<figure class="label"') == 65  # positions 36-100
    assert f"(21) {codes[35]}" in html and f"(21) {codes[99]}" in html and f"(21) {codes[34]}" not in html
    assert '<link rel="stylesheet" href="/static/registry/labels.css">' in html and "<script" not in html
    pdf = http.get(f"/api/v1/codes/{allocation.pk}/labels.pdf", {"pages": "1-3"})
    assert pdf["Content-Type"] == "application/pdf"
    content = body(pdf)
    assert content.startswith(b"%PDF-") and content.count(b"/Type /Page\n") == 3


# -- the console --------------------------------------------------------------------------------------


def test_console_allocates_and_prints(world):
    http = world.http("admin")
    page = http.get("/console/registry/codes/new/")
    assert page.status_code == 200 and "赋码" in page.content.decode()
    response = http.post(
        "/console/registry/codes/new/",
        {"product": world.product_a.pk, "scheme": "gs1", "count": 12, "lot": "L3"},
    )
    allocation = CodeAllocation.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/console/registry/codes/{allocation.pk}/"
    detail = http.get(response["Location"]).content.decode()
    codes = codes_of(allocation)
    assert codes[0] in detail and codes[-1] in detail and detail.count("<svg") >= 6
    listing = http.get("/console/registry/codes/").content.decode()
    assert f"/console/registry/codes/{allocation.pk}/" in listing
    csv_response = http.get(f"/console/registry/codes/{allocation.pk}/codes.csv")
    assert body(csv_response).decode().count("\r\n") == 13
    sheet = http.get(
        f"/console/registry/codes/{allocation.pk}/labels/",
        {"layout": "roll", "pages": "1-12", "format": "html"},
    )
    assert body(sheet).decode().count('<figure class="label"') == 12
    pdf = http.get(
        f"/console/registry/codes/{allocation.pk}/labels/", {"layout": "a4", "pages": "1", "format": "pdf"}
    )
    assert body(pdf).startswith(b"%PDF-")
    wrong = http.get(
        f"/console/registry/codes/{allocation.pk}/labels/", {"layout": "a4", "pages": "9", "format": "pdf"}
    )
    assert wrong.status_code == 302 and wrong["Location"] == f"/console/registry/codes/{allocation.pk}/"


def test_console_form_shows_service_errors_on_fields(world):
    services.filing_suspend(actor=SYSTEM, filing=world.filing_a, reason="检查")
    http = world.http("staff")
    response = http.post(
        "/console/registry/codes/new/",
        {"product": world.product_a.pk, "scheme": "gs1", "count": 5, "lot": "a b"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"lot"}
    response = http.post(
        "/console/registry/codes/new/",
        {"product": world.product_a.pk, "scheme": "gs1", "count": 5, "lot": "L1"},
    )
    assert set(response.context["form"].errors) == {"__all__"}  # the filing is suspended
    assert not CodeAllocation.objects.exists()


def test_console_officials_read_records_but_not_codes(world):
    allocation = allocate(world, count=30)
    codes = codes_of(allocation)
    official = world.http("official")
    detail = official.get(f"/console/registry/codes/{allocation.pk}/")
    assert detail.status_code == 200
    text = detail.content.decode()
    assert (
        "admin-a" in text
        and codes[0] not in text
        and "<svg"
        not in text.split("console-bar")[-1].split("</main>")[0].replace('<svg viewBox="0 0 24 24"', "")
    )
    assert official.get(f"/console/registry/codes/{allocation.pk}/codes.csv").status_code == 403
    assert official.get("/console/registry/codes/new/").status_code == 403
    assert world.http("official_other").get(f"/console/registry/codes/{allocation.pk}/").status_code == 404
    assert world.http("admin_other").get(f"/console/registry/codes/{allocation.pk}/").status_code == 404


def test_console_list_costs_the_same_whatever_its_size(world):
    http = world.http("admin")

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert http.get("/console/registry/codes/", {"per_page": 50}).status_code == 200
        return len(ctx.captured_queries)

    allocate(world, count=1, lot="A")
    one = queries()
    for lot in "BCDEFG":
        allocate(world, count=1, lot=lot)
    assert queries() == one
