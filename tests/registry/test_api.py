"""The registry API (issue #3 item 9): filters, paging, bounded queries, errors naming each field,
session authentication with CSRF."""

from __future__ import annotations

import orjson
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tracehub.registry import services

from .world import PDF, PREFIX_A, SYSTEM, close_response, gln, make_uscc

pytestmark = pytest.mark.django_db

JSON = "application/json"


def post(http, url, data):
    return http.post(url, data=orjson.dumps(data), content_type=JSON)


def errors_by_path(response) -> dict[str, str]:
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    return {e["path"]: e["message"] for e in response.json()["errors"]}


def _more_parties(count: int) -> None:
    for i in range(count):
        party = services.party_create(
            actor=SYSTEM,
            name=f"厦门测试肉类商行{i:03d}",
            party_type="wholesaler",
            id_kind="uscc",
            uscc=make_uscc("350213", f"MA3{i:03d}Q2W"),
            sectors=["meat_veg", "food"],
            district="350213",
            company_prefixes=[f"69{i:07d}"],
        )
        services.location_create(
            actor=SYSTEM, party=party, identifier=f"urn:example:loc:{i}", name=f"档口{i}", kind="stall"
        )
        services.product_create(
            actor=SYSTEM,
            party=party,
            platform_code=f"urn:example:product:{i}",
            name=f"猪肉{i}",
            sectors=["food"],
        )
        services.licence_create(actor=SYSTEM, party=party, kind="test_report", number=f"R-{i}")
        services.filing_submit(actor=SYSTEM, party=party)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/parties",
        "/api/v1/filings",
        "/api/v1/locations",
        "/api/v1/products",
        "/api/v1/licences",
        "/api/v1/audit",
    ],
)
@pytest.mark.parametrize("role", ["operator", "official"])
def test_lists_run_a_bounded_number_of_queries_whatever_the_page_size(world, path, role):
    _more_parties(8)
    http = world.http(role)

    def queries(limit: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = http.get(path, {"limit": limit})
        assert response.status_code == 200
        assert len(response.json()["items"]) == min(limit, response.json()["count"])
        return len(ctx.captured_queries)

    assert queries(2) == queries(10)


def test_filters_and_paging(world):
    _more_parties(5)
    http = world.http("operator")
    page = http.get("/api/v1/parties", {"sector": "drug"}).json()
    assert [p["name"] for p in page["items"]] == ["厦门鹭安大药房有限公司"]
    assert (
        http.get("/api/v1/parties", {"district": "350213", "partyType": "slaughterhouse"}).json()["count"]
        == 1
    )
    assert http.get("/api/v1/parties", {"status": "submitted"}).json()["count"] == 5
    assert http.get("/api/v1/parties", {"q": "测试肉类"}).json()["count"] == 5
    first = http.get("/api/v1/parties", {"limit": 3, "offset": 0}).json()
    second = http.get("/api/v1/parties", {"limit": 3, "offset": 3}).json()
    assert first["count"] == second["count"] == 8 and len(first["items"]) == 3
    assert not {p["id"] for p in first["items"]} & {p["id"] for p in second["items"]}
    assert http.get("/api/v1/filings", {"status": "submitted", "sector": "food"}).json()["count"] == 5
    assert http.get("/api/v1/locations", {"partyId": world.party_a.pk}).json()["count"] == 1
    assert http.get("/api/v1/products", {"sector": "food"}).json()["count"] == 6
    assert http.get("/api/v1/licences", {"kind": "food_production"}).json()["count"] == 1
    assert (
        http.get("/api/v1/audit", {"action": "registry.filing", "partyId": world.party_a.pk}).json()["count"]
        == 2
    )


@pytest.mark.parametrize(
    ("params", "path"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"offset": -1}, "offset"),
        ({"sector": "fish"}, "sector"),
        ({"district": "110101"}, "district"),
        ({"limit": "many"}, "limit"),
    ],
)
def test_bad_list_parameters_are_400_naming_the_parameter(world, params, path):
    assert path in errors_by_path(world.http("operator").get("/api/v1/parties", params))


def test_party_input_errors_name_every_field(world):
    response = post(
        world.http("operator"),
        "/api/v1/parties",
        {
            "name": "",
            "partyType": "spaceship",
            "idKind": "uscc",
            "uscc": "91350213260143759Q",
            "sectors": ["food", "fish"],
            "colour": "red",
        },
    )
    paths = errors_by_path(response)
    assert {"partyType", "sectors.1", "colour"} <= set(paths)
    # Shapes first (the schema), then the values (the service), each naming its field.
    response = post(
        world.http("operator"),
        "/api/v1/parties",
        {
            "name": " ",
            "partyType": "farm",
            "idKind": "uscc",
            "uscc": "91350213260143759Q",
            "sectors": ["food"],
            "district": "350299",
            "contactEmail": "not-mail",
            "companyPrefixes": ["69", PREFIX_A],
        },
    )
    paths = errors_by_path(response)
    assert set(paths) == {
        "name",
        "uscc",
        "district",
        "contactEmail",
        "companyPrefixes.0",
        "companyPrefixes.1",
    }


def test_product_and_location_input_errors(world):
    http = world.http("admin")
    paths = errors_by_path(
        post(
            http,
            "/api/v1/products",
            {
                "gtin": "6953182040012",
                "name": "x",
                "sectors": ["liquor"],
                "attributes": {"alcohol_strength": "strong"},
                "shelfLifeDays": -3,
            },
        )
    )
    assert {"gtin", "attributes.alcohol_strength", "shelfLifeDays"} <= set(paths)
    paths = errors_by_path(
        post(
            http,
            "/api/v1/locations",
            {"identifier": "urn:epc:id:sgln:695318204.001", "name": "x", "kind": "barn", "longitude": 181},
        )
    )
    assert set(paths) == {"identifier", "longitude"}
    paths = errors_by_path(
        post(http, "/api/v1/licences", {"kind": "food_business", "number": "JY1", "validFrom": "2026-02-30"})
    )
    assert "validFrom" in paths
    paths = errors_by_path(post(http, "/api/v1/licences", {"kind": "food_business", "number": "JY1"}))
    assert set(paths) == {"number"}


def test_enterprise_users_create_for_their_own_party_by_default(world):
    response = post(
        world.http("party_client"),
        "/api/v1/locations",
        {"identifier": gln(PREFIX_A, "005"), "name": "冷库", "kind": "warehouse"},
    )
    assert response.status_code == 201 and response.json()["partyId"] == world.party_a.pk
    assert errors_by_path(
        post(
            world.http("operator"),
            "/api/v1/locations",
            {"identifier": gln(PREFIX_A, "006"), "name": "x", "kind": "warehouse"},
        )
    ).keys() == {"partyId"}


def test_conflicts_are_409(world):
    response = post(world.http("admin"), f"/api/v1/parties/{world.party_a.pk}/filings", {})
    assert response.status_code == 409 and response.json()["detail"]
    response = post(world.http("official"), f"/api/v1/filings/{world.filing_a.pk}/approve", {})
    assert response.status_code == 409


def test_licence_upload_refuses_other_files(world):
    http = world.http("admin")
    url = f"/api/v1/licences/{world.licence_a.pk}/file"
    fake = SimpleUploadedFile("licence.pdf", b"PK\x03\x04 a zip in disguise", content_type="application/pdf")
    assert errors_by_path(http.post(url, {"file": fake})).keys() == {"file"}
    assert "file" in errors_by_path(http.post(url, {}))
    ok = http.post(url, {"file": SimpleUploadedFile("x.pdf", PDF)})
    assert ok.status_code == 200 and ok.json()["fileType"] == "application/pdf"
    download = http.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    close_response(download)


def test_session_changes_need_the_csrf_token(world):
    http = Client(enforce_csrf_checks=True)
    http.force_login(world.users["admin"])
    url = f"/api/v1/parties/{world.party_a.pk}"
    assert http.get(url).status_code == 200
    refused = http.patch(url, data=orjson.dumps({"address": "x"}), content_type=JSON)
    assert refused.status_code == 403 and refused.json()["title"] == "CSRF check failed"
    http.get("/admin/login/")  # any page that sets the CSRF cookie
    token = http.cookies["csrftoken"].value
    accepted = http.patch(
        url, data=orjson.dumps({"address": "翔安区"}), content_type=JSON, headers={"X-CSRFToken": token}
    )
    assert accepted.status_code == 200 and accepted.json()["address"] == "翔安区"
    # A bearer key needs no CSRF token.
    keyed = Client(
        enforce_csrf_checks=True, headers={"Authorization": f"Bearer {world.keys['party_client']}"}
    )
    assert keyed.patch(url, data=orjson.dumps({"address": "y"}), content_type=JSON).status_code == 200


def test_me_tells_users_their_role(world):
    assert world.http("official").get("/api/v1/me").json() == {
        "name": "official",
        "kind": "user",
        "role": "official",
        "department": "commerce",
    }
    assert world.http("staff").get("/api/v1/me").json()["partyId"] == world.party_a.pk
    assert world.http("party_client").get("/api/v1/me").json()["kind"] == "party"


def test_openapi_documents_the_registry(world):
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/parties" in schema["paths"] and "/api/v1/filings/{filing_id}/approve" in schema["paths"]
    party = schema["components"]["schemas"]["PartyOut"]["properties"]
    assert "idNumberMasked" in party and "idNumber" not in party


def test_departments_list(world):
    codes = {d["code"]: d for d in world.http("auditor").get("/api/v1/departments").json()}
    assert codes["liquor"]["parent"] == "commerce" and codes["liquor"]["sectors"] == ["liquor"]
    assert set(codes) >= {"amr", "commerce", "liquor", "agri", "customs"}


def test_messages_are_in_the_users_language(world):
    """Chinese by default, English on request (README "Standards")."""
    body = {"kind": "food_business", "number": "JY1"}
    english = world.http("admin").post(
        "/api/v1/licences", data=orjson.dumps(body), content_type=JSON, headers={"Accept-Language": "en"}
    )
    assert errors_by_path(english) == {
        "number": "A food business licence number is JY followed by 14 digits."
    }
    chinese = post(world.http("admin"), "/api/v1/licences", body)
    assert errors_by_path(chinese)["number"] != errors_by_path(english)["number"]
