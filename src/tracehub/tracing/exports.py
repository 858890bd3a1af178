"""Recall exports: the FSMA 204 "sortable spreadsheet" as xlsx and CSV, in English or Chinese.

Issue #4 item 3; O2, P4 (exports for other departments): regulators live in Excel. The columns
are those of the US FDA's FSMA 204 sortable spreadsheet (traceability lot code, its source,
product description, quantity and unit, location, date, event type, reference document), plus
the identifiers and eventID the row came from; ``lang="zh"`` gives the Chinese column set.
Exports are written from the scope stored with the recall, so they always match the record.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from tracehub.core.csvsafe import csv_safe
from tracehub.tracing import xlsx
from tracehub.tracing.models import Recall

HEADERS = {
    "en": (
        "Traceability Lot Code",
        "Traceability Lot Code Source",
        "Product Description",
        "Quantity",
        "Unit of Measure",
        "Location",
        "Date",
        "Event Type",
        "Reference Document Type",
        "Reference Document Number",
        "Identifiers",
        "Event ID",
    ),
    "zh": (
        "追溯批次码",
        "批次码来源",
        "产品描述",
        "数量",
        "计量单位",
        "地点",
        "日期",
        "事件类型",
        "单据类型",
        "单据编号",
        "标识",
        "事件ID",
    ),
}
LANGUAGES = tuple(HEADERS)

#: Event types (FSMA critical tracking events, else CBV business steps) in Chinese.
EVENT_TYPES_ZH = {
    "Shipping": "发货",
    "Receiving": "收货",
    "Transformation": "加工转化",
    "Initial Packing": "初次包装",
    "retail_selling": "零售",
    "storing": "仓储",
    "inspecting": "检验",
    "packing": "装箱",
    "unpacking": "拆箱",
    "dispensing": "调剂发药",
    "destroying": "销毁",
    "arriving": "到达",
    "departing": "出发",
    "loading": "装载",
    "unloading": "卸载",
}

SHEET_TITLES = {
    "en": ("FSMA 204", "Locations", "Codes"),
    "zh": ("追溯记录", "流向地点", "消费者码"),
}
LOCATION_HEADERS = {
    "en": ("Location", "Events", "Received", "Dispatched", "On hand", "Parties"),
    "zh": ("地点", "事件数", "收入", "发出", "库存", "主体"),
}


def _rows(recall: Recall, lang: str):
    translate = lang == "zh"
    for row in recall.scope.get("rows", ()):
        if translate:
            row = list(row)
            row[7] = EVENT_TYPES_ZH.get(row[7], row[7])
        yield row


def _amounts(value: dict[str, Any]) -> str:
    return "; ".join(f"{amount} {uom}".strip() for uom, amount in value.items())


def recall_csv(recall: Recall, *, lang: str = "en") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS[lang])
    # Names and lot codes come from enterprises: no cell may run as a spreadsheet formula.
    writer.writerows([csv_safe(cell) for cell in row] for row in _rows(recall, lang))
    # UTF-8 with a byte-order mark, so that Excel opens the Chinese columns correctly.
    return buffer.getvalue().encode("utf-8-sig")


def recall_xlsx(recall: Recall, *, lang: str = "en") -> bytes:
    """Three sheets: the FSMA 204 rows, the locations with their stock, the consumer codes."""
    events_title, locations_title, codes_title = SHEET_TITLES[lang]
    places = [
        [
            place["id"],
            place["events"],
            _amounts(place["received"]),
            _amounts(place["dispatched"]),
            _amounts(place["onHand"]),
            ", ".join(place["parties"]),
        ]
        for place in recall.scope.get("locations", ())
    ]
    codes = [[code] for code in recall.scope.get("codes", ())]
    return xlsx.workbook(
        [
            (events_title, HEADERS[lang], _rows(recall, lang)),
            (locations_title, LOCATION_HEADERS[lang], places),
            (codes_title, None, codes),
        ]
    )
