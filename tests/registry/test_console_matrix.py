"""The console permission matrix of docs/consoles.md, walked over every registry console page.

Like tests/registry/test_permission_matrix.py for the API: the table in the docs is the
specification, every URL pattern of ``tracehub.registry.urls`` must have a row, and every row is
called as every role (each call in a savepoint rolled back, so each role meets the same world).
Besides the status, no page shows another party's data to a role that may not see it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver

from tracehub.accounts.models import Notification, Role
from tracehub.accounts.services import notification_send, user_create
from tracehub.epcis.models import Event
from tracehub.epcis.services import capture_document_store
from tracehub.registry import urls as registry_urls
from tracehub.registry.services import code_allocation_create

from .world import REPO_DOCS, SGLN_A, SYSTEM, USCC_B, World, build_world, close_response

COLUMNS = (
    "anonymous",
    "operator",
    "official",
    "official_other",
    "admin",
    "staff",
    "admin_other",
    "auditor",
    "no_party",
)
ROW = re.compile(r"^\| `(GET|POST) (\S+)` \|(.*)\|\s*$")
PREFIX = "/console/registry/"


def read_matrix() -> dict[tuple[str, str], dict[str, int]]:
    text = (REPO_DOCS / "consoles.md").read_text(encoding="utf-8")
    section = text[text.index("## Console permission matrix") :]
    matrix = {}
    for line in section.splitlines():
        match = ROW.match(line)
        if match:
            codes = [int(c.strip()) for c in match.group(3).split("|")]
            assert len(codes) == len(COLUMNS), f"row {line!r} has {len(codes)} columns"
            matrix[(match.group(1), match.group(2))] = dict(zip(COLUMNS, codes, strict=True))
    return matrix


MATRIX = read_matrix()


@dataclass
class ConsoleWorld:
    """The registry world plus what the console shows: an event of party A at its location,
    captured by its API key (with its capture job), an enterprise user without a party, and a
    notification of party A's administrator."""

    world: World
    event_pk: int
    capture_id: str
    no_party: object
    notification_pk: int
    code_pk: int = 0

    def client(self, role: str) -> Client:
        client = Client()
        if role == "no_party":
            client.force_login(self.no_party)
        elif role != "anonymous":
            client.force_login(self.world.users[role])
        return client

    def placeholders(self) -> dict[str, object]:
        w = self.world
        return {
            "party_a": w.party_a.pk,
            "party_c": w.party_c.pk,
            "filing_a": w.filing_a.pk,
            "licence_a": w.licence_a.pk,
            "location_a": w.location_a.pk,
            "product_a": w.product_a.pk,
            "event_a": self.event_pk,
            "capture_a": self.capture_id,
            "api_client_a": w.clients["party_client"].pk,
            "notification_admin": self.notification_pk,
            "code_a": self.code_pk,
        }


def capture_event_a(world: World, *, event_time: str = "2026-11-16T08:00:00.000+08:00", step="commissioning"):
    """Party A's own system records one event at party A's plant."""
    document = {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": event_time,
        "epcisBody": {
            "eventList": [
                {
                    "type": "ObjectEvent",
                    "eventTime": event_time,
                    "eventTimeZoneOffset": "+08:00",
                    "epcList": [f"urn:epc:id:sgtin:695318204.0001.{event_time[-12:-6].replace(':', '')}"],
                    "action": "ADD",
                    "bizStep": step,
                    "readPoint": {"id": SGLN_A},
                }
            ]
        },
    }
    outcome = capture_document_store(client=world.clients["party_client"], document=document)
    assert outcome.job.captured_count == 1, outcome.errors
    return outcome.job


def build_console_world() -> ConsoleWorld:
    world = build_world()
    job = capture_event_a(world)
    no_party = user_create(username="newcomer", password=None, role=Role.ENTERPRISE_ADMIN)
    link = f"/console/filings/{world.filing_a.pk}/"
    notification_send(users=[world.users["admin"]], message="Test notice.", link=link)

    allocation = code_allocation_create(
        actor=SYSTEM, party=world.party_a, product=world.product_a, count=40, scheme="gs1", lot="L1"
    )
    return ConsoleWorld(
        world=world,
        event_pk=Event.objects.get(capture_job=job).pk,
        capture_id=job.capture_id,
        no_party=no_party,
        notification_pk=Notification.objects.get(user=world.users["admin"]).pk,
        code_pk=allocation.pk,
    )


@pytest.fixture
def console(db) -> ConsoleWorld:
    return build_console_world()


def _patterns(resolver, prefix=""):
    for entry in resolver:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def test_every_console_url_has_a_row_in_the_matrix():
    """A new page needs its row in docs/consoles.md (the rows name its parameters)."""
    rows = {re.sub(r"\{[\w=]+\}", "<>", path) for _method, path in MATRIX}
    missing = [p for p in _patterns(registry_urls.urlpatterns) if re.sub(r"<[^>]+>", "<>", p) not in rows]
    assert missing == []


#: POST bodies of the matrix's POST rows.
BODIES = {
    "filings/{filing_a}/{action=suspend}/": {"reason": "检查发现问题"},
    "notifications/read/": {},
}


@pytest.mark.parametrize(("method", "path"), sorted(MATRIX), ids=[f"{m} {p}" for m, p in sorted(MATRIX)])
def test_each_role_gets_what_the_matrix_says(console, method, path):
    # {action=suspend} names the action literally: the row is about that action.
    url = PREFIX + re.sub(r"\{action=(\w+)\}", r"\1", path).format(**console.placeholders())
    got = {}
    for role in COLUMNS:
        with transaction.atomic():
            client = console.client(role)
            response = client.get(url) if method == "GET" else client.post(url, BODIES.get(path, {}))
            got[role] = response.status_code
            if response.streaming:
                close_response(response)
            if response.status_code == 200 and role in ("admin_other", "official_other"):
                # Whatever the page, another party's data never shows to those who may not see it.
                html = response.content.decode() if not response.streaming else ""
                assert console.world.party_a.uscc not in html, (role, path)
            transaction.set_rollback(True)
    assert got == MATRIX[(method, path)]


def test_anonymous_users_are_sent_to_sign_in(console):
    response = Client().get(PREFIX + "parties/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/console/registry/parties/")


def test_the_403_and_404_pages_are_the_platforms_in_chinese(console):
    client = console.client("staff")
    forbidden = client.get(PREFIX + f"parties/{console.world.party_a.pk}/edit/")
    assert forbidden.status_code == 403
    assert "拒绝访问" in forbidden.content.decode() or "无权" in forbidden.content.decode()
    missing = client.get(PREFIX + f"parties/{console.world.party_b.pk}/")
    assert missing.status_code == 404
    html = missing.content.decode()
    assert "页面不存在" in html or "找不到" in html
    assert "厦门鹭安大药房" not in html


def test_lists_never_show_another_partys_rows(console):
    """Lists answer 200 to every role with only what the role may see."""
    for path in ("licences/", "locations/", "products/", "events/", "capture-jobs/", "audit/"):
        html = console.client("admin_other").get(PREFIX + path).content.decode()
        assert "翔润" not in html, path
        assert "SC10435021300218" not in html, path
    html = console.client("official_other").get(PREFIX + "parties/").content.decode()
    assert "厦门翔润肉类食品有限公司" not in html
    html = console.client("official").get(PREFIX + "parties/").content.decode()
    assert "厦门翔润肉类食品有限公司" in html
    assert USCC_B not in html  # a pharmacy in 思明 is neither the official's sector nor district


def test_menu_shows_each_role_its_entries(console):
    def keys(role):
        html = console.client(role).get("/console/").content.decode()
        return set(re.findall(r'data-menu-key="([^"]+)"', html))

    assert {"registry.my-party", "registry.staff", "registry.api-keys"} <= keys("admin")
    assert "registry.staff" not in keys("staff")
    assert "registry.review" not in keys("admin")
    assert {"registry.review", "registry.parties", "registry.audit"} <= keys("official")
    assert "registry.my-party" not in keys("official")
    assert keys("auditor") & {"registry.review", "registry.events"} == set()
    assert "registry.parties" in keys("auditor")
    assert "registry.register-party" in keys("no_party")
    assert "registry.register-party" not in keys("admin")
    assert get_user_model().objects.filter(username="newcomer").exists()
