"""The CLI: ``tracehub trace``, ``tracehub recall``, ``tracehub generate_city`` (issue #4 items 5-7)."""

from __future__ import annotations

import io

import openpyxl
import orjson
import pytest
from django.core.management import CommandError, call_command

from tracehub.epcis.jsonld import context_namespaces
from tracehub.epcis.models import Event, EventIndex
from tracehub.epcis.validation import check_event
from tracehub.tracing.city import CONTEXT, city_documents, city_events
from tracehub.tracing.models import Recall

from .builders import aggregate, at, capture, commission, lgtin, receive, sgtin, ship, sscc, transform

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(api):
    raw, lot, items, case = lgtin("RAWC", "012345"), lgtin("LOTC"), [sgtin("C1"), sgtin("C2")], sscc(81)
    capture(
        api,
        commission(classes=[(raw, 3, "KGM")], when=at(1), location=5),
        transform(input_classes=[(raw, 3, "KGM")], outputs=items, lot="LOTC", when=at(2)),
        aggregate(case, items, when=at(3)),
        ship([case], when=at(4)),
        receive([case], when=at(5)),
    )
    return raw, lot, items, case


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_trace_prints_a_tree(chain):
    raw, lot, items, case = chain
    text = run("trace", "forward", raw)
    assert f"forward {raw}: 4 identifiers" in text
    for uri in (items[0], items[1], case):
        assert uri in text
    assert "(transformed 2026-10-02" in text and "(packed" in text
    back = run("trace", "back", items[0])
    assert f"back {items[0]}: 4 identifiers" in back and lot in back and "(lot" in back
    assert "receiving @ urn:epc:id:sgln:9521234.00002.0" in text


def test_trace_back_with_max_depth_and_json(chain):
    raw, lot, items, case = chain
    answer = orjson.loads(run("trace", "back", items[0], "--max-depth", "1", "--json"))
    assert set(answer["epcs"]) == {items[0], lot, case, raw}
    answer = orjson.loads(run("trace", "back", items[0], "--max-depth", "0", "--json"))
    assert set(answer["epcs"]) == {items[0]}


@pytest.mark.parametrize(
    "args",
    [
        ("trace", "forward", "nonsense"),
        ("trace", "forward", "urn:epc:id:sgtin:9521234.056789.none"),
        ("trace", "forward", "urn:epc:id:sgtin:9521234.056789.C1", "--max-depth", "-1"),
        ("trace", "forward", "urn:epc:id:sgtin:9521234.056789.C1", "--from", "soon"),
    ],
)
def test_trace_refuses_bad_input(chain, args):
    with pytest.raises(CommandError):
        run(*args)


def test_recall_writes_xlsx_and_csv(chain, tmp_path):
    raw, lot, items, case = chain
    text = run(
        "recall",
        lot,
        "--reason",
        "contaminated",
        "--xlsx",
        str(tmp_path / "r.xlsx"),
        "--csv",
        str(tmp_path / "r.csv"),
    )
    recall = Recall.objects.get()
    assert recall.recall_id in text and recall.declared_by_label == "tracehub recall"
    book = openpyxl.load_workbook(tmp_path / "r.xlsx", read_only=True)
    assert next(book.worksheets[0].iter_rows(values_only=True))[0] == "Traceability Lot Code"
    assert (tmp_path / "r.csv").read_bytes().decode("utf-8-sig").startswith("Traceability Lot Code,")
    run("recall", lot, "--reason", "again", "--xlsx", str(tmp_path / "zh.xlsx"), "--lang", "zh")
    book = openpyxl.load_workbook(tmp_path / "zh.xlsx", read_only=True)
    assert next(book.worksheets[0].iter_rows(values_only=True))[0] == "追溯批次码"


def test_recall_refuses_an_empty_reason(chain, tmp_path):
    with pytest.raises(CommandError):
        run("recall", chain[1], "--reason", " ", "--xlsx", str(tmp_path / "r.xlsx"))


# -- the synthetic city ------------------------------------------------------------------------------


def test_city_is_deterministic_and_valid_epcis():
    first = list(city_events(3000, 7))
    assert first == list(city_events(3000, 7))
    assert first != list(city_events(3000, 8))
    namespaces = context_namespaces(CONTEXT)
    for position, event in enumerate(first):
        normalized, errors = check_event(event, index=position, path_prefix="", namespaces=namespaces)
        assert not errors, (event, errors)
    kinds = {(event["type"], event.get("bizStep")) for event in first}
    assert {
        ("TransformationEvent", "commissioning"),
        ("AggregationEvent", "packing"),
        ("AggregationEvent", "unpacking"),
    } <= kinds
    assert {("ObjectEvent", "shipping"), ("ObjectEvent", "receiving"), ("ObjectEvent", "dispensing")} <= kinds


def test_generate_city_writes_what_capture_writes(api):
    out = run("generate_city", "--events", "1500", "--seed", "3", "--batch", "400", "--no-progress")
    assert "events captured" in out
    generated = _index_rows()
    assert len(generated) > 1500 and any(role == "lot" for _, _, role, _ in generated)
    assert Event.objects.filter(declares_error_for__isnull=True).count() >= 1500
    # The same documents through POST /epcis/capture give the very same events and index rows.
    Event.objects.filter(declares_error_for__isnull=False).delete()
    Event.objects.all().delete()
    for document in city_documents(1500, 3, batch=400):
        response = api.post("/epcis/capture", data=orjson.dumps(document), content_type="application/ld+json")
        assert response.status_code == 202, response.content
    assert _index_rows() == generated


def test_generate_city_refuses_nonsense():
    with pytest.raises(CommandError):
        run("generate_city", "--events", "0")


def _index_rows() -> set[tuple]:
    return set(EventIndex.objects.values_list("event__event_id", "key", "role", "qualifier"))
