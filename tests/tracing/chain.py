"""A hand-built chain through filed parties (tests of permissions and pages; issue #4 item 2).

A farm (agri) → a slaughterhouse (meat/veg, food) that makes MEAT from RAW → a wholesaler → a shop
that sells it, and a pharmacy that has nothing to do with it; each party with its own GS1 company
prefix, location and PGLN, set up through the registry's services; the events captured through
the EPCIS API. ``chain`` (a fixture, in conftest.py) holds a test client per role.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.test import Client

from tests.registry.world import SYSTEM, file_and_approve, make_uscc
from tracehub.accounts.models import ApiClientKind, Role
from tracehub.accounts.selectors import department_by_code
from tracehub.accounts.services import api_client_create, user_create
from tracehub.registry import services as registry

from .builders import at, capture, commission, lgtin, receive, sell, ship, transform

RAW = lgtin("RAW1", "012345")
MEAT = lgtin("MEAT1")


def prefix(n: int) -> str:
    """Each party's own GS1 company prefix: its locations and PGLN are under it."""
    return f"69532{n:04d}"


def sgln(n: int) -> str:
    return f"urn:epc:id:sgln:{prefix(n)}.001.0"


def pgln(n: int) -> str:
    return f"urn:epc:id:pgln:{prefix(n)}.000"


def place(event: dict, n: int, source: int | None = None, destination: int | None = None) -> dict:
    """The builders' event, at party ``n``'s location and between the parties named."""
    event["readPoint"] = event["bizLocation"] = {"id": sgln(n)}
    if source is not None:
        event["sourceList"] = [{"type": "owning_party", "source": pgln(source)}]
    if destination is not None:
        event["destinationList"] = [{"type": "owning_party", "destination": pgln(destination)}]
    return event


@dataclass
class Chain:
    events: dict[str, dict[str, Any]]
    parties: dict[str, Any] = field(default_factory=dict)
    http: dict[str, Client] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)

    def ids(self, *names: str) -> set[str]:
        return {self.events[name]["eventID"] for name in names}


def _party(
    name: str, number: int, party_type: str, sectors: list[str], district: str, body: str, *, filed=True
):
    party = registry.party_create(
        actor=SYSTEM,
        name=name,
        party_type=party_type,
        id_kind="uscc",
        uscc=make_uscc(district, body),
        sectors=sectors,
        district=district,
        pgln=pgln(number),
        company_prefixes=[prefix(number)],
    )
    registry.location_create(
        actor=SYSTEM,
        party=party,
        identifier=sgln(number),
        name=f"{name}场所",
        kind={"farm": "barn", "slaughterhouse": "plant", "wholesaler": "market"}.get(party_type, "shop"),
        district=district,
    )
    if filed:
        file_and_approve(party)
    return party


def _member(chain: Chain, party, username: str) -> None:
    user = registry.party_member_add(
        actor=SYSTEM, party=party, username=username, password=None, role=Role.ENTERPRISE_ADMIN
    )
    client = Client()
    client.force_login(user)
    chain.http[username] = client


def build_chain(api) -> Chain:
    events = {
        "made": place(commission(classes=[(RAW, 100, "KGM")], when=at(1)), 1),
        "ship_raw": place(ship(classes=[(RAW, 100, "KGM")], when=at(2)), 1, source=1, destination=2),
        "recv_raw": place(receive(classes=[(RAW, 100, "KGM")], when=at(3)), 2),
        "slaughter": place(
            transform(input_classes=[(RAW, 100, "KGM")], output_classes=[(MEAT, 80, "KGM")], when=at(4)), 2
        ),
        "ship_meat": place(ship(classes=[(MEAT, 80, "KGM")], when=at(5)), 2, source=2, destination=3),
        "recv_meat": place(receive(classes=[(MEAT, 80, "KGM")], when=at(6)), 3),
        "ship_shop": place(ship(classes=[(MEAT, 10, "KGM")], when=at(7)), 3, source=3, destination=4),
        "recv_shop": place(receive(classes=[(MEAT, 10, "KGM")], when=at(8)), 4),
        "sold": place(sell(classes=[(MEAT, 1, "KGM")], when=at(9)), 4),
    }
    result = Chain(events)
    result.parties["farm"] = _party("同安生猪养殖场", 1, "farm", ["agri"], "350212", "260100001")
    result.parties["plant"] = _party(
        "翔安屠宰厂", 2, "slaughterhouse", ["meat_veg", "food"], "350213", "260100002"
    )
    result.parties["market"] = _party("湖里批发市场", 3, "wholesaler", ["meat_veg"], "350206", "260100003")
    result.parties["shop"] = _party("思明生鲜店", 4, "retailer", ["meat_veg"], "350203", "260100004")
    result.parties["pharmacy"] = _party("鹭安药房", 5, "pharmacy", ["drug"], "350203", "260100005")
    capture(api, *events.values())
    for name in ("plant", "market", "shop", "pharmacy"):
        _member(result, result.parties[name], f"admin-{name}")
    for username, department, districts in (
        ("official-commerce", "commerce", ["350206"]),
        ("official-agri", "agri", ["350200"]),
        ("official-customs", "customs", ["350200"]),
    ):
        user = user_create(
            username=username,
            password=None,
            role=Role.OFFICIAL,
            department=department_by_code(department),
            districts=districts,
        )
        client = Client()
        client.force_login(user)
        result.http[username] = client
        result.users[username] = user
    for username, role in (("operator", Role.OPERATOR), ("auditor", Role.AUDITOR)):
        client = Client()
        client.force_login(user_create(username=username, password=None, role=role))
        result.http[username] = client
    _client, key = api_client_create(
        name="商务局子系统", kind=ApiClientKind.DEPARTMENT, department=department_by_code("commerce")
    )
    result.http["department"] = Client(headers={"Authorization": f"Bearer {key}"})
    _client, key = registry.party_api_client_create(actor=SYSTEM, party=result.parties["shop"], name="POS")
    result.http["shop-key"] = Client(headers={"Authorization": f"Bearer {key}"})
    result.http["platform"] = api
    return result
