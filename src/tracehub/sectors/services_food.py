"""The step entries of the food sector (食品, G1; profile ``tracehub.sectors.profiles.food``).

Every step of the food profile is registered with the framework's entry registry, so that the phone
form (``/console/sectors/food/steps/<step>/``), the Excel template and upload, and
``POST /api/v1/sectors/food/<step>`` all make the same event through the one entry service
(``services.steps_record``): market declaration (市场申报), product inspection (产品检验: sample,
item, method, result, laboratory, report number), receipt with the supplier's ticket and certificate
(索票索证进货) and the inspectors' check (监督查验). The receipt's rules (supplier filed and licensed
on the day, no failed inspection of the lot) and the bureau's alert on a refusal are the profile's:
capture applies them, whatever channel the event came by.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracehub.sectors.entry import (
    Input,
    StepEntry,
    doc,
    ext,
    make_event,
    number,
    party_uri,
    register_sector_entry,
    seller_of,
)
from tracehub.sectors.profiles import food as food_profile

SECTOR = food_profile.PROFILE.sector

#: The kinds of supplier certificate a receipt may quote (索证), as document kinds of the platform.
CERTIFICATE_KINDS = (
    "test_report",
    "produce_compliance_certificate",
    "animal_quarantine_certificate",
    "meat_quality_certificate",
    "food_licence",
)
CERTIFICATE_KIND_LABELS = {
    "test_report": ("检验报告", "test report"),
    "produce_compliance_certificate": ("承诺达标合格证", "compliance certificate"),
    "animal_quarantine_certificate": ("动物检疫合格证明", "animal quarantine certificate"),
    "meat_quality_certificate": ("肉品品质检验合格证", "meat inspection certificate"),
    "food_licence": ("食品生产/经营许可证", "food licence"),
}
RESULTS = ("pass", "fail")
RESULT_LABELS = {"pass": ("合格", "pass"), "fail": ("不合格", "fail")}

_LOCATION = Input("location", "场所", "location", "location", help_zh="场所标识（SGLN 或平台节点）")
_TIME = Input("time", "时间", "time", "time", required=False, help_zh="留空为当前时间；格式 2026-11-16 08:30")
_LOT = Input("lot", "商品批次", "product lot", "lot", help_zh="批次标识（LGTIN、GS1 数字链接或平台批次 URI）")
_QUANTITY = Input("quantity", "数量（千克）", "quantity (kg)", "number", required=False)
_SUPPLIER = Input("supplier", "供货方", "supplier", "party", help_zh="统一社会信用代码或主体标识；须已备案")


def _what(clean: Mapping[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {"epcClass": clean["lot"]}
    if clean.get("quantity") is not None:
        item.update(quantity=number(clean["quantity"]), uom="KGM")
    return {"quantityList": [item]}


def _result(clean: Mapping[str, Any], item_key: str = "item", method_key: str = "method") -> dict[str, Any]:
    result: dict[str, Any] = {ext("testItem"): clean[item_key]}
    if clean.get(method_key):
        result[ext("testMethod")] = clean[method_key]
    result[ext("result")] = clean["result"]
    return result


def _build_declaration(clean):
    body = {
        **_what(clean),
        "sourceList": [{"type": "owning_party", "source": party_uri(clean["supplier"])}],
        ext("declarationNumber"): clean["declaration_number"],
    }
    return make_event(SECTOR, "market_declaration", clean, body)


def _build_inspection(clean):
    body = {
        **_what(clean),
        "bizTransactionList": [doc("test_report", clean["report"])],
        ext("laboratory"): clean["laboratory"],
        ext("inspectionResult"): _result(clean),
    }
    if clean.get("sample"):
        body[ext("sampleNumber")] = clean["sample"]
    return make_event(SECTOR, "product_inspection", clean, body)


def _build_receiving(clean):
    supplier = clean["supplier"]
    body = {
        **_what(clean),
        "bizTransactionList": [
            {
                "type": "inv",
                "bizTransaction": f"urn:tracehub:bt:{supplier.uscc or supplier.pk}:{clean['invoice']}",
            },
            doc(clean["certificate_kind"], clean["certificate"]),
        ],
        "sourceList": [{"type": "owning_party", "source": party_uri(supplier)}],
        "destinationList": [{"type": "owning_party", "destination": party_uri(seller_of(clean["location"]))}],
    }
    return make_event(SECTOR, "ticket_receiving", clean, body)


def _build_check(clean):
    result: dict[str, Any] = {ext("testItem"): clean["item"], ext("result"): clean["result"]}
    body = {**_what(clean), ext("inspectionResult"): result}
    if clean.get("note"):
        body[ext("note")] = clean["note"]
    return make_event(SECTOR, "inspection_check", clean, body)


FOOD_ENTRIES = [
    register_sector_entry(
        StepEntry(
            SECTOR,
            "market_declaration",
            (
                _LOCATION,
                _LOT,
                _QUANTITY,
                _SUPPLIER,
                Input("declaration_number", "申报编号", "declaration number", "doc"),
                _TIME,
            ),
            _build_declaration,
        )
    ),
    register_sector_entry(
        StepEntry(
            SECTOR,
            "product_inspection",
            (
                _LOCATION,
                _LOT,
                Input("sample", "样品编号", "sample number", "doc", required=False),
                Input("item", "检验项目", "test item", "text", help_zh="如 克伦特罗、农药残留"),
                Input(
                    "method", "检验方法", "test method", "text", required=False, help_zh="如 GB/T 22286-2008"
                ),
                Input(
                    "result",
                    "检验结果",
                    "result",
                    "choice",
                    choices=RESULTS,
                    help_zh="pass 合格；fail 不合格",
                ),
                Input("laboratory", "检验机构", "laboratory", "text"),
                Input("report", "检验报告编号", "test report number", "doc"),
                _TIME,
            ),
            _build_inspection,
        )
    ),
    register_sector_entry(
        StepEntry(
            SECTOR,
            "ticket_receiving",
            (
                _LOCATION,
                _SUPPLIER,
                _LOT,
                _QUANTITY,
                Input(
                    "invoice",
                    "供货票据号",
                    "invoice or ticket no.",
                    "doc",
                    help_zh="发票或销售凭证号（索票）",
                ),
                Input(
                    "certificate_kind",
                    "证明类型",
                    "certificate kind",
                    "choice",
                    choices=CERTIFICATE_KINDS,
                    help_zh="test_report 检验报告；produce_compliance_certificate 合格证；"
                    "animal_quarantine_certificate 检疫证明；meat_quality_certificate 肉品品质检验；"
                    "food_licence 许可证",
                ),
                Input("certificate", "证明编号", "certificate no.", "doc", help_zh="索证"),
                _TIME,
            ),
            _build_receiving,
        )
    ),
    register_sector_entry(
        StepEntry(
            SECTOR,
            "inspection_check",
            (
                _LOCATION,
                _LOT,
                Input("item", "查验项目", "item checked", "text", help_zh="如 标签、票证、感官"),
                Input(
                    "result",
                    "查验结果",
                    "result",
                    "choice",
                    choices=RESULTS,
                    help_zh="pass 合格；fail 不合格",
                ),
                Input("note", "查验说明", "note", "text", required=False),
                _TIME,
            ),
            _build_check,
        )
    ),
]
