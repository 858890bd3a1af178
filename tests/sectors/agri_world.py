"""The farm produce tests' world, built through the real services: a vegetable co-operative in 集美
(350211) with its production base, a family farm in 同安 (350212), a farmers' market in 海沧, an
agriculture official for 集美 and one for the whole city, an official of 商务局 and users of each
party."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.test import Client

from tracehub.accounts.models import Role
from tracehub.accounts.selectors import department_by_code
from tracehub.accounts.services import user_create
from tracehub.registry import services
from tracehub.registry.actors import Actor, actor_for_user

from ..registry.world import file_and_approve, make_uscc

SYSTEM = Actor.system("agri test setup")
USCC_COOP = make_uscc("350211", "MA31D8F20")
USCC_FAMILY = make_uscc("350212", "MA36B3K50")
USCC_MARKET = make_uscc("350205", "MA2Y1H7C0")
BASE = f"urn:tracehub:loc:{USCC_COOP}:1"
FAMILY_BASE = f"urn:tracehub:loc:{USCC_FAMILY}:1"
MARKET = f"urn:tracehub:loc:{USCC_MARKET}:1"
LOT = f"urn:tracehub:lot:{USCC_COOP}:SHQ:20261120"
LOT2 = f"urn:tracehub:lot:{USCC_COOP}:SHQ:20261121"
FAMILY_LOT = f"urn:tracehub:lot:{USCC_FAMILY}:TEA:20261120"


@dataclass
class AgriWorld:
    coop: Any
    family: Any
    market: Any
    base: Any
    family_base: Any
    market_site: Any
    users: dict[str, Any] = field(default_factory=dict)

    def actor(self, role: str) -> Actor:
        return actor_for_user(self.users[role])

    def http(self, role: str) -> Client:
        client = Client()
        if role != "anonymous":
            client.force_login(self.users[role])
        return client


def departments() -> None:
    importlib.import_module("tracehub.accounts.migrations.0003_departments").create(apps, None)


def _party(name: str, uscc: str, district: str, party_type: str, sectors: list[str]):
    party = services.party_create(
        actor=SYSTEM,
        name=name,
        party_type=party_type,
        id_kind="uscc",
        uscc=uscc,
        sectors=sectors,
        district=district,
    )
    file_and_approve(party)
    return party


def build_agri_world() -> AgriWorld:
    coop = _party("厦门市集美区后溪绿野蔬菜专业合作社", USCC_COOP, "350211", "cooperative", ["agri"])
    family = _party("厦门市同安区汀溪碧岭家庭农场", USCC_FAMILY, "350212", "farm", ["agri"])
    market = _party(
        "厦门海沧新阳农贸市场管理有限公司", USCC_MARKET, "350205", "market_operator", ["meat_veg", "agri"]
    )
    base = services.location_create(
        actor=SYSTEM,
        party=coop,
        identifier=BASE,
        name="绿野蔬菜种植基地",
        kind="farm_plot",
        district="350211",
    )
    family_base = services.location_create(
        actor=SYSTEM,
        party=family,
        identifier=FAMILY_BASE,
        name="碧岭茶园",
        kind="farm_plot",
        district="350212",
    )
    market_site = services.location_create(
        actor=SYSTEM, party=market, identifier=MARKET, name="新阳农贸市场", kind="market", district="350205"
    )
    world = AgriWorld(coop, family, market, base, family_base, market_site)
    agri, commerce = department_by_code("agri"), department_by_code("commerce")
    world.users["agri_jimei"] = user_create(
        username="agri-jimei", password=None, role=Role.OFFICIAL, department=agri, districts=["350211"]
    )
    world.users["agri_city"] = user_create(
        username="agri-city", password=None, role=Role.OFFICIAL, department=agri, districts=["350200"]
    )
    world.users["commerce"] = user_create(
        username="commerce", password=None, role=Role.OFFICIAL, department=commerce, districts=["350200"]
    )
    world.users["operator"] = user_create(username="op", password=None, role=Role.OPERATOR)
    for key, party, role in (
        ("coop_admin", coop, Role.ENTERPRISE_ADMIN),
        ("coop_staff", coop, Role.ENTERPRISE_STAFF),
        ("family_admin", family, Role.ENTERPRISE_ADMIN),
    ):
        world.users[key] = services.party_member_add(
            actor=SYSTEM, party=party, username=key.replace("_", "-"), password=None, role=role
        )
    return world
