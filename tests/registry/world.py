"""A small registry built through the real services, shared by the registry and capture tests.

Party A (a slaughterhouse in 翔安, meat/vegetable and food sectors, GS1 prefix 695318204) and party
B (a pharmacy in 思明, drug sector) are filed and approved; party C is an individual stall holder
identified by ID card, not filed. Users and API clients cover every role of docs/permissions.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from stdnum import ean
from stdnum.cn import ric, uscc

from tracehub.accounts.models import ApiClientKind, Role
from tracehub.accounts.selectors import department_by_code
from tracehub.accounts.services import api_client_create, user_create
from tracehub.registry import services
from tracehub.registry.actors import Actor

SYSTEM = Actor.system("test setup")
REPO_DOCS = Path(__file__).resolve().parents[2] / "docs"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def make_uscc(region: str, body: str) -> str:
    """A 统一社会信用代码 with a valid check character: 91 (enterprise) + region + 9 characters."""
    base = "91" + region + body
    return base + uscc.calc_check_digit(base + "0")


def make_ric(region: str, birth: date, sequence: int) -> str:
    base = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return base + ric.calc_check_digit(base + "0")  # stdnum takes the number with a check place


def gln(prefix: str, ref: str) -> str:
    digits = prefix + ref
    return digits + ean.calc_check_digit(digits)


def gtin(prefix: str, item: str, indicator: str = "0") -> str:
    digits = indicator + prefix + item
    return digits + ean.calc_check_digit(digits)


USCC_A = make_uscc("350213", "260143759")
USCC_B = make_uscc("350203", "MA2XU4H10")
RIC_C = make_ric("350213", date(2005, 5, 17), 123)
PREFIX_A = "695318204"
PREFIX_B = "693205718"
SGLN_A = f"urn:epc:id:sgln:{PREFIX_A}.001.0"
SGLN_A2 = f"urn:epc:id:sgln:{PREFIX_A}.002.0"
SGLN_B = f"urn:epc:id:sgln:{PREFIX_B}.001.0"
GTIN_A = gtin(PREFIX_A, "001")
GTIN_B = gtin(PREFIX_B, "105")

#: The roles of the permission matrix (columns of docs/permissions.md), in order.
ROLES = (
    "anonymous",
    "operator",
    "official",
    "official_other",
    "admin",
    "staff",
    "admin_other",
    "auditor",
    "platform_client",
    "party_client",
    "department_client",
)


def party_fields(**over: Any) -> dict[str, Any]:
    data = {
        "name": "厦门翔润肉类食品有限公司",
        "party_type": "slaughterhouse",
        "id_kind": "uscc",
        "uscc": USCC_A,
        "sectors": ["meat_veg", "food"],
        "district": "350213",
        "address": "翔安区内厝镇莲塘路66号",
        "company_prefixes": [PREFIX_A],
        "pgln": f"urn:epc:id:pgln:{PREFIX_A}.000",
    }
    data.update(over)
    return data


def file_and_approve(party):
    filing = services.filing_submit(actor=SYSTEM, party=party)
    return services.filing_approve(actor=SYSTEM, filing=filing)


@dataclass
class World:
    party_a: Any
    party_b: Any
    party_c: Any
    location_a: Any
    location_b: Any
    product_a: Any
    licence_a: Any
    filing_a: Any
    users: dict[str, Any] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    clients: dict[str, Any] = field(default_factory=dict)

    def http(self, role: str) -> Client:
        """A test client acting as ``role`` (session login for people, bearer key for clients)."""
        if role == "anonymous":
            return Client()
        if role in self.keys:
            return Client(headers={"Authorization": f"Bearer {self.keys[role]}"})
        client = Client()
        client.force_login(self.users[role])
        return client

    def actor(self, role: str) -> Actor:
        from tracehub.registry.actors import actor_for_client, actor_for_user

        if role in self.clients:
            return actor_for_client(self.clients[role])
        return actor_for_user(self.users[role])


def build_world() -> World:
    party_a = services.party_create(actor=SYSTEM, **party_fields())
    party_b = services.party_create(
        actor=SYSTEM,
        **party_fields(
            name="厦门鹭安大药房有限公司",
            party_type="pharmacy",
            uscc=USCC_B,
            sectors=["drug"],
            district="350203",
            company_prefixes=[PREFIX_B],
            pgln="",
            address="思明区中山路112号",
        ),
    )
    party_c = services.party_create(
        actor=SYSTEM,
        name="陈阿福",
        party_type="stall",
        id_kind="ric",
        id_number=RIC_C,
        sectors=["meat_veg"],
        district="350213",
    )
    filing_a = file_and_approve(party_a)
    file_and_approve(party_b)
    location_a = services.location_create(
        actor=SYSTEM, party=party_a, identifier=SGLN_A, name="翔润屠宰厂", kind="plant", district="350213"
    )
    location_b = services.location_create(
        actor=SYSTEM,
        party=party_b,
        identifier=SGLN_B,
        name="鹭安大药房中山路店",
        kind="pharmacy",
        district="350203",
    )
    product_a = services.product_create(
        actor=SYSTEM, party=party_a, gtin=GTIN_A, name="冷鲜猪白条", sectors=["meat_veg", "food"], unit="KGM"
    )
    licence_a = services.licence_create(
        actor=SYSTEM,
        party=party_a,
        kind="food_production",
        number="SC10435021300218",
        issuer="厦门市市场监督管理局",
        valid_from=timezone.localdate() - timedelta(days=400),
        valid_until=timezone.localdate() + timedelta(days=900),
    )
    services.licence_attach_file(actor=SYSTEM, licence=licence_a, content=ContentFile(PDF, name="scan.pdf"))
    world = World(party_a, party_b, party_c, location_a, location_b, product_a, licence_a, filing_a)
    commerce, customs = department_by_code("commerce"), department_by_code("customs")
    world.users["operator"] = user_create(username="operator", password=None, role=Role.OPERATOR)
    world.users["official"] = user_create(
        username="official", password=None, role=Role.OFFICIAL, department=commerce, districts=["350213"]
    )
    world.users["official_other"] = user_create(
        username="official-other", password=None, role=Role.OFFICIAL, department=customs, districts=["350200"]
    )
    world.users["auditor"] = user_create(username="auditor", password=None, role=Role.AUDITOR)
    world.users["admin"] = services.party_member_add(
        actor=SYSTEM, party=party_a, username="admin-a", password=None, role=Role.ENTERPRISE_ADMIN
    )
    world.users["staff"] = services.party_member_add(
        actor=SYSTEM, party=party_a, username="staff-a", password=None, role=Role.ENTERPRISE_STAFF
    )
    world.users["admin_other"] = services.party_member_add(
        actor=SYSTEM, party=party_b, username="admin-b", password=None, role=Role.ENTERPRISE_ADMIN
    )
    client, key = api_client_create(name="platform system")
    world.clients["platform_client"], world.keys["platform_client"] = client, key
    client, key = services.party_api_client_create(actor=SYSTEM, party=party_a, name="翔润 ERP")
    world.clients["party_client"], world.keys["party_client"] = client, key
    client, key = api_client_create(
        name="商务局肉菜流通追溯子系统", kind=ApiClientKind.DEPARTMENT, department=commerce
    )
    world.clients["department_client"], world.keys["department_client"] = client, key
    return world


def close_response(response) -> None:
    """Close a (file) response as the test client's handler would, without the request_finished
    signal closing the test's database connection (it would on PostgreSQL)."""
    from django.core.signals import request_finished
    from django.db import close_old_connections

    if response.streaming:
        b"".join(response.streaming_content)
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
