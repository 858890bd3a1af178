"""The N+1 guard of the console (issue #3 "What must show"): every list page runs the same number of
queries whatever the number of rows on it (its selector prefetches what the rows show)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tracehub.accounts.models import Role
from tracehub.accounts.services import notification_send
from tracehub.registry import services

from .test_console_matrix import PREFIX, ConsoleWorld, build_console_world, capture_event_a
from .world import PREFIX_A, SYSTEM, gln, gtin, make_uscc

pytestmark = pytest.mark.django_db


@pytest.fixture
def console(db) -> ConsoleWorld:
    return build_console_world()


def _parties(c: ConsoleWorld, start: int, n: int, *, file: bool = False) -> None:
    for i in range(start, start + n):
        party = services.party_create(
            actor=SYSTEM,
            name=f"翔安测试屠宰场{i:03d}",
            party_type="slaughterhouse",
            id_kind="uscc",
            uscc=make_uscc("350213", f"MA{i:07d}"),
            sectors=["meat_veg", "food"],
            district="350213",
            company_prefixes=[f"69{i:07d}"],
        )
        if file:
            services.filing_submit(actor=SYSTEM, party=party, note="test")


def _licences(c: ConsoleWorld, start: int, n: int) -> None:
    for i in range(start, start + n):
        services.licence_create(
            actor=SYSTEM,
            party=c.world.party_a,
            kind="test_report",
            number=f"JC-2026-{i:04d}",
            valid_until=timezone.localdate() + timedelta(days=5 + i % 20),
        )


def _locations(c: ConsoleWorld, start: int, n: int) -> None:
    for i in range(start, start + n):
        services.location_create(
            actor=SYSTEM,
            party=c.world.party_a,
            identifier=gln(PREFIX_A, f"{100 + i:03d}"),
            name=f"库{i}",
            kind="warehouse",
        )


def _products(c: ConsoleWorld, start: int, n: int) -> None:
    for i in range(start, start + n):
        services.product_create(
            actor=SYSTEM,
            party=c.world.party_a,
            gtin=gtin(PREFIX_A, f"{100 + i:03d}"),
            name=f"品{i}",
            sectors=["food"],
        )


def _members(c: ConsoleWorld, start: int, n: int) -> None:
    for i in range(start, start + n):
        services.party_member_add(
            actor=SYSTEM,
            party=c.world.party_a,
            username=f"staff{i}",
            password=None,
            role=Role.ENTERPRISE_STAFF,
        )


def _keys(c: ConsoleWorld, start: int, n: int) -> None:
    for i in range(start, start + n):
        services.party_api_client_create(actor=SYSTEM, party=c.world.party_a, name=f"系统{i}")


def _events(c: ConsoleWorld, start: int, n: int) -> None:
    for i in range(start, start + n):
        capture_event_a(
            c.world, event_time=f"2026-10-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00.000+08:00"
        )


def _audit(c: ConsoleWorld, start: int, n: int) -> None:
    for i in range(start, start + n):
        services.party_update(actor=SYSTEM, party=c.world.party_a, contact_phone=f"0592-{i:07d}")


def _notifications(c: ConsoleWorld, start: int, n: int) -> None:
    notification_send(
        users=[c.world.users["admin"]] * 1,
        message="Test notice.",
        link=f"/console/filings/{c.world.filing_a.pk}/",
    )
    for _i in range(n - 1):
        notification_send(users=[c.world.users["admin"]], message="Test notice.", link="/console/licences/1/")


PAGES: list[tuple[str, str, Callable]] = [
    ("operator", "parties/", _parties),
    ("official", "parties/", _parties),
    ("operator", "filings/", lambda c, s, n: _parties(c, s, n, file=True)),
    ("official", "filings/review/", lambda c, s, n: _parties(c, s, n, file=True)),
    ("admin", "licences/", _licences),
    ("official", "licences/expiring/", _licences),
    ("admin", "locations/", _locations),
    ("official", "locations/", _locations),
    ("admin", "products/", _products),
    ("admin", "staff/", _members),
    ("admin", "api-keys/", _keys),
    ("admin", "events/", _events),
    ("official", "events/", _events),
    ("admin", "capture-jobs/", _events),
    ("operator", "audit/", _audit),
    ("official", "audit/", _audit),
    ("admin", "notifications/", _notifications),
    ("admin", "party/{party_a}/", _licences),
]


@pytest.mark.parametrize(("role", "path", "add"), PAGES, ids=[f"{r} {p}" for r, p, _ in PAGES])
def test_a_list_page_costs_the_same_queries_whatever_its_size(console, role, path, add):
    client = console.client(role)
    url = PREFIX + path.replace("party/{party_a}/", f"parties/{console.world.party_a.pk}/")

    def queries() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, {"per_page": 50})
        assert response.status_code == 200
        return len(ctx.captured_queries), response.content.decode()

    add(console, 0, 2)
    few, _ = queries()
    add(console, 2, 14)
    many, html = queries()
    assert few == many, f"{few} queries for a few rows, {many} for many"
    assert few <= 30


def test_lists_are_paged(console):
    _parties(console, 0, 25)
    client = console.client("operator")
    first = client.get(PREFIX + "parties/").content.decode()
    assert "第 1 / 2 页" in first
    assert "?page=2" in first
    second = client.get(PREFIX + "parties/", {"page": 2}).content.decode()
    assert "第 2 / 2 页" in second
    # a page number out of range or not a number gives a page, never an error
    assert client.get(PREFIX + "parties/", {"page": "999"}).status_code == 200
    assert client.get(PREFIX + "parties/", {"page": "x", "per_page": "7"}).status_code == 200


def test_events_are_keyset_paged_newest_first(console):
    _events(console, 0, 24)
    client = console.client("admin")
    seen = []
    response = client.get(PREFIX + "events/", {"per_page": 10})
    pages = 0
    while True:
        html = response.content.decode()
        pages += 1
        seen.extend(re.findall(r'href="/console/registry/events/(\d+)/"', html))
        marker = 'rel="next"'
        if marker not in html:
            break
        link = html[: html.index(marker)].rsplit('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
        assert link.startswith("?")  # {% querystring %}: the same page, the next token
        response = client.get(PREFIX + "events/" + link)
    assert pages == 3
    assert len(seen) == len(set(seen)) == 25
