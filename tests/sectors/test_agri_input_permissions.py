"""The farm inputs rows of docs/permissions.md (G5), called as every role on the registry's permission
world (tests/registry/world.py), each call in a savepoint rolled back afterwards.

``CASES`` is written as tests/registry/test_permission_matrix.py writes its own (which takes these
helpers for its own cases of the same routes). Party A is the dealer here: filed, in 翔安; the world's
officials are of 商务局 and 海关, so none of them oversees farm inputs.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone

from tests.registry.world import ROLES, SYSTEM, USCC_B, close_response, make_ric
from tracehub.sectors.models_agri_input import AgriInputLedgerEntry, DesignatedOutlet
from tracehub.sectors.services_agri_input import designated_outlet_designate, ledger_rows_record

from .test_drug_world import seed_departments

BUYER = make_ric("350211", timezone.localdate().replace(year=1985, month=3, day=12), 41)


def _row(**over) -> dict[str, str]:
    row = {
        "registration_number": "PD20142631",
        "product_name": "10%吡虫啉可湿性粉剂",
        "specification": "100克/袋",
        "quantity": "1",
        "unit": "袋",
        "date": (timezone.localdate()).isoformat(),
    }
    row.update(over)
    return row


def agri_stock(w) -> None:
    """Party A bought 20 bags from party B (filed)."""
    ledger_rows_record(
        actor=SYSTEM, direction="purchase", dealer=w.party_a, rows=[_row(quantity="20", supplier=USCC_B)]
    )


def agri_sale(w) -> None:
    """A sale by party A to a person by real name (sets ``agri_entry_id``)."""
    agri_stock(w)
    ledger_rows_record(
        actor=SYSTEM,
        direction="sale",
        dealer=w.party_a,
        rows=[_row(buyer_name="林水生", buyer_id_number=BUYER, buyer_phone="13906001234")],
    )
    w.agri_entry_id = AgriInputLedgerEntry.objects.get(direction="sale").pk


def agri_outlet(w) -> None:
    """Party A designated from 2026-11-01 (sets ``agri_outlet_id``)."""
    import datetime as dt

    w.agri_outlet_id = designated_outlet_designate(
        actor=SYSTEM, dealer=w.party_a, valid_from=dt.date(2026, 11, 1)
    ).pk


def agri_plot(w) -> None:
    """A planting plot of party A (sets ``agri_plot_id``), for usage filings."""
    from tracehub.sectors.services_agri import plot_create

    w.agri_plot_id = plot_create(
        actor=SYSTEM, party=w.party_a, name="一号地", area_mu="5", crop="柑橘", variety="芦柑"
    ).pk


def _usage(w) -> dict:
    return {
        "party": w.party_a.pk,
        "plot": w.agri_plot_id,
        "registration_number": "PD20142631",
        "product_name": "10%吡虫啉可湿性粉剂",
        "quantity": "0.5",
        "unit": "千克",
        "date": timezone.localdate().isoformat(),
        "crop": "柑橘",
        "target": "蚜虫",
        "operator_name": "林水生",
        "pre_harvest_interval_days": 14,
    }


PARTY_A = lambda w: {"party": w.party_a.pk}  # noqa: E731
BASE = "/api/v1/sectors/agri_input"


def agri_input_cases(Case) -> dict:  # noqa: N803 - the matrix test's Case class, handed in
    """The request cases of the farm inputs routes; ``Case`` is the matrix test's (no import cycle)."""
    return {
        ("GET", f"{BASE}/ledger"): Case(),
        ("POST", f"{BASE}/ledger/search"): Case(body=lambda w: {"ledger": "sale"}),
        ("POST", f"{BASE}/ledger/purchases"): Case(
            body=lambda w: {**_row(quantity="5", supplier=USCC_B), "dealer": w.party_a.pk}
        ),
        ("POST", f"{BASE}/ledger/sales"): Case(
            body=lambda w: {**_row(buyer_name="林水生"), "dealer": w.party_a.pk}, setup=agri_stock
        ),
        ("POST", f"{BASE}/ledger/{{entry_id}}/buyer-id"): Case(
            lambda w: {"entry_id": w.agri_entry_id}, body=lambda w: {}, setup=agri_sale
        ),
        ("GET", f"{BASE}/stock"): Case(query=PARTY_A, setup=agri_stock),
        ("GET", f"{BASE}/products"): Case(),
        ("POST", f"{BASE}/products"): Case(
            body=lambda w: {
                "registrationNumber": "PD20180001",
                "name": "甲拌磷颗粒剂",
                "kind": "pesticide",
                "highlyToxic": True,
            }
        ),
        ("GET", f"{BASE}/outlets"): Case(),
        ("POST", f"{BASE}/outlets"): Case(body=lambda w: {"dealer": w.party_a.pk, "validFrom": "2026-11-01"}),
        ("POST", f"{BASE}/outlets/{{outlet_id}}/undesignate"): Case(
            lambda w: {"outlet_id": w.agri_outlet_id},
            body=lambda w: {"validUntil": "2026-11-20", "reason": "停业"},
            setup=agri_outlet,
        ),
        ("GET", f"{BASE}/usages"): Case(),
        ("POST", f"{BASE}/usages"): Case(body=_usage, setup=agri_plot),
    }


@pytest.fixture
def world(db):
    from tests.registry.world import build_world

    seed_departments()
    return build_world()


ROUTES = sorted(agri_input_cases(lambda *a, **k: None))


def test_every_agri_input_route_has_a_row_and_a_case():
    from tests.registry.test_permission_matrix import CASES as MATRIX_CASES
    from tests.registry.test_permission_matrix import MATRIX, api_routes

    mine = {r for r in api_routes() if r[1].startswith(BASE)}
    assert mine == set(ROUTES)
    assert mine <= set(MATRIX)
    assert mine <= set(MATRIX_CASES)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
def test_route_answers_each_role_as_the_matrix_says(world, route):
    from tests.registry.test_permission_matrix import MATRIX, Case, _call

    method, path = route
    case = agri_input_cases(Case)[route]
    wrong = []
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
                    f"{role}: expected {expected}, got {response.status_code} {response.content[:300]!r}"
                )
        finally:
            transaction.savepoint_rollback(savepoint)
    assert not wrong, f"{method} {path}:\n" + "\n".join(wrong)


def test_lists_show_the_ledgers_only_to_the_dealer_and_the_platform(world):
    agri_sale(world)
    for role in ROLES[1:]:
        body = world.http(role).get(f"{BASE}/ledger").json()
        shown = bool(body)
        assert shown == (role in {"operator", "admin", "staff", "platform_client", "party_client"}), role
        assert BUYER not in str(body)
    assert DesignatedOutlet.objects.count() == 0
