"""The farm inputs tests' world (G5), built through the real services, and the demo's load.

A dealer in 同安 (filed) with an administrator, a filed supplier, an unfiled party, a farm, an
agriculture bureau official for 同安 and one for 思明 only, a commerce official, and the catalogue:
an ordinary pesticide, a restricted one and a highly toxic one. Departments are reference data of a
migration; under ``--nomigrations`` they are created the same way (``seed_departments``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.registry.world import make_ric, make_uscc
from tests.sectors.test_drug_world import seed_departments
from tracehub.accounts.models import Role
from tracehub.accounts.selectors import department_by_code
from tracehub.accounts.services import user_create
from tracehub.registry import services as registry
from tracehub.registry.actors import Actor, actor_for_user
from tracehub.sectors.services_agri_input import agri_input_product_set, ledger_rows_record

SYSTEM = Actor.system("agri_input tests")
DEALER_USCC = make_uscc("350212", "MA34W2Y71")
SUPPLIER_USCC = make_uscc("320623", "138452061")
UNFILED_USCC = make_uscc("350212", "MA34W2Y82")
FARM_USCC = make_uscc("350212", "MA36B3K53")
OTHER_DEALER_USCC = make_uscc("350203", "MA34W2Y94")
BUYER_ID = make_ric("350211", dt.date(1985, 3, 12), 41)
ORDINARY = "PD20142631"
RESTRICTED = "PD20120855"
TOXIC = "PD20130412"
PESTICIDE_CODE = "1" + "142631" + "1" + "001" + "000000000000000004711"
DEALER_SHOP = f"urn:tracehub:loc:{DEALER_USCC}:1"
OTHER_SHOP = f"urn:tracehub:loc:{OTHER_DEALER_USCC}:1"


def today() -> dt.date:
    return timezone.localdate()


def ago(days: int) -> str:
    return (today() - dt.timedelta(days=days)).isoformat()


@dataclass
class AgriWorld:
    dealer: Any
    other_dealer: Any
    supplier: Any
    unfiled: Any
    farm: Any
    users: dict[str, Any] = field(default_factory=dict)

    def actor(self, name: str) -> Actor:
        return actor_for_user(self.users[name])

    def http(self, name: str, *, csrf: bool = False) -> Client:
        client = Client(enforce_csrf_checks=csrf)
        client.force_login(self.users[name])
        return client


def _party(name: str, uscc: str, party_type: str, district: str, *, filed: bool = True):
    party = registry.party_create(
        actor=SYSTEM,
        name=name,
        party_type=party_type,
        id_kind="uscc",
        uscc=uscc,
        sectors=["agri_input"],
        district=district,
    )
    if filed:
        filing = registry.filing_submit(actor=SYSTEM, party=party)
        registry.filing_approve(actor=SYSTEM, filing=filing)
        party.refresh_from_db()
    return party


def build_agri_world() -> AgriWorld:
    seed_departments()
    w = AgriWorld(
        dealer=_party("厦门市同安区丰民农资经营部", DEALER_USCC, "agri_input_dealer", "350212"),
        other_dealer=_party("厦门思明绿丰农资店", OTHER_DEALER_USCC, "agri_input_dealer", "350203"),
        supplier=_party("江苏禾盛农化有限公司", SUPPLIER_USCC, "manufacturer", ""),
        unfiled=_party("未备案农药批发部", UNFILED_USCC, "wholesaler", "350212", filed=False),
        farm=_party("汀溪碧岭家庭农场", FARM_USCC, "farm", "350212"),
    )
    for party, identifier in ((w.dealer, DEALER_SHOP), (w.other_dealer, OTHER_SHOP)):
        registry.location_create(
            actor=SYSTEM, party=party, identifier=identifier, name=f"{party.name}门店", kind="shop"
        )
    agri, commerce = department_by_code("agri"), department_by_code("commerce")
    w.users["official"] = user_create(
        username="agri-tongan", password=None, role=Role.OFFICIAL, department=agri, districts=["350212"]
    )
    w.users["official_siming"] = user_create(
        username="agri-siming", password=None, role=Role.OFFICIAL, department=agri, districts=["350203"]
    )
    w.users["commerce"] = user_create(
        username="commerce-1", password=None, role=Role.OFFICIAL, department=commerce, districts=["350200"]
    )
    w.users["operator"] = user_create(username="op-1", password=None, role=Role.OPERATOR)
    w.users["dealer"] = registry.party_member_add(
        actor=SYSTEM, party=w.dealer, username="dealer-admin", password=None, role=Role.ENTERPRISE_ADMIN
    )
    w.users["other_dealer"] = registry.party_member_add(
        actor=SYSTEM, party=w.other_dealer, username="other-admin", password=None, role=Role.ENTERPRISE_ADMIN
    )
    for number, name, restricted, toxic in (
        (ORDINARY, "10%吡虫啉可湿性粉剂", False, False),
        (RESTRICTED, "40%乐果乳油", True, False),
        (TOXIC, "3%克百威颗粒剂", True, True),
    ):
        agri_input_product_set(
            actor=SYSTEM,
            registration_number=number,
            name=name,
            kind="pesticide",
            restricted=restricted,
            highly_toxic=toxic,
        )
    return w


def purchase(number: str = ORDINARY, quantity: str = "50", **over) -> dict[str, str]:
    row = {
        "registration_number": number,
        "product_name": "吡虫啉",
        "specification": "100克/袋",
        "quantity": quantity,
        "unit": "袋",
        "date": ago(10),
        "supplier": SUPPLIER_USCC,
    }
    row.update(over)
    return row


def sale(number: str = ORDINARY, quantity: str = "2", **over) -> dict[str, str]:
    row = {
        "registration_number": number,
        "product_name": "吡虫啉",
        "specification": "100克/袋",
        "quantity": quantity,
        "unit": "袋",
        "date": ago(2),
        "buyer_name": "林水生",
    }
    row.update(over)
    return row


def real_name(**over) -> dict[str, str]:
    row = {
        "buyer_name": "林水生",
        "buyer_id_number": BUYER_ID,
        "buyer_phone": "13906001234",
        "buyer_address": "同安区汀溪镇造水村12号",
        "use_crop": "柑橘",
        "use_target": "蚜虫",
    }
    row.update(over)
    return row


def stock_up(w: AgriWorld, *numbers: str, quantity: str = "50", date: str | None = None) -> None:
    ledger_rows_record(
        actor=w.actor("dealer"),
        direction="purchase",
        rows=[purchase(n, quantity, date=date or ago(10)) for n in numbers or (ORDINARY,)],
    )


@pytest.fixture
def agri(db) -> AgriWorld:
    return build_agri_world()


def test_demo_loads_the_farm_inputs_records(db, settings):
    """``load_demo`` enters the catalogue, a designated outlet and ledgers with a real-name sale; a
    second load changes nothing."""
    from tests.sectors.test_drug_world import load_g2_demo
    from tracehub.sectors.demo_agri_input import load_agri_input_demo
    from tracehub.sectors.models_agri_input import (
        AgriInputLedgerEntry,
        AgriInputProduct,
        DesignatedOutlet,
    )

    out = load_g2_demo(settings)
    assert "agri_input" in out
    assert AgriInputProduct.objects.filter(highly_toxic=True).exists()
    assert DesignatedOutlet.objects.filter(valid_until__isnull=True).count() == 1
    rows = AgriInputLedgerEntry.objects.count()
    assert rows == 6
    real = AgriInputLedgerEntry.objects.exclude(buyer_id_digest="")
    assert real.count() == 2 and all("*" in e.buyer_id_masked for e in real)
    load_agri_input_demo()
    assert AgriInputLedgerEntry.objects.count() == rows
