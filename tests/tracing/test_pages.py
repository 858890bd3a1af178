"""The tracing console pages (issue #4 item 5; O1, O2, G2, P5): who opens them, what they show."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tracehub.tracing.models import Recall

from .chain import MEAT, RAW, sgln

pytestmark = pytest.mark.django_db


def _json(response, element_id: str) -> dict:
    import json
    import re

    match = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>', response.content.decode(), re.S
    )
    assert match, f"no {element_id}"
    return json.loads(match.group(1))


def test_the_trace_page_draws_the_trace_the_caller_may_see(chain):
    response = chain.http["admin-shop"].get("/console/tracing/", {"id": MEAT, "direction": "back"})
    assert response.status_code == 200
    data = _json(response, "trace-data")
    assert {node["id"] for node in data["nodes"] if node["kind"] == "location"} == {sgln(3), sgln(4)}
    assert [stage["key"] for stage in data["stages"]] == ["source", "processing", "wholesale", "retail"]
    html = response.content.decode()
    assert 'id="trace-chain"' in html and 'id="trace-graph"' in html
    assert "vendor/echarts.min.js" in html and "tracing/trace.js" in html
    assert "<script>" not in html  # no inline script under the CSP


def test_the_trace_page_names_bad_input_and_unknown_codes(chain):
    response = chain.http["official-commerce"].get("/console/tracing/", {"id": "not a code"})
    assert response.status_code == 200 and "field-invalid field-id" in response.content.decode()
    response = chain.http["admin-pharmacy"].get("/console/tracing/", {"id": MEAT, "direction": "back"})
    assert (
        "trace-data" not in response.content.decode()
        and "field-invalid field-id" in response.content.decode()
    )
    response = chain.http["official-commerce"].get(
        "/console/tracing/", {"id": MEAT, "since": "2026-10-09T00:00", "until": "2026-10-01T00:00"}
    )
    assert "field-invalid field-until" in response.content.decode()
    response = chain.http["official-commerce"].get("/console/tracing/", {"id": MEAT, "max_depth": "-1"})
    assert "field-invalid field-max_depth" in response.content.decode()


def test_auditors_may_not_trace(chain):
    assert chain.http["auditor"].get("/console/tracing/").status_code == 403
    assert chain.http["auditor"].get("/console/tracing/destinations/").status_code == 403


def test_the_destination_view_by_district_and_shop(chain):
    response = chain.http["official-commerce"].get("/console/tracing/destinations/", {"id": RAW})
    assert response.status_code == 200
    data = _json(response, "destination-data")
    # MEAT (made from RAW) reached the wholesale market in Huli (80 kg) and the shop in Siming (10 kg).
    assert data["districts"] == ["思明区", "湖里区"]
    assert data["series"] == [{"name": "KGM", "data": [10, 80]}]
    html = response.content.decode()
    assert "思明生鲜店场所" in html and 'data-testid="shop-table"' in html


def test_recalls_are_declared_listed_and_shown_to_officials(chain):
    official = chain.http["official-commerce"]
    response = official.post("/console/tracing/recalls/", {"id": MEAT, "reason": "瘦肉精检出"})
    recall = Recall.objects.get()
    assert (
        response.status_code == 302
        and response["Location"] == f"/console/tracing/recalls/{recall.recall_id}/"
    )
    listed = official.get("/console/tracing/recalls/")
    assert recall.recall_id in listed.content.decode()
    detail = official.get(f"/console/tracing/recalls/{recall.recall_id}/").content.decode()
    for suffix in ("export.xlsx?lang=zh", "export.csv?lang=zh", "export.xlsx", "export.csv"):
        assert f"/api/v1/recalls/{recall.recall_id}/{suffix}" in detail
    assert "思明生鲜店场所" in detail
    download = official.get(f"/api/v1/recalls/{recall.recall_id}/export.xlsx?lang=zh")
    assert download.status_code == 200
    # Another sector's official: no such recall; an enterprise: not its page.
    assert (
        chain.http["official-customs"].get(f"/console/tracing/recalls/{recall.recall_id}/").status_code == 404
    )
    assert (
        recall.recall_id
        not in chain.http["official-customs"].get("/console/tracing/recalls/").content.decode()
    )
    assert chain.http["admin-shop"].get("/console/tracing/recalls/").status_code == 403


def test_a_recall_form_names_its_errors(chain):
    customs = chain.http["official-customs"]
    response = customs.post("/console/tracing/recalls/", {"id": MEAT, "reason": "x"})
    assert response.status_code == 400 and "field-invalid field-id" in response.content.decode()
    response = customs.post("/console/tracing/recalls/", {"id": MEAT, "reason": "   "})
    assert response.status_code == 400 and "field-invalid field-reason" in response.content.decode()
    assert Recall.objects.count() == 0


def test_the_findings_page_lists_the_findings_of_the_sectors_recalls(chain):
    chain.http["platform"].post(
        "/api/v1/recalls", {"id": RAW, "reason": "test"}, content_type="application/json"
    )
    recall = Recall.objects.get()
    recall.scope["findings"] = [
        {
            "code": "unfiled_party",
            "message": "测试问题甲",
            "eventID": "urn:uuid:x",
            "location": None,
            "identifiers": [],
        }
    ]
    recall.save(update_fields=["scope"])
    assert "测试问题甲" in chain.http["official-commerce"].get("/console/tracing/findings/").content.decode()
    assert (
        "测试问题甲" not in chain.http["official-customs"].get("/console/tracing/findings/").content.decode()
    )
    filtered = chain.http["official-commerce"].get(
        "/console/tracing/findings/", {"code": "output_exceeds_input"}
    )
    assert "测试问题甲" not in filtered.content.decode()


def test_the_menu_offers_the_pages_by_role(chain):
    official = chain.http["official-commerce"].get("/console/").content.decode()
    for key in ("tracing.trace", "tracing.destinations", "tracing.recalls", "tracing.findings"):
        assert f'data-menu-key="{key}"' in official
    shop = chain.http["admin-shop"].get("/console/").content.decode()
    assert 'data-menu-key="tracing.trace"' in shop and 'data-menu-key="tracing.recalls"' not in shop


def test_the_trace_page_costs_the_same_queries_for_more_places(chain):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            chain.http["operator"].get("/console/tracing/", {"id": RAW})
        return len(queries)

    before = count()
    response = chain.http["platform"].post(
        "/epcis/capture", data=_more_shops(), content_type="application/ld+json"
    )
    assert response.status_code == 202, response.content
    assert chain.http["platform"].get(response["Location"]).json()["success"]
    assert len(chain.http["operator"].get("/api/v1/trace/forward", {"id": RAW}).json()["locations"]) == 8
    assert count() == before


def _more_shops(first: int = 6) -> bytes:
    import orjson

    from .builders import at, document, receive
    from .chain import place

    events = [place(receive(classes=[(MEAT, 1, "KGM")], when=at(10 + n)), n) for n in range(first, first + 4)]
    return orjson.dumps(document(*events))
