"""The record chain (O3): any later change to a stored event is detectable."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tracehub.epcis.models import Event
from tracehub.epcis.selectors import chain_verify, links_verify

from .docs import body, object_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(api):
    for batch in (("1", "2"), ("3",), ("4", "5", "6")):
        events = [object_event(serials=(s,)) for s in batch]
        assert (
            api.post("/epcis/capture", data=body(*events), content_type="application/ld+json").status_code
            == 202
        )
    return list(Event.objects.order_by("id"))


def _raw_update(sql: str, params: list) -> None:
    # Tampering goes around the application on purpose: it is what the chain must catch.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_intact_chain_verifies(stored):
    result = chain_verify()
    assert result.broken_at is None and result.checked == 6
    assert result.head == stored[-1].chain_hash
    out = io.StringIO()
    call_command("verify_events", stdout=out)
    assert "OK: 6 events" in out.getvalue()


def test_changed_document_is_detected_at_its_row(stored):
    victim = stored[3]
    _raw_update(
        "UPDATE epcis_event SET document = %s WHERE id = %s",
        [victim.document.replace("shipping", "receiving"), victim.id],
    )
    result = chain_verify()
    assert result.broken_at == victim.id and result.checked == 3
    with pytest.raises(CommandError, match=f"row {victim.id}"):
        call_command("verify_events", stdout=io.StringIO())


def test_changed_event_id_is_detected(stored):
    _raw_update("UPDATE epcis_event SET event_id = %s WHERE id = %s", ["urn:uuid:forged", stored[1].id])
    assert chain_verify().broken_at == stored[1].id


def test_deleted_row_is_detected_at_the_next(stored):
    Event.objects.filter(id=stored[2].id).delete()
    assert chain_verify().broken_at == stored[3].id


def test_recomputed_hash_of_one_row_breaks_the_next(stored):
    # A forger who rewrites a row and its own chain hash is caught by the following link.
    _raw_update("UPDATE epcis_event SET chain_hash = %s WHERE id = %s", ["f" * 64, stored[0].id])
    assert chain_verify().broken_at == stored[0].id


def test_chain_spans_batches(stored, settings, api):
    settings.TRACEHUB_CAPTURE_BATCH = 2
    events = [object_event(serials=(f"b{i}",)) for i in range(5)]
    api.post("/epcis/capture", data=body(*events), content_type="application/ld+json")
    assert chain_verify().broken_at is None
    assert Event.objects.count() == 11


def test_index_rows_of_a_deleted_event_are_reported(stored):
    # Events and index rows are linked without declared foreign keys (capture speed), so the
    # verification is what notices index rows left behind by a row deleted around the application.
    victim = stored[-1]
    _raw_update("DELETE FROM epcis_event WHERE id = %s", [victim.id])
    with pytest.raises(
        CommandError, match=rf"index rows point at missing events \(first event_id: {victim.id}\)"
    ):
        call_command("verify_events", stdout=io.StringIO())


def test_declaration_pointing_nowhere_is_reported(stored):
    _raw_update("UPDATE epcis_event SET declares_error_for_id = %s WHERE id = %s", [999999, stored[0].id])
    assert links_verify() == [f"1 error declarations point at missing events (first id: {stored[0].id})"]
