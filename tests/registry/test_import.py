"""Bulk import (批量导入, issue #3 item 7): templates, preview with per-row errors, all-or-nothing commit.

The files are made as a user makes them: the template downloaded, filled in with openpyxl as in
Excel, uploaded through the console (or the service the console and the API share).
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from tracehub.accounts.models import AuditEntry
from tracehub.core.errors import Conflict
from tracehub.registry import imports, services
from tracehub.registry.import_templates import template_csv, template_xlsx
from tracehub.registry.models import ImportBatch, ImportStatus, Location, Party, Product

from .importing import errors_of, fill_xlsx, make_csv, make_xlsx, upload
from .world import PDF, PNG, PREFIX_A, SYSTEM, USCC_A, USCC_B, gln, gtin, make_ric, make_uscc

IMPORT_URL = "/console/registry/import/"


def zh_template(kind: str, file_format: str = "xlsx") -> bytes:
    with translation.override("zh-hans"):
        return template_xlsx(kind) if file_format == "xlsx" else template_csv(kind)


def create(world, role: str, kind: str, data: bytes, name: str = "import.xlsx") -> ImportBatch:
    return imports.import_batch_create(
        actor=world.actor(role), kind=kind, content=upload(data, name), filename=name
    )


def party_row(name: str, code: str, **over) -> dict:
    row = {
        "名称": name,
        "主体类型": "加工企业",
        "统一社会信用代码": code,
        "所属行业": "肉菜流通",
        "所在区": "翔安",
    }
    row.update(over)
    return row


def new_uscc(n: int) -> str:
    return make_uscc("350213", f"MA3{n:05d}X")


# -- templates ------------------------------------------------------------------------------------


def test_the_xlsx_template_has_chinese_headers_instructions_and_drop_downs():
    workbook = openpyxl.load_workbook(io.BytesIO(zh_template("parties")))
    assert workbook.sheetnames == ["主体", "说明"]
    data, guide = workbook.worksheets
    headers = [c.value for c in data[1]]
    assert headers[:5] == ["名称", "英文名称", "主体类型", "证件类型", "统一社会信用代码"]
    assert "所属行业" in headers and "所在区" in headers and "厂商识别代码" in headers
    # required columns stand out; code columns are text, so Excel keeps long numbers whole
    assert data["A1"].fill.fgColor.rgb.endswith("0B5394")
    assert data["B1"].fill.fgColor.rgb.endswith("D9E0E8")
    assert data.column_dimensions["E"].number_format == "@"
    assert data.freeze_panes == "A2"
    guide_text = {str(c.value) for row in guide.iter_rows() for c in row if c.value}
    assert {"屠宰场", "肉菜流通", "翔安区", "统一社会信用代码"} <= guide_text
    assert any("最多 5000 行" in t for t in guide_text)
    lists = {str(dv.sqref).split(":")[0]: dv for dv in data.data_validations.dataValidation}
    assert set(lists) == {"C2", "D2", "I2", "J2"}  # party type, identified by, sectors, district
    # each drop-down offers exactly its list, under the list's title on the instructions sheet
    source = lists["C2"].formula1.removeprefix("'说明'!").replace("$", "")
    first, last = source.split(":")
    offered = [c.value for row in guide[first:last] for c in row]
    assert offered[:3] == ["养殖场/种植场", "专业合作社", "屠宰场"] and len(offered) == 19
    assert guide.cell(row=guide[first].row - 1, column=guide[first].column).value == "主体类型"
    assert guide.cell(row=guide[first].row - 1, column=1).value == "列"
    districts = lists["J2"].formula1.removeprefix("'说明'!").replace("$", "").split(":")
    assert [c.value for row in guide[districts[0] : districts[1]] for c in row] == [
        "思明区",
        "海沧区",
        "湖里区",
        "集美区",
        "同安区",
        "翔安区",
    ]
    assert lists["C2"].showErrorMessage and not lists["I2"].showErrorMessage  # several sectors allowed


def test_the_csv_template_is_utf8_with_a_bom_and_the_same_headers():
    body = zh_template("locations", "csv")
    assert body.startswith(b"\xef\xbb\xbf")
    headers = body.decode("utf-8-sig").strip().split(",")
    workbook = openpyxl.load_workbook(io.BytesIO(zh_template("locations")))
    assert headers == [c.value for c in workbook.worksheets[0][1]]
    assert headers[:3] == ["所属主体统一社会信用代码", "场所编码", "场所名称"]


def test_english_templates_have_english_headers(world):
    with translation.override("en"):
        workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx("products")))
    assert workbook.sheetnames == ["Products", "Instructions"]
    headers = [c.value for c in workbook.worksheets[0][1]]
    assert headers[:4] == ["Party credit code", "GTIN", "Platform product code", "Name"]


def test_templates_download_from_the_console(world):
    http = world.http("admin")
    response = http.get(f"{IMPORT_URL}templates/products.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=utf-8''%E4%BA%A7%E5%93%81" in response["Content-Disposition"]  # 产品导入模板.xlsx
    openpyxl.load_workbook(io.BytesIO(response.content))
    response = http.get(f"{IMPORT_URL}templates/parties.csv")
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
    assert http.get(f"{IMPORT_URL}templates/licences.xlsx").status_code == 404
    assert http.get(f"{IMPORT_URL}templates/parties.pdf").status_code == 404
    assert Client().get(f"{IMPORT_URL}templates/parties.xlsx").status_code == 302  # sign in first


# -- the round trip -------------------------------------------------------------------------------


def test_parties_round_trip_through_the_console(world):
    """Download the template, fill it in, upload, see a clean preview, store, find the parties audited."""
    http = world.http("operator")
    template = http.get(f"{IMPORT_URL}templates/parties.xlsx").content
    ric = make_ric("350212", date(1998, 3, 9), 27)
    data = fill_xlsx(
        template,
        [
            party_row("厦门同安鲜肉加工厂", new_uscc(1), 厂商识别代码="6953182051、6953182052"),
            {
                "名称": "林阿水",
                "主体类型": "摊位经营户",
                "身份证号码": ric,
                "所属行业": "肉菜流通",
                "所在区": "同安区",
                "联系电话": 13906001234,
            },
            {
                "名称": "Domaine du Soleil",
                "主体类型": "境外出口商",
                "境外注册号": "FR-33-0042",
                "国家或地区": "fr",
                "所属行业": "进口食品、酒类流通",
            },
        ],
    )
    response = http.post(IMPORT_URL, {"kind": "parties", "file": upload(data, "新主体.xlsx")})
    assert response.status_code == 302, response.content.decode()[:2000]
    batch = ImportBatch.objects.get()
    assert response["Location"] == f"{IMPORT_URL}{batch.pk}/"
    assert batch.errors == []
    assert (batch.status, batch.row_count, batch.filename) == ("ready", 3, "新主体.xlsx")
    assert batch.file and batch.file_format == "xlsx"
    assert not Party.objects.filter(name="林阿水").exists()  # a preview stores nothing

    page = http.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "厦门同安鲜肉加工厂" in text and "全部保存" in text
    assert ric not in text and ric[:4] + "**********" + ric[-4:] in text  # the ID number masked

    response = http.post(f"{IMPORT_URL}{batch.pk}/commit/")
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED and batch.committed_at is not None
    assert not batch.file  # the file (with an ID number in it) is not kept
    page = http.get(f"{IMPORT_URL}{batch.pk}/").content.decode()
    assert "已保存 3 条记录" in page
    company = Party.objects.get(uscc=new_uscc(1))
    assert (company.party_type, company.district, company.sector_codes) == (
        "processor",
        "350213",
        ["meat_veg"],
    )
    assert sorted(company.prefixes.values_list("prefix", flat=True)) == ["6953182051", "6953182052"]
    stall = Party.objects.get(name="林阿水")
    assert (stall.id_kind, stall.id_number_masked, stall.contact_phone) == (
        "ric",
        ric[:4] + "*" * 10 + ric[-4:],
        "13906001234",
    )
    foreign = Party.objects.get(name="Domaine du Soleil")
    assert (foreign.id_kind, foreign.country, foreign.sector_codes) == (
        "foreign",
        "FR",
        ["import_food", "liquor"],
    )
    assert sorted(batch.created_ids) == sorted([company.pk, stall.pk, foreign.pk])
    assert f"/console/registry/parties/{company.pk}/" in page
    # each party is audited by the service that made it, and the import itself too
    audit = AuditEntry.objects.filter(actor_user=world.users["operator"])
    assert audit.filter(action="registry.party.create").count() == 3
    assert audit.filter(action="registry.import.create", object_id=str(batch.pk)).exists()
    commit = audit.get(action="registry.import.commit", object_id=str(batch.pk))
    assert commit.before["status"] == "ready" and commit.after["created_count"] == 3


def test_locations_round_trip_as_csv_for_an_enterprise(world):
    """An enterprise's CSV leaves the party column empty: the rows are its own party's."""
    http = world.http("admin")
    template = http.get(f"{IMPORT_URL}templates/locations.csv").content.decode("utf-8-sig").strip().split(",")
    rows = [
        [
            "",
            f"urn:tracehub:loc:{USCC_A}:barn-1",
            "一号猪舍",
            "",
            "养殖场舍",
            "翔安区内厝镇",
            "350213",
            "24.6178",
            "118.2471",
        ],
        [USCC_A, gln(PREFIX_A, "010"), "二号冷库", "Cold store 2", "仓库", "", "翔安", "", ""],
    ]
    data = make_csv(template[:9], rows)
    response = http.post(IMPORT_URL, {"kind": "locations", "file": upload(data, "locations.csv")})
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.status == "ready", batch.errors
    assert batch.file_format == "csv" and batch.party_id == world.party_a.pk
    http.post(f"{IMPORT_URL}{batch.pk}/commit/")
    barn = Location.objects.get(name="一号猪舍")
    store = Location.objects.get(name="二号冷库")
    assert barn.party == store.party == world.party_a
    assert (barn.kind, str(barn.latitude), store.key, store.district) == (
        "barn",
        "24.617800",
        f"414/{gln(PREFIX_A, '010')}",
        "350213",
    )
    entries = AuditEntry.objects.filter(action="registry.location.create", party_ref=world.party_a.pk)
    assert entries.count() == 3  # the world's own location and the two imported


def test_products_round_trip_with_sector_attributes(world):
    data = fill_xlsx(
        zh_template("products"),
        [
            {
                "商品条码": gtin(PREFIX_A, "107"),
                "产品名称": "猪肉馅",
                "所属行业": "食品",
                "计量单位": "千克",
                "保质期（天）": 3,
            },
            {
                "平台产品编码": f"urn:tracehub:product:{USCC_A}:wine-1",
                "产品名称": "进口干红",
                "所属行业": "酒类流通、进口食品",
                "计量单位": "BO",
                "酒精度（%vol）": 13.5,
                "原产国": "FR",
            },
        ],
    )
    batch = create(world, "party_client", "products", data)
    assert batch.status == "ready", batch.errors
    imports.import_batch_commit(actor=world.actor("party_client"), batch=batch)
    mince = Product.objects.get(name="猪肉馅")
    wine = Product.objects.get(name="进口干红")
    assert (mince.gtin, mince.unit, mince.shelf_life_days) == (gtin(PREFIX_A, "107").zfill(14), "KGM", 3)
    assert wine.attributes == {"alcohol_strength": "13.5", "origin_country": "FR"}
    assert wine.sector_codes == ["import_food", "liquor"]


def test_english_headers_and_values_are_accepted(world):
    data = make_xlsx(
        ["Name", "Party type", "Unified social credit code", "Sectors", "District"],
        [
            [
                "Xiang'an Pork Co.",
                "Processor",
                new_uscc(2),
                "Meat and vegetable distribution, Food",
                "Xiang'an",
            ]
        ],
    )
    batch = create(world, "operator", "parties", data)
    assert batch.status == "ready", batch.errors
    assert batch.columns[0] == {"field": "name", "header": "Name"}


# -- per-row errors -------------------------------------------------------------------------------


def _parties_file(bad: dict[int, dict]) -> bytes:
    """Seven data rows (Excel rows 2-8), row numbers in ``bad`` changed as given."""
    rows = []
    for excel_row in range(2, 9):
        row = party_row(f"加工厂{excel_row}", new_uscc(100 + excel_row))
        row.update(bad.get(excel_row, {}))
        rows.append(row)
    return fill_xlsx(zh_template("parties"), rows)


def test_row_errors_name_the_excel_row_the_header_and_the_reason_in_chinese(world):
    wrong_check = new_uscc(105)[:-1] + ("0" if new_uscc(105)[-1] != "0" else "1")
    data = _parties_file({5: {"统一社会信用代码": wrong_check}, 7: {"所在区": "鼓浪屿区"}})
    before = Party.objects.count()
    batch = create(world, "operator", "parties", data)
    assert batch.status == ImportStatus.INVALID and not batch.can_commit
    assert errors_of(batch) == [
        (5, "统一社会信用代码", "该统一社会信用代码的校验码错误。"),
        (7, "所在区", "未知的值“鼓浪屿区”：请使用模板“说明”页列出的值。"),
    ]
    assert [r["row"] for r in batch.rows if not r["ok"]] == [5, 7]
    assert Party.objects.count() == before  # the dry run left nothing
    assert not batch.file  # a file with errors can never be stored: it is not kept


def test_a_gtin_with_a_wrong_check_digit_is_reported_on_its_row(world):
    rows = [
        {"商品条码": gtin(PREFIX_A, f"{200 + i}"), "产品名称": f"产品{i}", "所属行业": "食品"}
        for i in range(6)
    ]
    good = rows[5]["商品条码"]
    rows[5]["商品条码"] = good[:-1] + str((int(good[-1]) + 1) % 10)  # Excel row 7
    batch = create(world, "admin", "products", fill_xlsx(zh_template("products"), rows))
    assert errors_of(batch) == [(7, "商品条码", "该 GTIN 的 GS1 校验码错误。")]
    assert not Product.objects.filter(name__startswith="产品").exists()


def test_each_wrong_cell_of_a_row_is_named(world):
    data = fill_xlsx(
        zh_template("products"),
        [{"商品条码": "123", "产品名称": "", "所属行业": "鞋帽", "保质期（天）": "三天", "计量单位": "斤斤"}],
    )
    batch = create(world, "admin", "products", data)
    assert [(row, column) for row, column, _m in errors_of(batch)] == [
        (2, "商品条码"),
        (2, "产品名称"),
        (2, "所属行业"),
        (2, "计量单位"),
        (2, "保质期（天）"),
    ]


def test_required_attributes_are_named_by_their_column_even_when_the_file_lacks_it(world):
    data = make_xlsx(["商品条码", "产品名称", "所属行业"], [[gtin(PREFIX_A, "301"), "白酒", "酒类流通"]])
    batch = create(world, "admin", "products", data)
    assert [(row, column) for row, column, _m in errors_of(batch)] == [(2, "酒精度（%vol）")]


def test_a_missing_required_column_is_one_file_level_error(world):
    data = make_xlsx(["名称", "统一社会信用代码", "所属行业"], [["加工厂", new_uscc(3), "食品"]])
    with pytest.raises(ValidationError) as caught:
        create(world, "operator", "parties", data)
    assert caught.value.message_dict == {"file": ["缺少“主体类型”列：每一行都需要它。"]}
    assert not ImportBatch.objects.exists()
    # the console shows it on the upload form
    response = world.http("operator").post(IMPORT_URL, {"kind": "parties", "file": upload(data)})
    assert response.status_code == 400
    assert "缺少“主体类型”列" in response.content.decode()


def test_unknown_and_repeated_columns_are_file_level_errors(world):
    data = make_xlsx(
        ["名称", "Name", "主体类型", "统一社会信用代码", "所属行业", "备注"],
        [["a", "a", "养殖场", new_uscc(4), "食品", "x"]],
    )
    with pytest.raises(ValidationError) as caught:
        create(world, "operator", "parties", data)
    messages = caught.value.message_dict["file"]
    assert len(messages) == 2
    assert "“名称”" in messages[0] and "“Name”" in messages[0]
    assert "“备注”" in messages[1]


def test_an_operator_must_name_each_row_s_party(world):
    data = make_xlsx(["场所编码", "场所名称", "场所类型"], [[f"urn:tracehub:loc:{USCC_A}:9", "仓库", "仓库"]])
    with pytest.raises(ValidationError) as caught:
        create(world, "operator", "locations", data)
    assert "所属主体统一社会信用代码" in caught.value.message_dict["file"][0]


def test_row_numbers_count_blank_rows_as_excel_does(world):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"], sheet["B1"], sheet["C1"], sheet["D1"] = "名称", "主体类型", "统一社会信用代码", "所属行业"
    sheet.append(["甲", "养殖场", new_uscc(5), "农产品"])  # row 2
    sheet["A6"], sheet["B6"], sheet["C6"], sheet["D6"] = "乙", "养殖场", "bad", "农产品"  # rows 3-5 blank
    buffer = io.BytesIO()
    workbook.save(buffer)
    batch = create(world, "operator", "parties", buffer.getvalue())
    assert batch.row_count == 2
    assert [(row, column) for row, column, _m in errors_of(batch)] == [(6, "统一社会信用代码")]


def test_a_code_repeated_in_the_file_names_the_first_row(world):
    code = new_uscc(6)
    data = _parties_file({3: {"统一社会信用代码": code}, 6: {"统一社会信用代码": code.lower()}})
    batch = create(world, "operator", "parties", data)
    assert errors_of(batch) == [(6, "统一社会信用代码", "与第 3 行的代码相同：每一行只登记一项。")]


def test_an_id_number_excel_turned_into_a_number_is_refused(world):
    ric = make_ric("350212", date(1999, 1, 1), 5)
    data = make_xlsx(
        ["名称", "主体类型", "身份证号码", "所属行业"], [["陈某", "养殖场", float(ric[:17] + "0"), "农产品"]]
    )
    batch = create(world, "operator", "parties", data)
    assert [(row, column) for row, column, _m in errors_of(batch)] == [(2, "身份证号码")]
    assert "文本" in batch.errors[0]["message"]


def test_a_row_needs_some_identity(world):
    data = make_xlsx(["名称", "主体类型", "所属行业"], [["无名加工厂", "加工企业", "食品"]])
    batch = create(world, "operator", "parties", data)
    assert errors_of(batch) == [
        (2, "统一社会信用代码", "请填写统一社会信用代码；个人填写身份证号码；境外主体填写所在国家或地区。")
    ]


def test_a_value_in_a_column_without_a_header_is_reported(world):
    data = make_xlsx(
        ["名称", "主体类型", "统一社会信用代码", "所属行业"],
        [["甲", "养殖场", new_uscc(7), "农产品", "", "多余"]],
    )
    batch = create(world, "operator", "parties", data)
    assert [(row, column) for row, column, _m in errors_of(batch)] == [(2, "F")]


# -- all or nothing --------------------------------------------------------------------------------


def test_one_bad_row_stores_nothing_and_the_commit_is_refused(world):
    data = _parties_file({8: {"主体类型": "养猪大户"}})
    batch = create(world, "operator", "parties", data)
    assert batch.error_count == 1
    with pytest.raises(Conflict):
        imports.import_batch_commit(actor=world.actor("operator"), batch=batch)
    assert not Party.objects.filter(name__startswith="加工厂").exists()
    response = world.http("operator").post(f"{IMPORT_URL}{batch.pk}/commit/", follow=True)
    assert "该文件有错误" in response.content.decode()
    assert not Party.objects.filter(name__startswith="加工厂").exists()


def test_a_commit_fails_whole_when_the_data_changed_since_the_preview(world):
    batch = create(world, "operator", "parties", _parties_file({}))
    assert batch.status == "ready"
    # meanwhile somebody registers the party of Excel row 6
    services.party_create(actor=SYSTEM, **{**_world_party(), "uscc": new_uscc(106), "name": "抢先登记"})
    before = Party.objects.count()
    response = world.http("operator").post(f"{IMPORT_URL}{batch.pk}/commit/", follow=True)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert errors_of(batch) == [(6, "统一社会信用代码", "已有使用该统一社会信用代码的主体登记。")]
    assert Party.objects.count() == before  # none of the six other rows either
    assert not batch.file
    assert "没有保存任何数据" in response.content.decode()
    assert AuditEntry.objects.filter(
        action="registry.import.commit_refused", object_id=str(batch.pk)
    ).exists()
    with pytest.raises(Conflict):
        imports.import_batch_commit(actor=world.actor("operator"), batch=batch)


def _world_party() -> dict:
    return {"party_type": "processor", "id_kind": "uscc", "sectors": ["food"], "district": "350213"}


def test_a_batch_is_stored_once(world):
    batch = create(world, "operator", "parties", _parties_file({}))
    imports.import_batch_commit(actor=world.actor("operator"), batch=batch)
    with pytest.raises(Conflict):
        imports.import_batch_commit(actor=world.actor("operator"), batch=batch)
    assert Party.objects.filter(name__startswith="加工厂").count() == 7


def test_an_expired_preview_cannot_be_stored(world):
    batch = create(world, "operator", "parties", _parties_file({}))
    ImportBatch.objects.filter(pk=batch.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    batch.refresh_from_db()
    assert batch.is_expired and not batch.can_commit
    storage, name = batch.file.storage, batch.file.name
    with pytest.raises(Conflict):
        imports.import_batch_commit(actor=world.actor("operator"), batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.EXPIRED and not batch.file
    assert not Party.objects.filter(name__startswith="加工厂").exists()
    del storage, name  # the file is deleted once the transaction commits (on_commit)


def test_old_previews_expire_at_the_next_upload(world):
    old = create(world, "operator", "parties", _parties_file({}))
    ImportBatch.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    create(world, "operator", "parties", _parties_file({}))
    old.refresh_from_db()
    assert old.status == ImportStatus.EXPIRED and not old.file


# -- bad files ------------------------------------------------------------------------------------


def _zip(names: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in names.items():
            archive.writestr(name, content)
    return buffer.getvalue()


BAD_FILES = {
    "pdf named xlsx": (PDF, "主体.xlsx", "这是一个 PDF 文件，不是 Excel 工作簿（.xlsx）或 CSV 文件"),
    "png": (PNG, "主体.xlsx", "这是一个 PNG 文件"),
    "old xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "主体.xls", "Excel 97-2003"),
    "word document": (_zip({"word/document.xml": b"<w/>"}), "主体.xlsx", "ZIP 压缩包"),
    "damaged xlsx": (_zip({"xl/workbook.xml": b"<not xml"}), "主体.xlsx", "无法读取该 Excel 工作簿"),
    "garbage": (bytes(range(256)) * 8, "主体.csv", "既不是 Excel 工作簿（.xlsx），也不是"),
    "empty": (b"", "主体.xlsx", "文件为空。"),
    "headers only": ("名称,主体类型\r\n".encode("utf-8-sig"), "主体.csv", "标题行下面没有数据行"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_file_that_is_not_a_table_gets_a_clear_message_and_stores_nothing(world, case):
    data, name, expected = BAD_FILES[case]
    response = world.http("operator").post(IMPORT_URL, {"kind": "parties", "file": upload(data, name)})
    assert response.status_code == 400
    text = response.content.decode()
    if case == "empty":
        expected = "所提交的是空文件。"  # Django's own form check comes first in the console
    assert expected in text, text[text.find("form-errors") - 200 :][:1500]
    assert not ImportBatch.objects.exists()
    if data:
        with pytest.raises(ValidationError) as caught:
            create(world, "operator", "parties", data, name)
        assert expected in caught.value.message_dict["file"][0]
    else:
        with pytest.raises(ValidationError, match="文件为空"):
            create(world, "operator", "parties", data, name)


def test_an_oversized_file_is_refused_before_it_is_read(world, settings):
    settings.TRACEHUB_IMPORT_MAX_BYTES = 1024 * 1024
    data = make_csv(["名称"], [["x" * 100]] * 11_000)
    assert len(data) > 1024 * 1024
    with pytest.raises(imports.ImportFileTooLarge) as caught:
        create(world, "operator", "parties", data, "big.csv")
    assert caught.value.message_dict == {"file": ["文件大于 1 MB：请拆分为几个较小的文件。"]}
    response = world.http("operator").post(IMPORT_URL, {"kind": "parties", "file": upload(data, "big.csv")})
    assert response.status_code == 400 and "文件大于 1 MB" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_too_many_rows_is_a_file_level_error(world, settings):
    settings.TRACEHUB_IMPORT_MAX_ROWS = 3
    data = _parties_file({})
    with pytest.raises(ValidationError) as caught:
        create(world, "operator", "parties", data)
    assert "超过 3 行" in caught.value.message_dict["file"][0]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_a_csv_saved_by_chinese_excel_in_gbk_is_read(world, encoding):
    data = make_csv(
        ["名称", "主体类型", "统一社会信用代码", "所属行业", "所在区", "地址"],
        [["厦门翔安鲜肉加工厂", "加工企业", new_uscc(8), "肉菜流通", "翔安区", "翔安区莲塘路68号"]],
        encoding=encoding,
    )
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    batch = create(world, "operator", "parties", data, "主体.csv")
    assert batch.status == "ready", batch.errors
    assert batch.rows[0]["values"]["address"] == "翔安区莲塘路68号"
    imports.import_batch_commit(actor=world.actor("operator"), batch=batch)
    assert Party.objects.get(uscc=new_uscc(8)).name == "厦门翔安鲜肉加工厂"


def test_a_file_refused_at_commit_fails_the_batch(world, settings):
    batch = create(world, "operator", "parties", _parties_file({}))
    settings.TRACEHUB_IMPORT_MAX_ROWS = 5  # the limit was lowered since the preview
    batch = imports.import_batch_commit(actor=world.actor("operator"), batch=batch)
    assert batch.status == ImportStatus.FAILED
    assert errors_of(batch) == [(None, "", "文件的数据超过 5 行：请拆分为每个不超过 5 行的文件。")]
    assert not Party.objects.filter(name__startswith="加工厂").exists()


def test_a_stored_file_that_is_gone_is_not_committed(world):
    batch = create(world, "operator", "parties", _parties_file({}))
    batch.file.storage.delete(batch.file.name)
    with pytest.raises(Conflict, match="暂存的文件已不存在"):
        imports.import_batch_commit(actor=world.actor("operator"), batch=batch)
    batch.refresh_from_db()
    assert batch.status == "ready"


def test_a_stored_file_that_changed_is_not_committed(world):
    batch = create(world, "operator", "parties", _parties_file({}))
    with batch.file.open("wb") as handle:
        handle.write(_parties_file({2: {"名称": "被篡改"}}))
    with pytest.raises(Conflict):
        imports.import_batch_commit(actor=world.actor("operator"), batch=batch)
    assert not Party.objects.filter(name__startswith="加工厂").exists()


# -- who may import what ------------------------------------------------------------------------------


def test_what_each_role_may_import(world):
    kinds = {role: imports.import_kinds_for(world.actor(role)) for role in world.users | world.clients}
    assert kinds == {
        "operator": ["parties", "locations", "products"],
        "official": ["parties"],
        "official_other": ["parties"],
        "auditor": [],
        "admin": ["locations", "products"],
        "staff": [],
        "admin_other": ["locations", "products"],
        "platform_client": ["parties", "locations", "products"],
        "party_client": ["locations", "products"],
        "department_client": [],
    }


def test_an_enterprise_cannot_import_parties(world):
    data = _parties_file({})
    with pytest.raises(PermissionDenied):
        create(world, "admin", "parties", data)
    http = world.http("admin")
    page = http.get(IMPORT_URL).content.decode()
    assert 'value="locations"' in page and 'value="parties"' not in page
    response = http.post(IMPORT_URL, {"kind": "parties", "file": upload(data)})
    assert response.status_code == 400
    assert not ImportBatch.objects.exists() and not Party.objects.filter(name__startswith="加工厂").exists()


def test_an_enterprise_cannot_import_locations_of_another_party(world):
    data = make_xlsx(
        ["所属主体统一社会信用代码", "场所编码", "场所名称", "场所类型"],
        [
            [USCC_A, f"urn:tracehub:loc:{USCC_A}:7", "自己的仓库", "仓库"],
            [USCC_B, f"urn:tracehub:loc:{USCC_B}:7", "别人的药房", "药店"],
            [new_uscc(9), f"urn:tracehub:loc:{new_uscc(9)}:7", "不存在的主体", "仓库"],
        ],
    )
    batch = create(world, "admin", "locations", data)
    message = "找不到使用该信用代码、且您可管理其数据的主体。"
    assert errors_of(batch) == [
        (3, "所属主体统一社会信用代码", message),
        (4, "所属主体统一社会信用代码", message),
    ]
    assert not Location.objects.filter(name="自己的仓库").exists()


def test_an_official_imports_parties_of_their_sectors_and_districts_only(world):
    data = fill_xlsx(
        zh_template("parties"),
        [
            party_row("翔安肉菜店", new_uscc(10)),
            party_row("思明药店", new_uscc(11), 所属行业="药品与医疗器械", 所在区="思明"),
        ],
    )
    batch = create(world, "official", "parties", data)
    assert errors_of(batch) == [(3, "", "您只能登记本部门职责行业内的主体。")]
    with pytest.raises(PermissionDenied):
        create(world, "official", "locations", make_xlsx(["场所编码"], [["x"]]))


PAGE_STATUS = {
    "operator": 200,
    "official": 200,
    "official_other": 200,
    "admin": 200,
    "admin_other": 200,
    "staff": 403,
    "auditor": 403,
}


def test_the_import_page_answers_each_role(world):
    assert Client().get(IMPORT_URL).status_code == 302  # to the sign-in page
    assert {role: world.http(role).get(IMPORT_URL).status_code for role in PAGE_STATUS} == PAGE_STATUS


@pytest.mark.parametrize("role", ["staff", "auditor"])
def test_who_may_import_nothing_gets_403(world, role):
    http = world.http(role)
    assert http.get(IMPORT_URL).status_code == 403
    assert (
        http.post(IMPORT_URL, {"kind": "locations", "file": upload(b"a,b\r\n1,2\r\n", "x.csv")}).status_code
        == 403
    )


def test_the_menu_shows_the_import_to_those_who_may_import(world):
    assert f'href="{IMPORT_URL}"' in world.http("admin").get("/console/").content.decode()
    assert f'href="{IMPORT_URL}"' in world.http("official").get("/console/").content.decode()
    assert f'href="{IMPORT_URL}"' not in world.http("staff").get("/console/").content.decode()


def test_a_batch_is_seen_by_its_uploader_and_the_platform_only(world):
    batch = create(
        world,
        "admin",
        "locations",
        make_xlsx(["场所编码", "场所名称", "场所类型"], [[f"urn:tracehub:loc:{USCC_A}:8", "仓库", "仓库"]]),
    )
    assert world.http("admin").get(f"{IMPORT_URL}{batch.pk}/").status_code == 200
    assert world.http("admin_other").get(f"{IMPORT_URL}{batch.pk}/").status_code == 404
    assert world.http("official").get(f"{IMPORT_URL}{batch.pk}/").status_code == 404
    assert world.http("admin_other").post(f"{IMPORT_URL}{batch.pk}/commit/").status_code == 404
    assert world.http("operator").get(f"{IMPORT_URL}{batch.pk}/").status_code == 200
    assert world.http("operator").post(f"{IMPORT_URL}{batch.pk}/commit/").status_code == 403
    assert world.http("admin").get(f"{IMPORT_URL}{batch.pk}/commit/").status_code == 405
    batch.refresh_from_db()
    assert batch.status == "ready"


# -- language, escaping, CSRF -----------------------------------------------------------------------


def test_errors_are_chinese_by_default_and_english_on_request(world):
    data = _parties_file({4: {"所在区": "鼓浪屿区"}})
    http = world.http("operator")
    http.post(IMPORT_URL, {"kind": "parties", "file": upload(data)})
    page = http.get(f"{IMPORT_URL}{ImportBatch.objects.get().pk}/").content.decode()
    assert "第 4 行 · 所在区" in page and "未知的值“鼓浪屿区”" in page
    english = world.http("operator")
    english.post(IMPORT_URL, {"kind": "parties", "file": upload(data)}, HTTP_ACCEPT_LANGUAGE="en")
    batch = ImportBatch.objects.latest("pk")
    assert batch.language == "en"
    assert errors_of(batch) == [
        (
            4,
            "所在区",
            'Unknown value "鼓浪屿区": use one of the values listed on the instructions sheet '
            "of the template.",
        )
    ]
    page = english.get(f"{IMPORT_URL}{batch.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Row 4 · 所在区" in page


def test_cell_values_are_escaped_in_the_preview(world):
    script = "<script>alert('x')</script>"
    data = fill_xlsx(
        zh_template("parties"), [party_row(script, new_uscc(12), 所在区="<img src=x onerror=alert(1)>")]
    )
    http = world.http("operator")
    http.post(IMPORT_URL, {"kind": "parties", "file": upload(data)})
    page = http.get(f"{IMPORT_URL}{ImportBatch.objects.get().pk}/").content.decode()
    assert script not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_upload_and_commit_need_the_csrf_token(world):
    http = Client(enforce_csrf_checks=True)
    http.force_login(world.users["operator"])
    response = http.post(IMPORT_URL, {"kind": "parties", "file": upload(_parties_file({}))})
    assert response.status_code == 403
    assert not ImportBatch.objects.exists()
    batch = create(world, "operator", "parties", _parties_file({}))
    assert http.post(f"{IMPORT_URL}{batch.pk}/commit/").status_code == 403
    batch.refresh_from_db()
    assert batch.status == "ready"
    # with the token from the page the same form goes through
    page = http.get(IMPORT_URL).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    response = http.post(f"{IMPORT_URL}{batch.pk}/commit/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302


# -- work per row (the speed itself is measured by bench.imports, not asserted here) -------------------


def _locations_file(count: int) -> bytes:
    """``count`` warehouses of party A, each row naming the party, as a user fills the template."""
    rows = [
        {
            "所属主体统一社会信用代码": USCC_A,
            "场所编码": f"urn:tracehub:loc:{USCC_A}:{100 + i}",
            "场所名称": f"场所{i}",
            "场所类型": "仓库",
            "地址": "翔安区",
            "所在区": "翔安",
        }
        for i in range(count)
    ]
    return fill_xlsx(zh_template("locations"), rows)


#: Queries of one location row in the dry run: the identifier's existence check, the savepoint of
#: location_create, the location insert, its audit row, the savepoint's release.
QUERIES_PER_LOCATION_ROW = 5
#: Queries of a file whatever its size: the actor's profile and memberships (2), the dry run's
#: savepoint, rollback and release (3), the named party with its sectors and prefixes, read twice
#: (6: once per file, however many rows name it), the expiry sweep (1), the batch insert with its
#: savepoint, audit row and release (4).
QUERIES_PER_FILE = 16


@pytest.mark.parametrize("count", [1, 2, 40, 200])
def test_the_preview_issues_a_fixed_number_of_queries_per_row(world, count):
    # What a time bound on 5,000 rows stood for: the preview's work grows with the rows, by the same
    # few queries each, never by look-ups of everything checked so far (no O(n^2) slide).
    data = _locations_file(count)
    with CaptureQueriesContext(connection) as queries:
        batch = create(world, "admin", "locations", data)
    assert (batch.status, batch.row_count, len(batch.rows), batch.error_count) == ("ready", count, count, 0)
    assert [row["row"] for row in batch.rows] == list(range(2, count + 2))  # every row read, once
    assert len(queries) == QUERIES_PER_FILE + QUERIES_PER_LOCATION_ROW * count, [
        q["sql"][:100] for q in queries.captured_queries
    ]
    party_reads = [q for q in queries.captured_queries if 'FROM "registry_party" ' in q["sql"]]
    assert len(party_reads) == 2
    assert Location.objects.count() == 2  # the dry run stored nothing
