"""The world of the liquor (G3) and enterprise (E2) tests: the demo data set loaded through the real
services and capture pipeline (``tracehub load_demo``, which runs ``sectors.demo_g3_e2``), and
helpers. No tests here; the fixtures are imported by test_liquor_*.py and test_enterprise_*.py."""

from __future__ import annotations

import importlib
import io

import orjson
import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from tracehub.accounts.models import AuditEntry, Notification
from tracehub.epcis.models import Event
from tracehub.registry.actors import Actor, actor_for_user
from tracehub.sectors.demo_g3_e2 import DISTILLERY, KITCHEN, RESTAURANT, WHOLESALER, site_id
from tracehub.sectors.models_enterprise import EnterpriseFinding, ProductionRecord
from tracehub.sectors.models_liquor import LiquorOperatorFiling, LiquorSlip

JSONLD = "application/ld+json"
SYSTEM = Actor.system("test")
PLANT = site_id(DISTILLERY, "001")
STORE = site_id(WHOLESALER, "001")
RESTAURANT_SITE = site_id(RESTAURANT, "1")
LINE = site_id(KITCHEN, "002")
COLD = site_id(KITCHEN, "003")
SHOP = site_id(KITCHEN, "005")


@pytest.fixture
def world(db, settings):
    """The demo data set, with the departments a migration would have made (tests run --nomigrations)."""
    importlib.import_module("tracehub.accounts.migrations.0003_departments").create(apps, None)
    settings.TRACEHUB_DEMO_PASSWORD = None
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def user(username: str):
    return get_user_model().objects.get(username=username)


def actor(username: str) -> Actor:
    return actor_for_user(user(username))


def console(username: str) -> Client:
    http = Client()
    http.force_login(user(username))
    return http


def capture(api, *events) -> object:
    from tracehub.sectors import entry

    return api.post("/epcis/capture", data=orjson.dumps(entry.document(list(events))), content_type=JSONLD)


def stored(event_id: str) -> dict:
    return orjson.loads(Event.objects.get(event_id=event_id).document)


def state() -> tuple[int, ...]:
    """Everything a refused entry must leave as it was."""
    return (
        Event.objects.count(),
        LiquorSlip.objects.count(),
        LiquorOperatorFiling.objects.count(),
        EnterpriseFinding.objects.count(),
        ProductionRecord.objects.count(),
        Notification.objects.count(),
        AuditEntry.objects.count(),
    )
