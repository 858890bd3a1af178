"""The bulk import under /api/v1/imports: the console's engine for programs (docs/import.md)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.test import Client

from tracehub.registry import services
from tracehub.registry.models import ImportBatch, Party, Product

from .importing import fill_xlsx, make_xlsx, upload
from .world import PDF, PREFIX_A, SYSTEM, USCC_A, gtin, make_uscc

IMPORTS = "/api/v1/imports"


def _post(http: Client, kind: str, data: bytes, name: str = "import.xlsx", **extra):
    return http.post(IMPORTS, {"kind": kind, "file": upload(data, name)}, **extra)


def _products(template: bytes, *items: str) -> bytes:
    return fill_xlsx(
        template,
        [{"商品条码": gtin(PREFIX_A, item), "产品名称": f"产品{item}", "所属行业": "食品"} for item in items],
    )


def test_templates_download(world):
    http = world.http("party_client")
    response = http.get(f"{IMPORTS}/templates/products.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert openpyxl.load_workbook(io.BytesIO(response.content)).sheetnames == ["产品", "说明"]
    response = http.get(f"{IMPORTS}/templates/locations.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf\xe6\x89\x80")  # BOM, then 所属主体…
    english = http.get(f"{IMPORTS}/templates/locations.csv", HTTP_ACCEPT_LANGUAGE="en")
    assert english.content.decode("utf-8-sig").startswith("Party credit code,Location code,Name")
    missing = http.get(f"{IMPORTS}/templates/licences.xlsx")
    assert missing.status_code == 404 and missing["Content-Type"] == "application/problem+json"
    assert Client().get(f"{IMPORTS}/templates/products.xlsx").status_code == 401


def test_upload_preview_commit_and_read_back(world):
    http = world.http("party_client")
    template = http.get(f"{IMPORTS}/templates/products.xlsx").content
    response = _post(http, "products", _products(template, "501", "502"), "产品.xlsx")
    assert response.status_code == 201, response.content
    preview = response.json()
    assert preview["status"] == "ready" and preview["canCommit"] is True
    assert (preview["rowCount"], preview["errorCount"], preview["errors"]) == (2, 0, [])
    assert preview["filename"] == "产品.xlsx" and preview["fileFormat"] == "xlsx"
    assert preview["rows"][0] == {
        "row": 2,
        "ok": True,
        "values": {"gtin": gtin(PREFIX_A, "501"), "name": "产品501", "sectors": "食品"},
    }
    assert {"field": "gtin", "header": "商品条码"} in preview["columns"]
    assert not Product.objects.filter(name__startswith="产品5").exists()

    response = http.post(f"{IMPORTS}/{preview['id']}/commit", content_type="application/json")
    assert response.status_code == 200, response.content
    result = response.json()
    assert (result["status"], result["createdCount"], result["canCommit"]) == ("committed", 2, False)
    created = Product.objects.filter(name__startswith="产品5")
    assert sorted(created.values_list("pk", flat=True)) == sorted(result["createdIds"])
    assert {p.party_id for p in created} == {world.party_a.pk}
    assert http.get(f"{IMPORTS}/{preview['id']}").json()["status"] == "committed"
    again = http.post(f"{IMPORTS}/{preview['id']}/commit", content_type="application/json")
    assert again.status_code == 409


def test_the_preview_names_each_error_and_the_commit_is_refused(world):
    http = world.http("party_client")
    template = http.get(f"{IMPORTS}/templates/products.xlsx").content
    wrong = gtin(PREFIX_A, "511")[:-1] + str((int(gtin(PREFIX_A, "511")[-1]) + 3) % 10)
    data = fill_xlsx(
        template,
        [
            {"商品条码": gtin(PREFIX_A, "510"), "产品名称": "好的", "所属行业": "食品"},
            {"商品条码": wrong, "产品名称": "坏的", "所属行业": "食品"},
        ],
    )
    preview = _post(http, "products", data).json()
    assert preview["status"] == "invalid" and preview["canCommit"] is False
    assert preview["errors"] == [
        {"row": 3, "column": "商品条码", "field": "gtin", "message": "该 GTIN 的 GS1 校验码错误。"}
    ]
    assert [r["ok"] for r in preview["rows"]] == [True, False]
    refused = http.post(f"{IMPORTS}/{preview['id']}/commit", content_type="application/json")
    assert refused.status_code == 409
    assert refused.json()["detail"] == "该文件有错误，无法保存其中任何数据。请更正后重新上传。"
    assert not Product.objects.filter(name__in=["好的", "坏的"]).exists()


def test_a_commit_refused_because_the_data_changed_lists_the_rows(world):
    http = world.http("platform_client")
    codes = [make_uscc("350213", f"MB{n:07d}") for n in range(3)]
    data = make_xlsx(
        ["名称", "主体类型", "统一社会信用代码", "所属行业"],
        [[f"加工厂{n}", "加工企业", code, "食品"] for n, code in enumerate(codes)],
    )
    preview = _post(http, "parties", data).json()
    assert preview["status"] == "ready"
    services.party_create(
        actor=SYSTEM, name="抢先", party_type="processor", id_kind="uscc", uscc=codes[2], sectors=["food"]
    )
    response = http.post(f"{IMPORTS}/{preview['id']}/commit", content_type="application/json")
    assert response.status_code == 409
    problem = response.json()
    assert problem["errors"] == [
        {
            "path": "rows.4.uscc",
            "row": 4,
            "column": "统一社会信用代码",
            "message": "已有使用该统一社会信用代码的主体登记。",
        }
    ]
    assert not Party.objects.filter(name__startswith="加工厂").exists()
    assert http.get(f"{IMPORTS}/{preview['id']}").json()["status"] == "failed"


def test_bad_files_are_problems_in_the_caller_s_language(world, settings):
    http = world.http("platform_client")
    response = _post(http, "parties", PDF, "主体.xlsx")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "path": "file",
            "message": "这是一个 PDF 文件，不是 Excel 工作簿（.xlsx）或 CSV 文件。请下载模板，填写后上传。",
        }
    ]
    response = _post(http, "parties", PDF, "主体.xlsx", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["errors"][0]["message"].startswith(
        "This file is a PDF file, not an Excel workbook"
    )
    response = _post(http, "parties", make_xlsx(["名称"], [["甲"]]))
    assert response.status_code == 400
    assert [e["path"] for e in response.json()["errors"]] == ["file", "file"]  # 主体类型, 所属行业
    response = _post(http, "licences", make_xlsx(["名称"], [["甲"]]))
    assert response.status_code == 400 and response.json()["errors"][0]["path"] == "kind"
    assert http.post(IMPORTS, {"kind": "parties"}).status_code == 400  # no file
    settings.TRACEHUB_IMPORT_MAX_BYTES = 1024 * 1024
    response = _post(http, "parties", b"a," * (600 * 1024), "big.csv")
    assert response.status_code == 413
    assert response.json()["detail"] == "文件大于 1 MB：请拆分为几个较小的文件。"
    assert not ImportBatch.objects.exists()


def test_roles_that_may_not_import_a_kind_get_403(world):
    data = make_xlsx(
        ["名称", "主体类型", "统一社会信用代码", "所属行业"],
        [["甲", "加工企业", make_uscc("350213", "MC0000001"), "食品"]],
    )
    assert _post(world.http("party_client"), "parties", data).status_code == 403
    assert _post(world.http("admin"), "parties", data).status_code == 403
    assert _post(world.http("department_client"), "locations", data).status_code == 403
    assert not ImportBatch.objects.exists()


def test_a_session_needs_the_csrf_token(world):
    http = Client(enforce_csrf_checks=True)
    http.force_login(world.users["admin"])
    data = make_xlsx(
        ["场所编码", "场所名称", "场所类型"], [[f"urn:tracehub:loc:{USCC_A}:api", "仓库", "仓库"]]
    )
    refused = _post(http, "locations", data)
    assert refused.status_code == 403 and refused.json()["title"] == "CSRF check failed"
    http.get("/console/")  # sets the CSRF cookie, as the console page does
    token = http.cookies["csrftoken"].value
    accepted = _post(http, "locations", data, HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 201, accepted.content


def test_the_routes_are_in_the_openapi_document(world):
    paths = world.http("operator").get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/imports",
        "/api/v1/imports/{batch_id}",
        "/api/v1/imports/{batch_id}/commit",
        "/api/v1/imports/templates/{kind}.xlsx",
        "/api/v1/imports/templates/{kind}.csv",
    } <= set(paths)


@pytest.mark.parametrize("role", ["admin_other", "official", "party_client"])
def test_another_s_batch_is_not_found(world, role):
    batch = _post(
        world.http("admin"),
        "locations",
        make_xlsx(["场所编码", "场所名称", "场所类型"], [[f"urn:tracehub:loc:{USCC_A}:x", "仓", "仓库"]]),
    ).json()
    assert world.http(role).get(f"{IMPORTS}/{batch['id']}").status_code == 404
    assert (
        world.http(role).post(f"{IMPORTS}/{batch['id']}/commit", content_type="application/json").status_code
        == 404
    )
