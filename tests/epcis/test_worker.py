"""Background capture: a spooled document is processed by `tracehub worker` (issue #2 item 6)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from tracehub.epcis.models import CaptureJob, Event

from .docs import body, object_event

pytestmark = pytest.mark.django_db(transaction=True)


def test_worker_processes_a_spooled_capture(api, settings):
    settings.TRACEHUB_CAPTURE_INLINE_MAX_BYTES = 500
    events = [object_event(serials=(f"w{i}",)) for i in range(30)]
    response = api.post("/epcis/capture", data=body(*events), content_type="application/ld+json")
    assert response.status_code == 202
    assert api.get(response["Location"]).json()["running"] is True
    job = CaptureJob.objects.get()
    spool = job.spool_path
    call_command("worker", "--batch", "--no-startup-delay", stdout=io.StringIO(), stderr=io.StringIO())
    status = api.get(response["Location"]).json()
    assert status["running"] is False and status["success"] is True and status["capturedCount"] == 30
    assert Event.objects.count() == 30
    import os

    assert not os.path.exists(spool)  # the spooled body is removed once captured


def test_worker_reports_an_invalid_spooled_document(api, settings):
    settings.TRACEHUB_CAPTURE_INLINE_MAX_BYTES = 500
    events = [object_event(serials=(f"v{i}",)) for i in range(30)] + [object_event(bizStep="dancing")]
    response = api.post("/epcis/capture", data=body(*events), content_type="application/ld+json")
    call_command("worker", "--batch", "--no-startup-delay", stdout=io.StringIO(), stderr=io.StringIO())
    status = api.get(response["Location"]).json()
    assert status["success"] is False and status["capturedCount"] == 0
    assert status["errors"][0]["path"] == "epcisBody.eventList[30].bizStep"
    assert Event.objects.count() == 0
