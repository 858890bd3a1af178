"""The G2/G6 tests' world: the demo data set, loaded by ``tracehub load_demo`` through the real
services and capture pipeline — the drug and imported-food demo (``sectors.demo_g2_g6``) included —
and helpers shared by the drug and imported-food tests.

The departments are reference data of a migration (accounts 0003); under ``--nomigrations`` they
are created here the same way, so the tests run with or without migrations.
"""

from __future__ import annotations

import importlib
import io
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, TestCase

from tracehub.accounts.models import AuditEntry
from tracehub.epcis.models import Event
from tracehub.registry.actors import Actor
from tracehub.sectors.demo_g2_g6 import drug_steps, milk_steps, wine_steps
from tracehub.sectors.entry import entry_for, parse_entry
from tracehub.sectors.models_drug import DispensingAlert, DrugCase
from tracehub.sectors.models_import import ImportRecord

SYSTEM = Actor.system("test")


def seed_departments() -> None:
    importlib.import_module("tracehub.accounts.migrations.0003_departments").create(apps, None)


def load_g2_demo(settings) -> str:
    """Load the demo data set (the G2/G6 demo included); what ``load_demo`` printed."""
    settings.TRACEHUB_DEMO_PASSWORD = None
    seed_departments()
    out = io.StringIO()
    # As in production, the capture hooks (double-dispensing alerts) run once the demo commits.
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def g2_demo(db, settings):
    return load_g2_demo(settings)


def console(username: str) -> Client:
    http = Client()
    http.force_login(get_user_model().objects.get(username=username))
    return http


def event_of(sector: str, step: str, data: dict[str, str]) -> dict[str, Any]:
    """The event an entry of ``step`` makes (what the service would capture)."""
    spec = entry_for(sector, step)
    return spec.build(parse_entry(spec, data))


def stored_state() -> tuple[int, ...]:
    """Counts of everything a G2/G6 entry may write: compared before and after a refusal."""
    return (
        Event.objects.count(),
        AuditEntry.objects.count(),
        DispensingAlert.objects.count(),
        ImportRecord.objects.count(),
        DrugCase.objects.count(),
    )


def test_the_demo_enters_every_drug_and_import_step(g2_demo):
    from tracehub.sectors.profile import registry

    for sector, steps in (("drug", drug_steps()), ("import_food", wine_steps() + milk_steps())):
        entered = {step for step, _data in steps}
        assert entered == {s.key for s in registry[sector].steps}, sector
        for step, data in steps:
            assert Event.objects.filter(event_id=event_of(sector, step, data)["eventID"]).exists(), (
                step,
                data,
            )
    assert ImportRecord.objects.count() == 2
    assert DispensingAlert.objects.count() == 1
    assert DrugCase.objects.count() == 2
    assert "drug dispensing       stored" in g2_demo and "milk powder retail             stored" in g2_demo


def test_loading_the_demo_again_stores_nothing_new(g2_demo):
    before = stored_state()
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    after = stored_state()
    # Every entry is audited again (captured: false), nothing else is written.
    assert after[0] == before[0] and after[2:] == before[2:]
    assert "drug dispensing       already stored" in out.getvalue()
