"""The permission matrix of docs/permissions.md, walked over every /api/v1/ route (issue #3 item 4).

The route list comes from the ninja API object itself: a new route without a row in the matrix
(or without a request case here) fails. Every route is then called as every role, each call in a
savepoint rolled back afterwards, so each role meets the same world.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import orjson
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from tracehub.api import api_v1
from tracehub.epcis.services import capture_document_store
from tracehub.registry import services
from tracehub.registry.imports import import_batch_create

from ..sectors.agri_matrix import agri_cases
from .world import (
    GTIN_A,
    PDF,
    PREFIX_A,
    REPO_DOCS,
    ROLES,
    SGLN_A,
    SYSTEM,
    USCC_A,
    World,
    close_response,
    gln,
    make_uscc,
)

MATRIX_ROW = re.compile(r"^\| `(GET|POST|PATCH|PUT|DELETE) (/api/v1/\S*)` \|(.*)\|\s*$")


def read_matrix() -> dict[tuple[str, str], dict[str, int]]:
    matrix = {}
    for line in (REPO_DOCS / "permissions.md").read_text(encoding="utf-8").splitlines():
        match = MATRIX_ROW.match(line)
        if match:
            codes = [int(c.strip()) for c in match.group(3).split("|")]
            assert len(codes) == len(ROLES), f"row {line!r} has {len(codes)} columns, expected {len(ROLES)}"
            matrix[(match.group(1), match.group(2))] = dict(zip(ROLES, codes, strict=True))
    return matrix


def api_routes() -> set[tuple[str, str]]:
    schema = api_v1.get_openapi_schema()
    return {(method.upper(), path) for path, operations in schema["paths"].items() for method in operations}


MATRIX = read_matrix()


@dataclass
class Case:
    """How to call one route: path parameters, a JSON body or files, and a state to set up first."""

    params: Callable[[World], dict[str, Any]] = lambda w: {}
    body: Callable[[World], Any] | None = None
    files: Callable[[World], dict[str, Any]] | None = None
    setup: Callable[[World], None] | None = None
    #: The query string: a dict, or a function of the world (for a party's id).
    query: dict[str, Any] | Callable[[World], dict[str, Any]] = field(default_factory=dict)


def _submitted(w: World) -> None:
    services.filing_revoke(actor=SYSTEM, filing=w.filing_a, reason="test")
    w.filing_a = services.filing_submit(actor=SYSTEM, party=w.party_a)


def _more_info(w: World) -> None:
    _submitted(w)
    services.filing_request_info(actor=SYSTEM, filing=w.filing_a, reason="licence scan unreadable")


def _suspended(w: World) -> None:
    services.filing_suspend(actor=SYSTEM, filing=w.filing_a, reason="test")


def _spare_key(w: World) -> None:
    client, _key = services.party_api_client_create(actor=SYSTEM, party=w.party_a, name="spare")
    w.spare_prefix = client.key_prefix


LOT_A = f"urn:epc:class:lgtin:{PREFIX_A}.0001.L1"


def _lot_captured(w: World) -> None:
    """One event about a lot of party A, so the trace routes have something to trace."""
    event = {
        "type": "ObjectEvent",
        "eventTime": "2026-11-16T08:00:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "quantityList": [{"epcClass": LOT_A, "quantity": 10, "uom": "KGM"}],
        "action": "ADD",
        "bizStep": "commissioning",
        "readPoint": {"id": SGLN_A},
    }
    document = {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-11-16T09:00:00.000+08:00",
        "epcisBody": {"eventList": [event]},
    }
    outcome = capture_document_store(client=None, document=document)
    assert outcome.job.captured_count == 1, outcome.errors


def _locations_file(w: World) -> bytes:
    return (
        "所属主体统一社会信用代码,场所编码,场所名称,场所类型\r\n"
        f"{USCC_A},urn:tracehub:loc:{USCC_A}:import-1,分割车间,工厂\r\n"
    ).encode("utf-8-sig")


def _import_batch(w: World) -> None:
    """A checked import of party A's administrator, ready to commit."""
    batch = import_batch_create(
        actor=w.actor("admin"), kind="locations", content=_locations_file(w), filename="locations.csv"
    )
    assert batch.status == "ready", batch.errors
    w.import_batch_id = batch.pk


def _recall_declared(w: World) -> None:
    _lot_captured(w)
    response = w.http("platform_client").post(
        "/api/v1/recalls", data=orjson.dumps({"id": LOT_A, "reason": "test"}), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    w.recall_id = response.json()["recallID"]


def _code_allocation(w: World) -> None:
    """40 GS1 serials of party A's product, allocated by the platform (docs/codes.md)."""
    allocation = services.code_allocation_create(
        actor=SYSTEM, party=w.party_a, product=w.product_a, count=40, scheme="gs1", lot="L1"
    )
    w.allocation_id = allocation.pk


# The sector routes' subjects are set up by the helpers of their own permission tests
# (tests/sectors/test_*permissions.py), imported when called: those modules import this one.


def _voucher_issued(w: World) -> None:
    """A sale at party A's location to a filed canteen, with its trace voucher."""
    from tests.sectors.test_permissions import _voucher

    w.voucher_code = _voucher(w)


def _slip_issued(w: World) -> None:
    """A wholesale shipment of liquor by party A to a filed retailer, with its accompanying slip."""
    from tests.sectors.test_liquor_permissions import _slip

    w.slip_number = _slip(w)


def _import_recorded(w: World) -> None:
    """An import record of party A as importer, inside its retention period (sets ``record_id``)."""
    from tests.sectors.test_drug_permissions import _import_record

    _import_record(w)


def _agri_input_cases() -> dict[tuple[str, str], Case]:
    from tests.sectors.test_agri_input_permissions import agri_input_cases

    return agri_input_cases(Case)


MEAT_LOT_A = f"https://id.gs1.org/01/{GTIN_A}/10/L1"
LIQUOR_LOT_A = f"https://id.gs1.org/01/{GTIN_A}/10/P1"
SSCC_A = f"urn:epc:id:sscc:{PREFIX_A}.01234567"
ITEM_A = f"urn:epc:id:sgtin:{PREFIX_A}.0001.S1"
RECORD = lambda w: {"record_id": w.record_id}  # noqa: E731
OF_PARTY_A = lambda w: {"party": w.party_a.pk}  # noqa: E731
ALLOCATION = lambda w: {"allocation_id": w.allocation_id}  # noqa: E731
RECALL = lambda w: {"recall_id": w.recall_id}  # noqa: E731
IMPORT = lambda w: {"batch_id": w.import_batch_id}  # noqa: E731
PARTY = lambda w: {"party_id": w.party_a.pk}  # noqa: E731
FILING = lambda w: {"filing_id": w.filing_a.pk}  # noqa: E731
LICENCE = lambda w: {"licence_id": w.licence_a.pk}  # noqa: E731
LOCATION = lambda w: {"location_id": w.location_a.pk}  # noqa: E731
PRODUCT = lambda w: {"product_id": w.product_a.pk}  # noqa: E731
REASON = lambda w: {"reason": "检查"}  # noqa: E731

CASES: dict[tuple[str, str], Case] = {
    ("GET", "/api/v1/health"): Case(),
    ("GET", "/api/v1/me"): Case(),
    ("GET", "/api/v1/departments"): Case(),
    ("GET", "/api/v1/parties"): Case(),
    ("POST", "/api/v1/parties"): Case(
        body=lambda w: {
            "name": "厦门翔安鲜肉加工厂",
            "partyType": "processor",
            "idKind": "uscc",
            "uscc": make_uscc("350213", "MA31Q2W60"),
            "sectors": ["meat_veg"],
            "district": "350213",
        }
    ),
    ("GET", "/api/v1/parties/{party_id}"): Case(PARTY),
    ("PATCH", "/api/v1/parties/{party_id}"): Case(PARTY, body=lambda w: {"address": "翔安区莲塘路68号"}),
    ("POST", "/api/v1/parties/{party_id}/id-number"): Case(
        lambda w: {"party_id": w.party_c.pk}, body=lambda w: {}
    ),
    ("POST", "/api/v1/parties/{party_id}/filings"): Case(
        PARTY,
        body=lambda w: {"note": "再次申请"},
        setup=lambda w: services.filing_revoke(actor=SYSTEM, filing=w.filing_a, reason="test"),
    ),
    ("GET", "/api/v1/parties/{party_id}/members"): Case(PARTY),
    ("POST", "/api/v1/parties/{party_id}/members"): Case(
        PARTY,
        body=lambda w: {"username": "new-staff", "password": "a-long-Passw0rd!", "role": "enterprise_staff"},
    ),
    ("GET", "/api/v1/parties/{party_id}/api-clients"): Case(PARTY),
    ("POST", "/api/v1/parties/{party_id}/api-clients"): Case(PARTY, body=lambda w: {"name": "翔润 WMS"}),
    ("POST", "/api/v1/parties/{party_id}/api-clients/{key_prefix}/revoke"): Case(
        lambda w: {"party_id": w.party_a.pk, "key_prefix": w.spare_prefix},
        body=lambda w: {},
        setup=_spare_key,
    ),
    ("GET", "/api/v1/filings"): Case(),
    ("GET", "/api/v1/filings/{filing_id}"): Case(FILING),
    ("POST", "/api/v1/filings/{filing_id}/approve"): Case(FILING, body=lambda w: {}, setup=_submitted),
    ("POST", "/api/v1/filings/{filing_id}/reject"): Case(FILING, body=REASON, setup=_submitted),
    ("POST", "/api/v1/filings/{filing_id}/request-info"): Case(FILING, body=REASON, setup=_submitted),
    ("POST", "/api/v1/filings/{filing_id}/resubmit"): Case(FILING, body=lambda w: {}, setup=_more_info),
    ("POST", "/api/v1/filings/{filing_id}/suspend"): Case(FILING, body=REASON),
    ("POST", "/api/v1/filings/{filing_id}/reinstate"): Case(FILING, body=lambda w: {}, setup=_suspended),
    ("POST", "/api/v1/filings/{filing_id}/revoke"): Case(FILING, body=REASON),
    ("GET", "/api/v1/licences"): Case(),
    ("POST", "/api/v1/licences"): Case(
        body=lambda w: {"partyId": w.party_a.pk, "kind": "food_business", "number": "JY13502130041726"}
    ),
    ("GET", "/api/v1/licences/{licence_id}"): Case(LICENCE),
    ("PATCH", "/api/v1/licences/{licence_id}"): Case(
        LICENCE, body=lambda w: {"issuer": "翔安区市场监督管理局"}
    ),
    ("DELETE", "/api/v1/licences/{licence_id}"): Case(LICENCE),
    ("POST", "/api/v1/licences/{licence_id}/file"): Case(
        LICENCE,
        files=lambda w: {"file": SimpleUploadedFile("licence.pdf", PDF, content_type="application/pdf")},
    ),
    ("GET", "/api/v1/licences/{licence_id}/file"): Case(LICENCE),
    ("GET", "/api/v1/locations"): Case(),
    ("POST", "/api/v1/locations"): Case(
        body=lambda w: {
            "partyId": w.party_a.pk,
            "identifier": gln(PREFIX_A, "009"),
            "name": "冷库",
            "kind": "warehouse",
        }
    ),
    ("GET", "/api/v1/locations/{location_id}"): Case(LOCATION),
    ("PATCH", "/api/v1/locations/{location_id}"): Case(
        LOCATION, body=lambda w: {"latitude": 24.6, "longitude": 118.3}
    ),
    ("GET", "/api/v1/products"): Case(),
    ("POST", "/api/v1/products"): Case(
        body=lambda w: {
            "partyId": w.party_a.pk,
            "platformCode": "urn:example:pork:7",
            "name": "猪肝",
            "sectors": ["food"],
        }
    ),
    ("GET", "/api/v1/products/{product_id}"): Case(PRODUCT),
    ("PATCH", "/api/v1/products/{product_id}"): Case(PRODUCT, body=lambda w: {"brand": "翔润"}),
    ("GET", "/api/v1/audit"): Case(),
    # Bulk import (docs/import.md): row-level refusals are errors in the preview, not statuses.
    ("POST", "/api/v1/imports"): Case(
        files=lambda w: {
            "kind": "locations",
            "file": SimpleUploadedFile("locations.csv", _locations_file(w), content_type="text/csv"),
        }
    ),
    ("GET", "/api/v1/imports/{batch_id}"): Case(IMPORT, setup=_import_batch),
    ("POST", "/api/v1/imports/{batch_id}/commit"): Case(IMPORT, body=lambda w: {}, setup=_import_batch),
    ("GET", "/api/v1/imports/templates/{kind}.xlsx"): Case(lambda w: {"kind": "parties"}),
    ("GET", "/api/v1/imports/templates/{kind}.csv"): Case(lambda w: {"kind": "products"}),
    # Code allocation (docs/codes.md).
    ("POST", "/api/v1/codes"): Case(
        body=lambda w: {"productId": w.product_a.pk, "scheme": "gs1", "count": 10, "lot": "L2"}
    ),
    ("GET", "/api/v1/codes"): Case(),
    ("GET", "/api/v1/codes/{allocation_id}"): Case(ALLOCATION, setup=_code_allocation),
    **{
        ("GET", f"/api/v1/codes/{{allocation_id}}/{name}"): Case(ALLOCATION, setup=_code_allocation)
        for name in ("codes.csv", "labels.svg", "labels.png", "labels.html", "labels.pdf")
    },
    # Tracing (tracehub.tracing): not scoped by role yet, see docs/permissions.md.
    ("GET", "/api/v1/trace/forward"): Case(query={"id": LOT_A}, setup=_lot_captured),
    ("GET", "/api/v1/trace/back"): Case(query={"id": LOT_A}, setup=_lot_captured),
    ("GET", "/api/v1/recalls"): Case(),
    ("POST", "/api/v1/recalls"): Case(
        body=lambda w: {"id": LOT_A, "reason": "检测不合格"}, setup=_lot_captured
    ),
    ("GET", "/api/v1/recalls/{recall_id}"): Case(RECALL, setup=_recall_declared),
    ("GET", "/api/v1/recalls/{recall_id}/export.csv"): Case(RECALL, setup=_recall_declared),
    ("GET", "/api/v1/recalls/{recall_id}/export.xlsx"): Case(RECALL, setup=_recall_declared),
    # Sectors: profiles and meat/vegetable entries and vouchers (tracehub.sectors.api).
    ("GET", "/api/v1/sectors/profiles"): Case(),
    ("POST", "/api/v1/sectors/meat_veg/{step}"): Case(
        lambda w: {"step": "retail"},
        body=lambda w: {"location": SGLN_A, "lot": MEAT_LOT_A, "weight": "1.5", "time": "2026-11-19 10:00"},
    ),
    ("GET", "/api/v1/sectors/vouchers/{code}"): Case(
        lambda w: {"code": w.voucher_code}, setup=_voucher_issued
    ),
    # Liquor (sectors.api_liquor, docs/sectors/liquor.md).
    ("POST", "/api/v1/sectors/liquor/{step}"): Case(
        lambda w: {"step": "retail"},
        body=lambda w: {"location": SGLN_A, "lot": LIQUOR_LOT_A, "quantity": "1", "time": "2026-11-20 10:00"},
    ),
    ("GET", "/api/v1/sectors/liquor/slips/{number}"): Case(
        lambda w: {"number": w.slip_number}, setup=_slip_issued
    ),
    ("GET", "/api/v1/sectors/liquor/operators"): Case(),
    ("GET", "/api/v1/sectors/liquor/catalogue"): Case(),
    # Enterprise full chain (sectors.api_enterprise, docs/sectors/enterprise.md).
    ("POST", "/api/v1/sectors/enterprise/recipes"): Case(
        body=lambda w: {
            "partyId": w.party_a.pk,
            "code": "R1",
            "name": "配方",
            "outputProduct": GTIN_A,
            "lines": [{"product": GTIN_A, "quantity": "1.1"}],
        }
    ),
    ("POST", "/api/v1/sectors/enterprise/control-points"): Case(
        body=lambda w: {"partyId": w.party_a.pk, "code": "CCP1", "name": "冷藏", "minimum": 0, "maximum": 4}
    ),
    ("GET", "/api/v1/sectors/enterprise/stock"): Case(query=OF_PARTY_A),
    ("GET", "/api/v1/sectors/enterprise/findings"): Case(),
    ("POST", "/api/v1/sectors/enterprise/evaluate"): Case(body=lambda w: {}, query=OF_PARTY_A),
    ("POST", "/api/v1/sectors/enterprise/{step}"): Case(
        lambda w: {"step": "sales"},
        body=lambda w: {
            "location": SGLN_A,
            "lot": LIQUOR_LOT_A,
            "quantity": "1",
            "uom": "KGM",
            "time": "2026-11-20 10:00",
        },
    ),
    # Drug (sectors.api_drug, docs/sectors/drug.md).
    ("GET", "/api/v1/sectors/drug/parties"): Case(),
    ("GET", "/api/v1/sectors/drug/cases"): Case(),
    ("POST", "/api/v1/sectors/drug/cases"): Case(
        body=lambda w: {
            "party": w.party_a.pk,
            "number": "厦市监药案〔2026〕900号",
            "date": "2026-11-20",
            "violation": "无证经营药品",
        }
    ),
    ("GET", "/api/v1/sectors/drug/alerts"): Case(),
    ("GET", "/api/v1/sectors/drug/lots/{gtin}/{lot}/destinations"): Case(
        lambda w: {"gtin": GTIN_A, "lot": "L1"}
    ),
    ("GET", "/api/v1/sectors/drug/udi"): Case(query={"code": f"(01){GTIN_A}(10)L1"}),
    ("POST", "/api/v1/sectors/drug/{step}"): Case(
        lambda w: {"step": "unpacking"},
        body=lambda w: {"location": SGLN_A, "parent": SSCC_A, "time": "2026-11-20 09:00"},
    ),
    # Imported food (sectors.api_import_food, docs/sectors/import_food.md).
    ("GET", "/api/v1/sectors/import_food/records"): Case(),
    ("GET", "/api/v1/sectors/import_food/records/{record_id}"): Case(RECORD, setup=_import_recorded),
    ("POST", "/api/v1/sectors/import_food/records/{record_id}/delete"): Case(
        RECORD, body=lambda w: {"reason": "清理"}, setup=_import_recorded
    ),
    ("GET", "/api/v1/sectors/import_food/producers"): Case(),
    ("POST", "/api/v1/sectors/import_food/producers"): Case(
        body=lambda w: {"registrationNumber": "CIFR2023AUS00077", "name": "Murray Dairy", "country": "AU"}
    ),
    ("POST", "/api/v1/sectors/import_food/{step}"): Case(
        lambda w: {"step": "retail"},
        body=lambda w: {"location": SGLN_A, "goods": ITEM_A, "time": "2026-11-20 19:00"},
    ),
    # Food (sectors.api_food, docs/sectors/food.md): an inspector's check at party A's location.
    ("POST", "/api/v1/sectors/food/{step}"): Case(
        lambda w: {"step": "inspection_check"},
        body=lambda w: {
            "location": SGLN_A,
            "lot": MEAT_LOT_A,
            "item": "标签",
            "result": "pass",
            "time": "2026-11-20 10:00",
        },
    ),
    # Farm inputs (sectors.api_agri_input, docs/sectors/agri-input-records.md): the cases of its own test.
    **_agri_input_cases(),
}
CASES.update(agri_cases(Case))  # farm produce (sectors.api_agri, tests/sectors/agri_matrix.py)


def test_every_route_has_a_row_in_the_matrix_and_a_case():
    routes = api_routes()
    missing_rows = sorted(routes - MATRIX.keys())
    assert not missing_rows, f"routes without a row in docs/permissions.md: {missing_rows}"
    stale_rows = sorted(MATRIX.keys() - routes)
    assert not stale_rows, f"rows of docs/permissions.md naming no route: {stale_rows}"
    missing_cases = sorted(routes - CASES.keys())
    assert not missing_cases, f"routes without a request case in this test: {missing_cases}"


def _call(world: World, role: str, method: str, path: str, case: Case):
    url = path.format(**case.params(world))
    query = case.query(world) if callable(case.query) else case.query
    http = world.http(role)
    if method == "GET":
        return http.get(url, query)
    if query:
        url = f"{url}?{urlencode(query)}"
    if case.files is not None:
        return http.post(url, data=case.files(world))
    if method == "DELETE":
        return http.delete(url)
    data = orjson.dumps(case.body(world) if case.body else {})
    return getattr(http, method.lower())(url, data=data, content_type="application/json")


@pytest.mark.parametrize("route", sorted(CASES), ids=lambda r: f"{r[0]} {r[1]}")
def test_route_answers_each_role_as_the_matrix_says(world, route):
    method, path = route
    assert route in MATRIX, f"{method} {path} has no row in docs/permissions.md"
    case = CASES[route]
    wrong = []
    original_filing = world.filing_a
    for role in ROLES:
        savepoint = transaction.savepoint()
        try:
            if case.setup is not None:
                case.setup(world)
            response = _call(world, role, method, path, case)
            close_response(response)
            expected = MATRIX[route][role]
            if response.status_code != expected:
                wrong.append(
                    f"{role}: expected {expected}, got {response.status_code} {response.content[:200]!r}"
                )
        finally:
            transaction.savepoint_rollback(savepoint)
            world.filing_a = original_filing
            for obj in (world.party_a, world.filing_a, world.licence_a, world.product_a):
                obj.refresh_from_db()
    assert not wrong, f"{method} {path}:\n" + "\n".join(wrong)


LISTS = {
    "/api/v1/parties": (
        "party_a",
        {
            "operator",
            "official",
            "admin",
            "staff",
            "auditor",
            "platform_client",
            "party_client",
            "department_client",
        },
    ),
    "/api/v1/filings": (
        "filing_a",
        {
            "operator",
            "official",
            "admin",
            "staff",
            "auditor",
            "platform_client",
            "party_client",
            "department_client",
        },
    ),
    "/api/v1/licences": (
        "licence_a",
        {
            "operator",
            "official",
            "admin",
            "staff",
            "auditor",
            "platform_client",
            "party_client",
            "department_client",
        },
    ),
    "/api/v1/locations": (
        "location_a",
        {"operator", "official", "admin", "staff", "platform_client", "party_client", "department_client"},
    ),
    "/api/v1/products": (
        "product_a",
        {"operator", "official", "admin", "staff", "platform_client", "party_client", "department_client"},
    ),
}


@pytest.mark.parametrize("path", sorted(LISTS))
def test_lists_show_an_object_exactly_to_those_who_may_open_it(world, path):
    attribute, allowed = LISTS[path]
    target = getattr(world, attribute).pk
    for role in ROLES[1:]:
        items = world.http(role).get(path, {"limit": 200}).json()["items"]
        shown = target in {item["id"] for item in items}
        assert shown == (role in allowed), f"{path} as {role}: shown={shown}"
        # The list and the detail agree (a list never shows what the detail would refuse).
        if role in allowed:
            detail = world.http(role).get(f"{path}/{target}")
            assert detail.status_code == 200, (role, detail.status_code)


def test_audit_search_is_scoped_to_the_parties_overseen(world):
    def parties_in(role):
        items = world.http(role).get("/api/v1/audit", {"limit": 200}).json()["items"]
        return {item["partyId"] for item in items}

    assert {world.party_a.pk, world.party_b.pk} <= parties_in("operator")
    assert parties_in("admin") == {world.party_a.pk}
    assert parties_in("admin_other") == {world.party_b.pk}
    official = parties_in("official")
    assert world.party_a.pk in official and world.party_b.pk not in official
    assert parties_in("official_other") == set()
