"""Who may capture what (issue #3 item 5): party clients at their own locations, department clients
within their sectors, unfiled or suspended parties not at all; refusals are 403 and store nothing."""

from __future__ import annotations

import io

import orjson
import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.registry.world import (
    GTIN_A,
    GTIN_B,
    PREFIX_A,
    PREFIX_B,
    SGLN_A,
    SGLN_B,
    SYSTEM,
    USCC_A,
    build_world,
)
from tracehub.accounts.models import ApiClientKind
from tracehub.accounts.selectors import api_client_for_key
from tracehub.epcis.models import CaptureJob, Event
from tracehub.registry import services

from .docs import body

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return build_world()


def event(read_point=SGLN_A, *, gtin_prefix=PREFIX_A, item="0001", serial="1", **over):
    data = {
        "type": "ObjectEvent",
        "eventTime": "2026-11-16T08:00:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "epcList": [f"urn:epc:id:sgtin:{gtin_prefix}.{item}.{serial}"],
        "action": "OBSERVE",
        # Not shipping: party B is a pharmacy, whose shipments the drug profile checks field by field
        # (tests/sectors); who may capture where is the same for any step.
        "bizStep": "storing",
        "readPoint": {"id": read_point},
    }
    data.update(over)
    return data


def capture(world, role, *events, behaviour="rollback"):
    return world.http(role).post(
        "/epcis/capture",
        data=body(*events),
        content_type="application/ld+json",
        headers={"GS1-Capture-Error-Behaviour": behaviour},
    )


def test_party_client_captures_at_its_own_location(world):
    response = capture(world, "party_client", event(), event(serial="2"))
    assert response.status_code == 202, response.content
    assert Event.objects.count() == 2


def test_party_client_at_a_foreign_location_is_403_naming_event_and_location(world):
    foreign = event(SGLN_B, eventID="urn:uuid:6f0e7a52-1b5c-4f55-9a4c-1a2b3c4d5e6f")
    response = capture(world, "party_client", event(), foreign)
    assert response.status_code == 403, response.content
    problem = response.json()
    assert problem["type"] == "epcisException:SecurityException"
    [error] = problem["errors"]
    assert error["index"] == 1
    assert error["eventID"] == "urn:uuid:6f0e7a52-1b5c-4f55-9a4c-1a2b3c4d5e6f"
    assert error["path"] == "epcisBody.eventList[1].readPoint.id"
    assert SGLN_B in error["message"]
    assert Event.objects.count() == 0, "nothing of the document is stored under rollback"
    assert CaptureJob.objects.get().status == "failed"


def test_party_client_under_proceed_stores_its_own_events_and_refuses_the_other(world):
    response = capture(world, "party_client", event(), event(SGLN_B, serial="2"), behaviour="proceed")
    assert response.status_code == 202
    job = world.http("party_client").get(response["Location"]).json()
    assert job["capturedCount"] == 1 and job["errorCount"] == 1
    assert job["errors"][0]["index"] == 1 and SGLN_B in job["errors"][0]["message"]
    assert Event.objects.count() == 1


def test_party_named_as_source_or_destination_may_capture_elsewhere(world):
    at_b = event(
        SGLN_B, destinationList=[{"type": "owning_party", "destination": f"urn:epc:id:pgln:{PREFIX_A}.000"}]
    )
    from_a = event(SGLN_B, serial="2", sourceList=[{"type": "location", "source": SGLN_A}])
    response = capture(world, "party_client", at_b, from_a)
    assert response.status_code == 202, response.content
    assert Event.objects.count() == 2


def test_party_in_the_same_digital_link_form_is_recognised(world):
    # The location registered as an EPC URN is the same location given as a Digital Link.
    digital_link = f"https://id.gs1.org/414/{world.location_a.key.split('/')[1]}"
    assert capture(world, "party_client", event(digital_link)).status_code == 202


@pytest.mark.parametrize("action", ["suspend", "revoke"])
def test_suspended_or_revoked_party_cannot_capture(world, action):
    getattr(services, f"filing_{action}")(actor=SYSTEM, filing=world.filing_a, reason="抽检不合格")
    response = capture(world, "party_client", event())
    assert response.status_code == 403
    assert "not approved" in response.json()["detail"]
    assert Event.objects.count() == 0 and CaptureJob.objects.count() == 0


def test_unfiled_party_cannot_capture(world):
    client, key = services.party_api_client_create(actor=SYSTEM, party=world.party_c, name="stall app")
    response = Client(headers={"Authorization": f"Bearer {key}"}).post(
        "/epcis/capture", data=body(event()), content_type="application/ld+json"
    )
    assert response.status_code == 403
    assert "unfiled" in response.json()["detail"]
    assert Event.objects.count() == 0


def test_party_suspended_while_its_job_waits_is_refused_by_the_worker(world):
    from tracehub.epcis.services import capture_job_create, capture_job_run

    job = capture_job_create(client=world.clients["party_client"], media_type="json", size_bytes=0)
    services.filing_suspend(actor=SYSTEM, filing=world.filing_a, reason="检查")
    outcome = capture_job_run(job=job, stream=io.BytesIO(body(event())))
    assert outcome.forbidden and outcome.job.status == "failed"
    assert Event.objects.count() == 0


def test_department_client_captures_within_its_sectors(world):
    # Party A's product (meat/vegetable distribution, food) at party A's plant: commerce's sector.
    response = capture(world, "department_client", event(item="0001"))  # GTIN_A
    assert response.status_code == 202, response.content


def test_department_client_out_of_sector_is_403(world):
    # A drug (party B's GTIN) at party B's pharmacy: not a sector of commerce.
    services.product_create(
        actor=SYSTEM,
        party=world.party_b,
        gtin=GTIN_B,
        name="布洛芬缓释胶囊",
        sectors=["drug"],
        attributes={"approval_number": "国药准字H35021187"},
    )
    drug = event(SGLN_B, gtin_prefix=PREFIX_B, item="0105")  # GTIN_B
    response = capture(world, "department_client", drug)
    assert response.status_code == 403
    [error] = response.json()["errors"]
    assert "drug" in error["message"] and SGLN_B in error["message"]
    assert Event.objects.count() == 0


def test_department_client_refuses_an_event_of_unknown_sector(world):
    unknown = event("urn:epc:id:sgln:4012345.00001.0", gtin_prefix="4012345", item="011111")
    response = capture(world, "department_client", unknown)
    assert response.status_code == 403
    assert "unknown" in response.json()["errors"][0]["message"]


def test_platform_client_still_captures_anything(world):
    assert (
        capture(world, "platform_client", event(SGLN_B), event("urn:epc:id:sgln:4012345.00001.0")).status_code
        == 202
    )


def test_party_check_costs_no_query_per_event(world):
    def queries(count):
        events = [event(serial=str(i)) for i in range(count)]
        with CaptureQueriesContext(connection) as ctx:
            assert capture(world, "party_client", *events).status_code == 202
        Event.objects.all().delete()
        return len(ctx.captured_queries)

    queries(1)  # warm-up: learns the company prefix once
    assert queries(40) == queries(4)


def test_registered_prefixes_make_answers_epc_urns(world):
    # The event is captured as a Digital Link (which does not tell the prefix length); party A's
    # registered prefix tells it, so the answer gives the EPC URN (DESIGN.md §3).
    digital_link = f"https://id.gs1.org/01/{GTIN_A}/21/77"
    capture(world, "platform_client", event(epcList=[digital_link]))
    answer = world.http("platform_client").get("/epcis/events").json()
    [stored] = answer["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert stored["epcList"] == [f"urn:epc:id:sgtin:{PREFIX_A}.0001.77"]


def test_create_api_key_binds_to_a_party_or_a_department(world):
    out = io.StringIO()
    call_command("create_api_key", "翔润 MES", "--party", USCC_A, stdout=out, stderr=io.StringIO())
    client = api_client_for_key(out.getvalue().strip().splitlines()[-1])
    assert client.kind == ApiClientKind.PARTY and client.party_binding.party == world.party_a
    out = io.StringIO()
    call_command(
        "create_api_key", "农业农村局农资子系统", "--department", "agri", stdout=out, stderr=io.StringIO()
    )
    client = api_client_for_key(out.getvalue().strip().splitlines()[-1])
    assert client.kind == ApiClientKind.DEPARTMENT and client.department.code == "agri"


def test_create_api_key_refuses_unknown_party_or_department(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No party"):
        call_command(
            "create_api_key", "x", "--party", "91350200MA2XN6Q3XX", stdout=io.StringIO(), stderr=io.StringIO()
        )
    with pytest.raises(CommandError, match="No department"):
        call_command(
            "create_api_key", "x", "--department", "nope", stdout=io.StringIO(), stderr=io.StringIO()
        )


def test_capture_error_names_event_for_single_event_post(world):
    response = world.http("party_client").post(
        "/epcis/events",
        data=orjson.dumps(
            {"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], **event(SGLN_B)}
        ),
        content_type="application/ld+json",
    )
    assert response.status_code == 403
    assert response.json()["errors"][0]["path"] == "readPoint.id"
