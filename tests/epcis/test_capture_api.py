"""POST /epcis/capture and /epcis/events: validation, rollback vs proceed, idempotence, limits."""

from __future__ import annotations

import orjson
import pytest

from tracehub.epcis.models import CaptureJob, Event, EventIndex

from .docs import SGLN_B, SGTIN_DL, SGTIN_URN, body, document, object_event

pytestmark = pytest.mark.django_db

JSONLD = "application/ld+json"


def capture(api, data: bytes, *, content_type=JSONLD, **headers):
    return api.post("/epcis/capture", data=data, content_type=content_type, headers=headers)


def test_capture_answers_202_with_location_and_job(api):
    response = capture(api, body(object_event(), object_event(serials=("3",), bizStep="receiving")))
    assert response.status_code == 202
    location = response["Location"]
    assert location.startswith("/epcis/capture/")
    job = api.get(location).json()
    assert job["success"] is True and job["running"] is False
    assert job["capturedCount"] == 2 and job["eventCount"] == 2 and job["errors"] == []
    assert job["captureErrorBehaviour"] == "rollback"
    assert Event.objects.count() == 2


def test_event_id_defaults_to_the_event_hash(api):
    capture(api, body(object_event()))
    event = Event.objects.get()
    assert event.event_id == event.event_hash
    assert event.event_hash.startswith("ni:///sha-256;") and event.event_hash.endswith("?ver=CBV2.0")


def test_index_rows_use_canonical_keys(api):
    capture(api, body(object_event(serials=("7",))))
    keys = set(EventIndex.objects.values_list("key", "role"))
    assert ("01/09521234567899/21/7", "epc") in keys
    assert ("414/9521234000013", "read_point") in keys


def test_recapturing_the_same_event_stores_nothing_new(api):
    first = capture(api, body(object_event()))
    assert first.status_code == 202
    again = capture(api, body(object_event()))
    assert again.status_code == 202
    job = api.get(again["Location"]).json()
    assert job["success"] is True and job["capturedCount"] == 0 and job["duplicateCount"] == 1
    assert Event.objects.count() == 1


def test_same_event_in_digital_link_form_is_a_duplicate(api):
    capture(api, body(object_event(serials=("9",))))
    as_dl = object_event(serials=())
    as_dl["epcList"] = [SGTIN_DL.format(serial="9")]
    response = capture(api, body(as_dl))
    assert api.get(response["Location"]).json()["duplicateCount"] == 1
    assert Event.objects.count() == 1


def test_rollback_stores_nothing_and_names_every_error(api):
    bad = object_event(bizStep="not_a_cbv_step")
    also_bad = object_event(serials=("5",), eventTime="yesterday")
    response = capture(api, body(object_event(), bad, also_bad))
    assert response.status_code == 400
    problem = response.json()
    paths = {(e["index"], e["path"]) for e in problem["errors"]}
    assert (1, "epcisBody.eventList[1].bizStep") in paths
    assert (2, "epcisBody.eventList[2].eventTime") in paths
    assert Event.objects.count() == 0
    job = CaptureJob.objects.get()
    assert job.status == "failed" and job.captured_count == 0


def test_proceed_stores_the_valid_events(api):
    bad = object_event(serials=("8",), action="JUMP")
    response = capture(api, body(object_event(), bad), **{"GS1-Capture-Error-Behaviour": "proceed"})
    assert response.status_code == 202
    job = api.get(response["Location"]).json()
    assert job["success"] is True and job["capturedCount"] == 1 and job["errorCount"] == 1
    assert job["errors"][0]["path"] == "epcisBody.eventList[1].action"
    assert Event.objects.count() == 1


def test_unknown_error_behaviour_header_is_400(api):
    response = capture(api, body(object_event()), **{"GS1-Capture-Error-Behaviour": "sometimes"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == "GS1-Capture-Error-Behaviour"


def test_an_event_id_reused_for_a_different_event_is_refused(api):
    capture(api, body(object_event(eventID="urn:uuid:11111111-1111-4111-8111-111111111111")))
    other = object_event(serials=("42",), eventID="urn:uuid:11111111-1111-4111-8111-111111111111")
    response = capture(api, body(other))
    assert response.status_code == 400
    assert "already used" in response.json()["errors"][0]["message"]
    assert Event.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"[]", "JSON object"),
    ],
)
def test_malformed_bodies_are_400(api, data, message):
    response = capture(api, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Event.objects.count() == 0


def test_wrong_document_type_is_400(api):
    doc = document(object_event())
    doc["type"] = "SomethingElse"
    response = capture(api, orjson.dumps(doc))
    assert response.status_code == 400
    assert any(e["path"] == "type" for e in response.json()["errors"])


def test_unsupported_media_type_is_415(api):
    response = capture(api, body(object_event()), content_type="text/plain")
    assert response.status_code == 415


def test_empty_body_is_400(api):
    assert capture(api, b"").status_code == 400


def test_document_over_the_size_limit_is_413(api, settings):
    settings.TRACEHUB_CAPTURE_MAX_BYTES = 200
    response = capture(api, body(object_event(), object_event(serials=("3", "4"))))
    assert response.status_code == 413
    assert response.json()["type"] == "epcisException:CaptureLimitExceededException"
    assert Event.objects.count() == 0


def test_single_event_capture(api):
    event = object_event(serials=("77",))
    event["@context"] = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]
    response = api.post("/epcis/events", data=orjson.dumps(event), content_type=JSONLD)
    assert response.status_code == 201
    assert Event.objects.count() == 1


def test_single_event_capture_reports_paths_without_document_prefix(api):
    event = object_event(action="MAYBE")
    event["@context"] = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]
    response = api.post("/epcis/events", data=orjson.dumps(event), content_type=JSONLD)
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == "action"


def test_capture_job_of_another_client_is_404(api, db):
    from django.test import Client

    from tracehub.accounts.services import api_client_create

    response = capture(api, body(object_event()))
    _, other_key = api_client_create(name="other")
    other = Client(headers={"Authorization": f"Bearer {other_key}"})
    assert other.get(response["Location"]).status_code == 404
    assert api.get("/epcis/capture/does-not-exist").status_code == 404


def test_capture_job_list_is_paged(api):
    for serial in ("1", "2", "3"):
        capture(api, body(object_event(serials=(serial,))))
    listing = api.get("/epcis/capture?perPage=2").json()["captureJobs"]
    assert len(listing) == 2
    assert api.get("/epcis/capture?perPage=0").status_code == 400


def test_capture_is_audited_with_the_client(api):
    from tracehub.accounts.models import AuditEntry

    response = capture(api, body(object_event()))
    capture_id = response["Location"].rsplit("/", 1)[1]
    entry = AuditEntry.objects.get(action="epcis.capture", object_id=capture_id)
    assert entry.actor_client is not None and entry.after["captured"] == 1


def test_error_declaration_marks_without_changing(api):
    original = object_event(eventID="urn:uuid:22222222-2222-4222-8222-222222222222")
    capture(api, body(original))
    stored_before = Event.objects.get().document
    declared = dict(original)
    declared["errorDeclaration"] = {
        "declarationTime": "2026-10-02T08:00:00.000+08:00",
        "reason": "incorrect_data",
        "correctiveEventIDs": ["urn:uuid:33333333-3333-4333-8333-333333333333"],
    }
    response = capture(api, body(declared))
    assert response.status_code == 202
    assert Event.objects.get(declares_error_for__isnull=True).document == stored_before
    result = api.get("/epcis/events?EXISTS_errorDeclaration=true").json()
    events = result["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert [e["eventID"] for e in events] == ["urn:uuid:22222222-2222-4222-8222-222222222222"]
    assert events[0]["errorDeclaration"]["reason"] == "incorrect_data"
    # re-sending the same declaration is idempotent
    again = capture(api, body(declared))
    assert api.get(again["Location"]).json()["duplicateCount"] == 1


def test_large_documents_go_to_the_worker(api, settings):
    settings.TRACEHUB_CAPTURE_INLINE_MAX_BYTES = 300
    events = [
        object_event(serials=(str(i),), destinationList=[{"type": "owning_party", "destination": SGLN_B}])
        for i in range(50)
    ]
    response = capture(api, body(*events))
    assert response.status_code == 202
    job = CaptureJob.objects.get()
    assert job.status == "pending" and job.spool_path
    assert Event.objects.count() == 0
    from tracehub.epcis.tasks import run_capture_job

    run_capture_job.call(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "succeeded" and job.captured_count == 50
    assert Event.objects.count() == 50
    status = api.get(response["Location"]).json()
    assert status["success"] and not status["running"]


def test_streamed_json_with_context_after_the_body(api, settings):
    settings.TRACEHUB_CAPTURE_INLINE_MAX_BYTES = 100
    doc = document(object_event(serials=("a1",)), object_event(serials=("a2",)))
    reordered = {"epcisBody": doc["epcisBody"], **{k: v for k, v in doc.items() if k != "epcisBody"}}
    response = capture(api, orjson.dumps(reordered))
    job = CaptureJob.objects.get()
    from tracehub.epcis.tasks import run_capture_job

    run_capture_job.call(job_id=job.pk)
    job.refresh_from_db()
    assert response.status_code == 202 and job.status == "succeeded", job.errors
    assert job.captured_count == 2


def test_truncated_streamed_document_stores_nothing(api, settings):
    settings.TRACEHUB_CAPTURE_INLINE_MAX_BYTES = 100
    data = body(*[object_event(serials=(str(i),)) for i in range(20)])
    capture(api, data[: len(data) // 2], **{"GS1-Capture-Error-Behaviour": "proceed"})
    job = CaptureJob.objects.get()
    from tracehub.epcis.tasks import run_capture_job

    run_capture_job.call(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "JSON" in job.errors[0]["message"]
    assert Event.objects.count() == 0


def test_xml_capture(api):
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0"
    creationDate="2026-10-01T09:00:00+08:00">
  <EPCISBody><EventList>
    <ObjectEvent>
      <eventTime>2026-10-01T08:00:00+08:00</eventTime>
      <eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
      <epcList><epc>{SGTIN_URN.format(serial="x1")}</epc></epcList>
      <action>OBSERVE</action>
      <bizStep>urn:epcglobal:cbv:bizstep:receiving</bizStep>
    </ObjectEvent>
  </EventList></EPCISBody>
</epcis:EPCISDocument>""".encode()
    response = capture(api, xml, content_type="application/xml")
    assert response.status_code == 202, response.content
    event = Event.objects.get()
    assert event.biz_step == "receiving"


def test_malformed_xml_is_400(api):
    response = capture(
        api,
        b"<epcis:EPCISDocument xmlns:epcis='urn:epcglobal:epcis:xsd:2'><oops>",
        content_type="application/xml",
    )
    assert response.status_code == 400
    assert Event.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("epcList", ["urn:x:a\u0000b"]),
        ("bizStep", "urn:x:\u0000"),
        ("eventID", "urn:x:\u0000"),
        ("readPoint", {"id": "urn:x:\u0000"}),
        ("ilmd", {"ex:lot": "\u0000"}),
        ("bizTransactionList", [{"type": "po", "bizTransaction": "urn:x:\u0000"}]),
    ],
)
def test_nul_characters_are_refused_not_a_500(api, field, value):
    response = capture(api, body(object_event(**{field: value})))
    assert response.status_code == 400
    assert Event.objects.count() == 0


def test_nul_in_path_or_query_is_400(api):
    assert api.get("/epcis/events/urn:x:%00").status_code == 400
    assert api.get("/epcis/events?EQ_bizStep=a%00b").status_code == 400


def test_nested_extension_key_with_an_undeclared_prefix_is_a_400(api):
    event = object_event()
    event["ex:extra"] = {"nope:inner": "1", ":": None}
    response = capture(api, body(event))
    assert response.status_code == 400
    assert "not declared" in response.json()["errors"][0]["message"]
    assert Event.objects.count() == 0
