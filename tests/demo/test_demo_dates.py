"""The demo is dated from the day it is loaded (issue #6 item 7): the registry demo dates the demo
licences from the load day, so every chain and sector demo dates its events from it too
(``tracehub.demo.events.demo_day``), and a load on any later day is as consistent as today's.
"""

from __future__ import annotations

import datetime as dt
import importlib
from io import StringIO

import orjson
import pytest
from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone

from tracehub.demo import data as d
from tracehub.epcis.models import Event
from tracehub.registry.models import Licence, Party
from tracehub.sectors.entry import party_uri
from tracehub.sectors.profile import registry
from tracehub.sectors.profiles.food import FOOD_LICENCES

#: The modules whose dates are taken from the demo day when imported, in dependency order.
DEMO_MODULES = (
    "tracehub.demo.events",
    "tracehub.sectors.demo",
    "tracehub.sectors.demo_g2_g6",
    "tracehub.sectors.demo_g3_e2",
    "tracehub.sectors.demo_agri",
    "tracehub.sectors.demo_agri_input",
    "tracehub.sectors.demo_food",
)

A_YEAR = dt.timedelta(days=365)


def _reimport() -> None:
    for name in DEMO_MODULES:
        importlib.reload(importlib.import_module(name))


@pytest.fixture
def a_year_later(db, monkeypatch):
    """The clock a year ahead, and the demo modules imported again under it (as a ``load_demo``
    process started that day imports them); afterwards both are put back."""
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + A_YEAR)
    _reimport()
    yield real_now
    monkeypatch.undo()
    _reimport()


def test_the_demo_day_follows_the_load_day(a_year_later):
    from tracehub.demo.events import BASE_DATE, DAYS_BEFORE_LOAD, demo_day

    today = timezone.localdate()
    assert today == timezone.localtime(a_year_later()).date() + A_YEAR
    assert BASE_DATE == demo_day() == today - dt.timedelta(days=DAYS_BEFORE_LOAD)


def test_a_load_a_year_later_is_refused_nothing_and_captures_every_event(a_year_later):
    from tracehub.demo.management.commands.load_demo import demo_event_count

    out = StringIO()
    call_command("load_demo", stdout=out)  # a refused step would raise CommandError or StepRefused
    assert Event.objects.count() == demo_event_count()
    lines = out.getvalue().splitlines()
    for step in ("market_declaration", "product_inspection", "ticket_receiving", "inspection_check"):
        assert f"  food {step:<20} stored" in lines
    # Every event happened before the (moved) load day, none a year earlier.
    latest = timezone.localtime(Event.objects.latest("event_time").event_time).date()
    earliest = timezone.localtime(Event.objects.earliest("event_time").event_time).date()
    today = timezone.localdate()
    assert latest <= today
    assert earliest > timezone.localtime(a_year_later()).date() - A_YEAR


def test_the_food_receipt_a_year_later_falls_inside_the_supplier_licence(a_year_later):
    """索证 (G1): the receipt's supplier holds a food licence valid on the receipt's day, the day
    the profile checks it on at capture."""
    call_command("load_demo", stdout=StringIO())
    stored = Event.objects.get(biz_step=registry["food"].step("ticket_receiving").biz_step)
    day = timezone.localtime(stored.event_time).date()
    assert day > timezone.localtime(a_year_later()).date() + dt.timedelta(days=300)
    event = orjson.loads(stored.document)
    supplier = Party.objects.get(uscc=d.SLAUGHTERHOUSE.uscc)
    assert [s["source"] for s in event["sourceList"]] == [party_uri(supplier)]
    valid = Licence.objects.filter(party=supplier, kind__in=FOOD_LICENCES).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=day),
        Q(valid_until__isnull=True) | Q(valid_until__gte=day),
    )
    assert valid.exists()


def test_a_later_load_into_the_loaded_demo_adds_nothing(db, monkeypatch):
    """The events of a store loaded on an earlier day are dated from that day: a load on a later
    day files the registry demo and enters nothing again (its steps would be refused as done)."""
    call_command("load_demo", stdout=StringIO())
    stored = Event.objects.count()
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + A_YEAR)
    _reimport()
    try:
        out = StringIO()
        call_command("load_demo", stdout=out)
    finally:
        monkeypatch.undo()
        _reimport()
    assert Event.objects.count() == stored
    assert f"was loaded on {timezone.localdate().isoformat()}" in out.getvalue()
