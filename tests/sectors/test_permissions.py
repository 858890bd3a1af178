"""The sector routes answer each role as docs/permissions.md says (the rows of tracehub.sectors),
in the registry's permission-matrix world (tests/registry/world.py)."""

from __future__ import annotations

import orjson
import pytest
from django.db import transaction

from tracehub.registry import services
from tracehub.sectors.services import step_record

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
    party_fields,
)

LOT_A = f"https://id.gs1.org/01/{GTIN_A}/10/L20261119"
USCC_D = make_uscc("350213", "MA8DDD001")
ENTRY = {"location": SGLN_A, "lot": LOT_A, "weight": "1.5", "unit_price": "30", "time": "2026-11-19 10:00"}


@pytest.fixture
def world(db):
    return build_world()


def _voucher(world) -> str:
    """A sale at party A's location to a filed canteen (neither party B nor C)."""
    canteen = services.party_create(
        actor=SYSTEM,
        **party_fields(
            name="翔安区实验小学食堂", party_type="catering", uscc=USCC_D, company_prefixes=[], pgln=""
        ),
    )
    file_and_approve(canteen)
    sale = step_record(
        actor=SYSTEM,
        step="market_trading",
        data={"location": SGLN_A, "buyer": USCC_D, "lot": LOT_A, "weight": "5", "unit_price": "30"},
    )
    return sale.voucher.code


def _call(world, role: str, method: str, path: str):
    http = world.http(role)
    if path.endswith("{step}"):
        return http.post(
            path.format(step="retail"), data=orjson.dumps(ENTRY), content_type="application/json"
        )
    if path.endswith("{code}"):
        return http.get(path.format(code=_voucher(world)))
    return http.get(path)


ROUTES = [route for route in MATRIX if route[1].startswith("/api/v1/sectors/") and "meat_veg" in route[1]] + [
    ("GET", "/api/v1/sectors/profiles"),
    ("GET", "/api/v1/sectors/vouchers/{code}"),
]


def test_the_rows_are_in_the_matrix():
    assert ("POST", "/api/v1/sectors/meat_veg/{step}") in ROUTES
    assert all(route in MATRIX for route in ROUTES)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
def test_sector_route_answers_each_role_as_the_matrix_says(world, route):
    method, path = route
    wrong = []
    for role in ROLES:
        savepoint = transaction.savepoint()
        try:
            response = _call(world, role, method, path)
            close_response(response)
            if response.status_code != MATRIX[route][role]:
                got = f"{response.status_code} {response.content[:200]!r}"
                wrong.append(f"{role}: expected {MATRIX[route][role]}, got {got}")
        finally:
            transaction.savepoint_rollback(savepoint)
    assert not wrong, "\n".join(wrong)
