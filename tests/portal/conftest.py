"""Fixtures of the portal tests: the demo data set loaded through the real capture pipeline, and
codes of its chains (tracehub.demo.events builds them from a fixed seed)."""

from __future__ import annotations

import importlib
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command

from tracehub.demo import data
from tracehub.demo.events import demo_documents
from tracehub.identifiers import canonical_key


@pytest.fixture(autouse=True)
def _fresh_cache():
    from tracehub.portal.selectors import portal_cache

    cache.clear()
    portal_cache().clear()
    yield
    cache.clear()
    portal_cache().clear()


@pytest.fixture
def demo(db):
    # The departments are reference data of a data migration (idempotent): put them back for a
    # database built without migrations (pytest --no-migrations).
    from django.apps import apps

    importlib.import_module("tracehub.accounts.migrations.0003_departments").create(apps, None)
    call_command("load_demo", stdout=StringIO())
    return data


def _chain(name: str) -> list[dict]:
    return next(demo.events for demo in demo_documents() if demo.chain == name)


def _paths(uris) -> list[str]:
    return ["/" + canonical_key(uri) for uri in uris]


@pytest.fixture
def drug_pack(demo) -> str:
    """The resolver path of the pack of the demo drug chain that was dispensed at pharmacy A."""
    dispensing = next(event for event in _chain("drug") if event["bizStep"] == "dispensing")
    return _paths(dispensing["epcList"])[0]


@pytest.fixture
def drug_packs(demo) -> list[str]:
    """Every pack of the demo drug chain, in the order they were commissioned."""
    commissioning = next(event for event in _chain("drug") if event["bizStep"] == "commissioning")
    return _paths(commissioning["epcList"])


@pytest.fixture
def wine_bottles(demo) -> list[str]:
    """Every bottle of the demo wine chain (imported through 厦门港), in commissioning order."""
    commissioning = next(event for event in _chain("wine") if event["bizStep"] == "commissioning")
    return _paths(commissioning["epcList"])
