"""The drug and imported-food rows of docs/permissions.md, called as every role on the registry's
permission world (tests/registry/world.py), each call in a savepoint rolled back afterwards.

``CASES`` is written as tests/registry/test_permission_matrix.py writes its own, so that its owner
can take these request cases over into the matrix test that walks every route.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from tests.registry.test_permission_matrix import MATRIX, Case, _call
from tests.registry.world import GTIN_A, PREFIX_A, ROLES, SGLN_A, SYSTEM, close_response
from tracehub.registry import services
from tracehub.sectors.models_import import ImportRecord
from tracehub.sectors.services import step_record
from tracehub.sectors.services_import import foreign_producer_create

from .test_drug_world import seed_departments

SSCC_A = f"urn:epc:id:sscc:{PREFIX_A}.01234567"
ITEM_A = f"urn:epc:id:sgtin:{PREFIX_A}.0001.S1"
EXPORTER_PREFIX = "376008999"


def _import_record(w) -> None:
    """An import record of party A as importer (filed, with its importer filing), inside retention."""
    services.licence_create(actor=SYSTEM, party=w.party_a, kind="importer_filing", number="3502IM20260001")
    foreign_producer_create(
        actor=SYSTEM, registration_number="CIFR2022FRA09001", name="Domaine A", country="FR"
    )
    exporter = services.party_create(
        actor=SYSTEM,
        name="Domaine A",
        party_type="foreign_exporter",
        id_kind="foreign",
        country="FR",
        sectors=["import_food"],
        pgln=f"urn:epc:id:pgln:{EXPORTER_PREFIX}.000",
        company_prefixes=[EXPORTER_PREFIX],
    )
    services.filing_approve(actor=SYSTEM, filing=services.filing_submit(actor=SYSTEM, party=exporter))
    step_record(
        actor=SYSTEM,
        sector="import_food",
        step="import_receiving",
        data={
            "location": SGLN_A,
            "exporter": f"urn:epc:id:pgln:{EXPORTER_PREFIX}.000",
            "goods": SSCC_A,
            "lot_class": f"urn:epc:class:lgtin:{PREFIX_A}.0001.L1",
            "name": "红葡萄酒",
            "brand": "Domaine A",
            "specification": "750毫升",
            "quantity": "12",
            "unit": "H87",
            "value": "2400",
            "lot": "L1",
            "production_date": "2025-09-01",
            "origin_country": "FR",
            "exporting_country": "FR",
            "producer": "CIFR2022FRA09001",
            "contract": "C-1",
            "port_of_entry": "厦门海沧港",
            "declaration": "370020261000600001",
            "inspection_certificate": "370100226050001",
            "health_certificate": "FR-2026-1",
            "entry_date": dt.date.today().isoformat(),
            "time": "2026-11-20 10:00",
        },
    )
    w.record_id = ImportRecord.objects.get().pk


RECORD = {"params": lambda w: {"record_id": w.record_id}, "setup": _import_record}

CASES: dict[tuple[str, str], Case] = {
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
    ("GET", "/api/v1/sectors/import_food/records"): Case(),
    ("GET", "/api/v1/sectors/import_food/records/{record_id}"): Case(**RECORD),
    ("POST", "/api/v1/sectors/import_food/records/{record_id}/delete"): Case(
        **RECORD, body=lambda w: {"reason": "清理"}
    ),
    ("GET", "/api/v1/sectors/import_food/producers"): Case(),
    ("POST", "/api/v1/sectors/import_food/producers"): Case(
        body=lambda w: {"registrationNumber": "CIFR2023AUS00077", "name": "Murray Dairy", "country": "AU"}
    ),
    ("POST", "/api/v1/sectors/import_food/{step}"): Case(
        lambda w: {"step": "retail"},
        body=lambda w: {"location": SGLN_A, "goods": ITEM_A, "time": "2026-11-20 19:00"},
    ),
}


@pytest.fixture
def world(db):
    from tests.registry.world import build_world

    seed_departments()
    return build_world()


def test_every_drug_and_import_food_route_has_a_row_and_a_case():
    from tests.registry.test_permission_matrix import api_routes

    mine = {
        r for r in api_routes() if r[1].startswith(("/api/v1/sectors/drug", "/api/v1/sectors/import_food"))
    }
    assert mine == set(CASES)
    assert mine <= set(MATRIX)


@pytest.mark.parametrize("route", sorted(CASES), ids=lambda r: f"{r[0]} {r[1]}")
def test_route_answers_each_role_as_the_matrix_says(world, route):
    method, path = route
    case = CASES[route]
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
