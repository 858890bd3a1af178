"""The rows of docs/permissions.md for the liquor and enterprise routes, called as every role (the
registry's permission world: party A a slaughterhouse in 翔安, party B a pharmacy), each call in a
savepoint rolled back afterwards, as tests/registry/test_permission_matrix.py does for its routes."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
import pytest
from django.apps import apps
from django.db import transaction

from tracehub.registry import services
from tracehub.sectors.services_liquor import (
    liquor_filing_approve,
    liquor_filing_submit,
    liquor_product_register,
    liquor_step_record,
)

from ..registry.test_permission_matrix import MATRIX
from ..registry.world import (
    GTIN_A,
    ROLES,
    SGLN_A,
    SYSTEM,
    build_world,
    close_response,
    file_and_approve,
    make_uscc,
)

LOT = f"https://id.gs1.org/01/{GTIN_A}/10/P1"


@pytest.fixture
def world(db):
    importlib.import_module("tracehub.accounts.migrations.0003_departments").create(apps, None)
    return build_world()


def _slip(w) -> str:
    """A wholesale shipment by party A (filed for liquor) to party B, with its slip."""
    product = services.product_update(
        actor=SYSTEM, product=w.product_a, sectors=["meat_veg", "food", "liquor"], brand="翔润",
        attributes={"alcohol_strength": "42"},
    )  # fmt: skip
    liquor_product_register(actor=SYSTEM, product=product, producer_name="翔润", volume_ml=500, origin="翔安")
    buyer = services.party_create(
        actor=SYSTEM, name="厦门醇境酒业有限公司", party_type="retailer", id_kind="uscc",
        uscc=make_uscc("350203", "MA32P7E40"), sectors=["liquor"], district="350203",
    )  # fmt: skip
    file_and_approve(buyer)
    for party, kind in ((w.party_a, "wholesaler"), (buyer, "retailer")):
        liquor_filing_approve(actor=SYSTEM, filing=liquor_filing_submit(actor=SYSTEM, party=party, kind=kind))
    result = liquor_step_record(
        actor=SYSTEM,
        step="wholesale",
        data={
            "location": SGLN_A,
            "buyer": buyer.uscc,
            "items": f"{LOT}=2@50",
            "consignor": "王",
            "carrier": "自运",
            "vehicle_plate": "闽D·12345",
            "time": "2026-11-20 09:00",
        },
    )
    return result.extra["slip"]


@dataclass
class Case:
    path: Callable[[Any, dict], str]
    body: Callable[[Any], Any] | None = None
    setup: Callable[[Any], dict] | None = None


ENTRY = {"location": SGLN_A, "lot": LOT, "quantity": "1", "time": "2026-11-20 10:00"}
CASES = {
    ("POST", "/api/v1/sectors/liquor/{step}"): Case(
        lambda w, s: "/api/v1/sectors/liquor/retail", lambda w: ENTRY
    ),
    ("GET", "/api/v1/sectors/liquor/slips/{number}"): Case(
        lambda w, s: f"/api/v1/sectors/liquor/slips/{s['slip']}", setup=lambda w: {"slip": _slip(w)}
    ),
    ("GET", "/api/v1/sectors/liquor/operators"): Case(lambda w, s: "/api/v1/sectors/liquor/operators"),
    ("GET", "/api/v1/sectors/liquor/catalogue"): Case(lambda w, s: "/api/v1/sectors/liquor/catalogue"),
    ("POST", "/api/v1/sectors/enterprise/recipes"): Case(
        lambda w, s: "/api/v1/sectors/enterprise/recipes",
        lambda w: {
            "partyId": w.party_a.pk,
            "code": "R1",
            "name": "配方",
            "outputProduct": GTIN_A,
            "lines": [{"product": GTIN_A, "quantity": "1.1"}],
        },
    ),
    ("POST", "/api/v1/sectors/enterprise/control-points"): Case(
        lambda w, s: "/api/v1/sectors/enterprise/control-points",
        lambda w: {"partyId": w.party_a.pk, "code": "CCP1", "name": "冷藏", "minimum": 0, "maximum": 4},
    ),
    ("GET", "/api/v1/sectors/enterprise/stock"): Case(
        lambda w, s: f"/api/v1/sectors/enterprise/stock?party={w.party_a.pk}"
    ),
    ("GET", "/api/v1/sectors/enterprise/findings"): Case(lambda w, s: "/api/v1/sectors/enterprise/findings"),
    ("POST", "/api/v1/sectors/enterprise/evaluate"): Case(
        lambda w, s: f"/api/v1/sectors/enterprise/evaluate?party={w.party_a.pk}", lambda w: {}
    ),
    ("POST", "/api/v1/sectors/enterprise/{step}"): Case(
        lambda w, s: "/api/v1/sectors/enterprise/sales", lambda w: {**ENTRY, "uom": "KGM"}
    ),
}


def test_every_route_of_these_routers_has_a_row_and_a_case():
    from tracehub.api import api_v1

    schema = api_v1.get_openapi_schema()
    mine = {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if path.startswith(("/api/v1/sectors/liquor", "/api/v1/sectors/enterprise"))
    }
    assert mine == set(CASES)
    assert mine <= set(MATRIX)


@pytest.mark.parametrize("route", sorted(CASES), ids=lambda r: f"{r[0]} {r[1]}")
def test_route_answers_each_role_as_the_matrix_says(world, route):
    method, _ = route
    case = CASES[route]
    wrong = []
    for role in ROLES:
        savepoint = transaction.savepoint()
        try:
            state = case.setup(world) if case.setup else {}
            http = world.http(role)
            url = case.path(world, state)
            if method == "GET":
                response = http.get(url)
            else:
                response = http.post(
                    url,
                    data=orjson.dumps(case.body(world) if case.body else {}),
                    content_type="application/json",
                )
            close_response(response)
            expected = MATRIX[route][role]
            if response.status_code != expected:
                wrong.append(
                    f"{role}: expected {expected}, got {response.status_code} {response.content[:300]!r}"
                )
        finally:
            transaction.savepoint_rollback(savepoint)
    assert not wrong, f"{route}:\n" + "\n".join(wrong)
