"""Farm produce records and farm input ledger rules refuse with catalogue messages (issue #7 i18n;
docs/sectors/README.md "Messages"): the Excel upload previews render a row's error in the reader's
language from its code and params, and the API answers in English with the code and params,
whatever the request language."""

from __future__ import annotations

import orjson
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tracehub.sectors.messages import Message
from tracehub.sectors.services_agri import rapid_test_record
from tracehub.sectors.services_agri_input import SALE_INPUTS

from .agri_world import LOT2, build_agri_world, departments
from .test_agri_excel import cert_row, workbook
from .test_agri_input_channels import _xlsx
from .test_agri_input_world import ago, sale, stock_up
from .test_agri_input_world import build_agri_world as build_agri_input_world

FAILED_ZH = "该批次快检不合格，不能为其开具合格证。"
FAILED_EN = "This lot failed a rapid test: no certificate is issued for it."


@pytest.fixture
def w(db):
    departments()
    return build_agri_world()


@pytest.fixture
def agri(db):
    return build_agri_input_world()


def test_a_flagged_lot_row_reads_in_the_readers_language_on_the_upload_preview(w):
    rapid_test_record(
        actor=w.actor("coop_admin"),
        lot=LOT2,
        sample="上海青",
        item="毒死蜱",
        value="0.5",
        limit="0.1",
        unit="mg/kg",
        tester="质检员",
    )
    content = workbook("certificates", [cert_row(w), cert_row(w, lot=LOT2)])
    http = w.http("coop_admin")

    def check(language: str):
        return http.post(
            "/console/sectors/agri/import/certificates/",
            {"file": SimpleUploadedFile("rows.xlsx", content), "action": "check"},
            HTTP_ACCEPT_LANGUAGE=language,
        )

    response = check("zh-hans")
    assert response.status_code == 400
    [error] = response.context["upload"].errors
    assert (error["row"], error["column"], error["code"]) == (4, "产品批次 lot", "agri_lot_failed")
    assert error["message"] == Message(error["code"], error["params"]) == FAILED_EN  # kept in English
    page = response.content.decode()
    assert FAILED_ZH in page and FAILED_EN not in page
    page = check("en").content.decode()
    assert FAILED_EN in page and FAILED_ZH not in page


def test_a_sale_beyond_stock_reads_in_chinese_on_the_ledger_upload_preview(agri):
    stock_up(agri)  # 50 bags, ten days ago
    headers = [i.header for i in SALE_INPUTS]
    row = [sale(quantity="60").get(i.key, "") for i in SALE_INPUTS]
    response = agri.http("dealer").post(
        "/console/sectors/agri_input/sales/import/",
        {"file": SimpleUploadedFile("s.xlsx", _xlsx(headers, [row])), "action": "check"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    [error] = response.context["upload"].errors
    assert error["code"] == "beyond_stock" and error["params"]["stock"] == "50"
    page = response.content.decode()
    assert f"超出库存销售：台账显示 {ago(2)} PD20142631 100克/袋 的库存为 50 袋，少于 60。" in page
    assert "Sale beyond stock" not in page


def test_the_api_answers_in_english_with_code_and_params_whatever_the_language(w, agri):
    response = w.http("coop_admin").post(
        "/api/v1/sectors/agri/plots",
        data=orjson.dumps({"name": "", "areaMu": "-2", "crop": "青菜", "variety": "上海青"}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    errors = {e["path"]: e for e in response.json()["errors"]}
    assert errors["name"] == {
        "path": "name",
        "message": "This field is required.",
        "code": "agri_required",
        "params": {},
    }
    assert errors["area_mu"]["code"] == "agri_positive"
    response = agri.http("dealer").post(
        "/api/v1/sectors/agri_input/ledger/sales",
        data=orjson.dumps(sale(quantity="0")),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    [error] = [e for e in response.json()["errors"] if e["path"] == "quantity"]
    assert error["code"] == "ledger_quantity"
    assert error["message"] == Message(error["code"], error["params"])
    assert error["message"].endswith("must be a number greater than 0 (at most 3 decimals).")
