"""Allocations at the same moment never overlap (issue #5 "What must show").

Threads, each with its own database connection, allocate from one numbering space at once,
released together by a barrier, including the very first allocation that creates the counter.
On PostgreSQL (``tracehub.devtools.pgtest``) the counter's ``SELECT … FOR UPDATE`` makes the second
wait for the first; on SQLite writing transactions take the database lock (``IMMEDIATE``) and wait.
Every range must be disjoint from every other and together they must fill the counter exactly.
"""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection, connections

from tracehub.registry import selectors, services
from tracehub.registry.models import CodeAllocation, CodeCounter

from .world import SYSTEM, build_world

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _departments(reference_data):
    """Threads need a transactional test, whose flush removes the departments (tests/conftest.py)."""


THREADS = 4
ROUNDS = 5


def _serialised_by_sqlite() -> bool:
    """On SQLite the test database lives in memory with a shared cache, where a second writer fails
    at once ("database table is locked") instead of waiting as it does on the file database the
    platform uses: there the guarantee is that writing transactions are serialised (``BEGIN
    IMMEDIATE`` with a busy timeout, settings.py), which is asserted instead. The race itself runs
    on PostgreSQL, as CI and ``make test`` with TEST_POSTGRES_URL do."""
    if connection.vendor == "postgresql":
        return False
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE" and options["timeout"] >= 5
    return True


def _race(world, *, scheme: str, product, count: int) -> list[BaseException]:
    barrier = threading.Barrier(THREADS)
    failures: list[BaseException] = []

    def work() -> None:
        try:
            actor = world.actor("admin")
            for _ in range(ROUNDS):
                barrier.wait(timeout=60)
                services.code_allocation_create(
                    actor=actor, party=world.party_a, product=product, count=count, scheme=scheme, lot="L1"
                )
        except BaseException as exc:  # reported by the test
            failures.append(exc)
            barrier.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return failures


def _assert_disjoint_and_complete(scheme: str, total: int) -> list[CodeAllocation]:
    allocations = list(CodeAllocation.objects.filter(scheme=scheme).order_by("first_sequence"))
    assert len(allocations) == THREADS * ROUNDS
    expected_first = 0
    for allocation in allocations:
        assert allocation.first_sequence == expected_first, [
            (a.first_sequence, a.last_sequence) for a in allocations
        ]
        expected_first = allocation.last_sequence + 1
    assert expected_first == total
    assert CodeCounter.objects.get(scheme=scheme).next_sequence == total
    return allocations


def test_concurrent_gs1_allocations_never_overlap():
    if _serialised_by_sqlite():
        return
    world = build_world()
    failures = _race(world, scheme="gs1", product=world.product_a, count=1000)
    assert not failures, failures
    allocations = _assert_disjoint_and_complete("gs1", THREADS * ROUNDS * 1000)
    serials = [s for a in allocations for s in selectors.code_allocation_codes(a)]
    assert len(serials) == len(set(serials)) == THREADS * ROUNDS * 1000
    # Every serial is found again in the allocation that holds it.
    for allocation in allocations[::THREADS]:
        serial = next(iter(selectors.code_allocation_codes(allocation, start=500, stop=501)))
        assert selectors.code_allocation_find(gtin=world.product_a.gtin, serial=serial) == allocation


def test_concurrent_platform_allocations_share_one_node_and_never_overlap():
    if _serialised_by_sqlite():
        return
    world = build_world()
    product = services.product_create(
        actor=SYSTEM,
        party=world.party_a,
        platform_code="urn:example:veg:9",
        name="菠菜",
        sectors=["meat_veg"],
    )
    failures = _race(world, scheme="platform", product=product, count=100)
    assert not failures, failures
    allocations = _assert_disjoint_and_complete("platform", THREADS * ROUNDS * 100)
    assert {a.counter_key[6:10] for a in allocations} == {"0001"}
    assert CodeCounter.objects.get(scheme="node").next_sequence == 1
