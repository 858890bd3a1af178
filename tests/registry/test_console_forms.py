"""Console forms: bad input gets a clear message in the user's language and stores nothing
(issue #3 "Bad input"); user-supplied text is escaped; every POST needs the CSRF token."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tracehub.accounts.models import AuditEntry
from tracehub.registry import services
from tracehub.registry.models import Licence, Location, Party, PartyMember, Product

from .test_console_matrix import PREFIX, ConsoleWorld, build_console_world
from .world import GTIN_A, PDF, PNG, PREFIX_A, SYSTEM, USCC_A, gln, gtin, make_uscc

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"
NEW_USCC = make_uscc("350206", "MA31PQ7K8")


@pytest.fixture
def console(db) -> ConsoleWorld:
    return build_console_world()


def _wrong_check(code: str) -> str:
    last = code[-1]
    return code[:-1] + ("1" if last != "1" else "2")


def _register(client: Client, **over) -> object:
    data = {
        "username": "huli.fresh",
        "full_name": "李 娜",
        "password1": "Xiamen-Trace-2026",
        "password2": "Xiamen-Trace-2026",
        "name": "厦门湖里鲜果批发有限公司",
        "party_type": "wholesaler",
        "id_kind": "uscc",
        "uscc": NEW_USCC,
        "country": "CN",
        "sectors": ["agri", "food"],
        "district": "350206",
        "address": "湖里区枋湖北二路1号",
    }
    data.update(over)
    return client.post(PREFIX + "register/", data)


# -- registration ---------------------------------------------------------------------------------


def test_registration_creates_the_admin_and_the_unfiled_party_and_signs_in(db):
    client = Client()
    response = _register(client)
    party = Party.objects.get(uscc=NEW_USCC)
    assert response.status_code == 302
    assert response["Location"] == PREFIX + f"parties/{party.pk}/"
    assert party.filing_status == "unfiled"
    assert party.sector_codes == ["agri", "food"]
    member = PartyMember.objects.get(party=party)
    assert member.user.username == "huli.fresh"
    assert member.user.profile.role == "enterprise_admin"
    page = client.get(response["Location"]).content.decode()
    assert "厦门湖里鲜果批发有限公司 已注册" in page
    assert "提交备案" in page
    assert AuditEntry.objects.filter(action="registry.party.create", object_id=str(party.pk)).exists()


@pytest.mark.parametrize(
    ("uscc", "message"),
    [
        (_wrong_check(NEW_USCC), "该统一社会信用代码的校验码错误"),
        ("91350206ABC", "统一社会信用代码"),
        ("", "企业请填写统一社会信用代码"),
    ],
    ids=["check character", "format", "missing"],
)
def test_a_malformed_credit_code_is_named_in_chinese_and_nothing_is_stored(db, uscc, message):
    response = _register(Client(), uscc=uscc)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert 'class="field field-invalid' in html
    assert not Party.objects.filter(name="厦门湖里鲜果批发有限公司").exists()
    assert not get_user_model().objects.filter(username="huli.fresh").exists()


def test_registration_errors_of_account_and_party_show_together(db):
    response = _register(Client(), password2="Something-else-1", uscc=_wrong_check(NEW_USCC))
    html = response.content.decode()
    assert "两次输入的密码不一致" in html
    # the form's own check stops before the service; fix the password and the service names the code
    response = _register(Client(), uscc=_wrong_check(NEW_USCC), username="")
    html = response.content.decode()
    assert "此项为必填项" in html
    assert not Party.objects.exists()


def test_a_taken_user_name_and_a_weak_password_come_from_the_service(console):
    response = _register(Client(), username="admin-a", password1="123", password2="123")
    html = response.content.decode()
    assert "密码" in html
    assert not Party.objects.filter(uscc=NEW_USCC).exists()


def test_an_individual_registers_with_the_id_card_number_masked(db):
    from .world import make_ric

    number = make_ric("350212", date(2006, 3, 9), 41)
    client = Client()
    response = _register(client, id_kind="ric", uscc="", id_number=number, name="王大田", party_type="farm")
    assert response.status_code == 302
    party = Party.objects.get(name="王大田")
    html = client.get(response["Location"]).content.decode()
    assert number not in html
    assert party.id_number_masked in html
    # the individual sees its own number masked only: revealing is for overseers (audited)
    assert "reveal" not in html


def test_errors_are_in_english_for_an_english_reader(db):
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        PREFIX + "register/",
        {
            "username": "x",
            "password1": "a",
            "password2": "b",
            "name": "x",
            "party_type": "farm",
            "id_kind": "uscc",
        },
    )
    html = response.content.decode()
    assert "The two passwords differ." in html
    assert "An enterprise gives its unified social credit code." in html


# -- licences and their scans ---------------------------------------------------------------------------


def _licence_data(**over):
    data = {
        "kind": "food_business",
        "number": "JY13502060012345",
        "issuer": "厦门市湖里区市场监督管理局",
        "valid_from": (timezone.localdate() - timedelta(days=10)).isoformat(),
        "valid_until": (timezone.localdate() + timedelta(days=700)).isoformat(),
    }
    data.update(over)
    return data


def _stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_a_licence_with_its_scan_is_recorded(console, settings):
    client = console.client("admin")
    scan = SimpleUploadedFile("营业执照扫描.png", PNG, content_type="image/png")
    response = client.post(PREFIX + "licences/new/", {**_licence_data(), "file": scan})
    licence = Licence.objects.get(number="JY13502060012345")
    assert response.status_code == 302
    assert licence.party == console.world.party_a
    assert (licence.file_type, licence.file_size) == ("image/png", len(PNG))
    assert "营业执照" not in licence.file.name  # the uploaded name is not kept


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"PK\x03\x04 not a scan", "licence.pdf", "仅接受 PDF、JPEG 和 PNG 文件"),
        (b"", "empty.pdf", "空文件"),
    ],
    ids=["not a PDF", "empty"],
)
def test_a_wrong_file_is_refused_and_nothing_is_stored(console, settings, content, name, message):
    before = _stored_files(settings)
    response = console.client("admin").post(
        PREFIX + "licences/new/", {**_licence_data(), "file": SimpleUploadedFile(name, content)}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert not Licence.objects.filter(number="JY13502060012345").exists()
    assert _stored_files(settings) == before


def test_an_oversized_file_is_refused_and_nothing_is_stored(console, settings):
    settings.TRACEHUB_DOCUMENT_MAX_BYTES = 1024 * 1024
    before = _stored_files(settings)
    big = PDF + b"0" * (1024 * 1024)
    response = console.client("admin").post(
        PREFIX + "licences/new/", {**_licence_data(), "file": SimpleUploadedFile("big.pdf", big)}
    )
    assert "文件大小超过 1 MiB" in response.content.decode()
    assert not Licence.objects.filter(number="JY13502060012345").exists()
    assert _stored_files(settings) == before


def test_a_scan_the_service_refuses_rolls_the_licence_back(console, settings, monkeypatch):
    """Should the form's check and the service's ever differ, the licence is not left without its scan."""
    from tracehub.registry import forms

    monkeypatch.setattr(forms, "check_document", lambda upload: None)
    response = console.client("admin").post(
        PREFIX + "licences/new/", {**_licence_data(), "file": SimpleUploadedFile("x.pdf", b"GIF89a")}
    )
    assert "仅接受 PDF、JPEG 和 PNG 文件" in response.content.decode()
    assert not Licence.objects.filter(number="JY13502060012345").exists()


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"valid_until": "2026-13-45"}, "输入一个有效的日期"),
        ({"valid_from": "2030-01-01", "valid_until": "2029-01-01"}, "证照的有效期截止日期不能早于起始日期"),
        ({"number": "JY123"}, "JY"),
        ({"number": ""}, "此项为必填项"),
    ],
    ids=["malformed date", "ends before it starts", "number format", "no number"],
)
def test_malformed_licence_data_is_named_in_chinese(console, over, message):
    response = console.client("admin").post(PREFIX + "licences/new/", _licence_data(**over))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Licence.objects.filter(party=console.world.party_a).count() == 1


def test_a_wrong_file_on_edit_keeps_the_licence_as_it_was(console, settings):
    licence = console.world.licence_a
    name, number = licence.file.name, licence.number
    response = console.client("admin").post(
        PREFIX + f"licences/{licence.pk}/edit/",
        {"number": "SC10435021300999", "issuer": "x", "file": SimpleUploadedFile("x.pdf", b"not a pdf")},
    )
    assert "仅接受 PDF、JPEG 和 PNG 文件" in response.content.decode()
    licence.refresh_from_db()
    assert (licence.file.name, licence.number) == (name, number)


def test_opening_a_scan_is_audited(console):
    licence = console.world.licence_a
    response = console.client("official").get(PREFIX + f"licences/{licence.pk}/file/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    assert response["Cache-Control"] == "private, no-store"
    assert AuditEntry.objects.filter(
        action="registry.licence.view_file",
        object_id=str(licence.pk),
        actor_user=console.world.users["official"],
    ).exists()


def test_a_licence_is_removed_after_confirmation(console):
    licence = console.world.licence_a
    client = console.client("admin")
    assert "删除" in client.get(PREFIX + f"licences/{licence.pk}/delete/").content.decode()
    response = client.post(PREFIX + f"licences/{licence.pk}/delete/")
    assert response.status_code == 302
    assert not Licence.objects.filter(pk=licence.pk).exists()
    assert AuditEntry.objects.filter(action="registry.licence.delete", object_id=str(licence.pk)).exists()


def test_expiring_licences_are_flagged(console):
    services.licence_update(
        actor=SYSTEM, licence=console.world.licence_a, valid_until=timezone.localdate() + timedelta(days=12)
    )
    html = console.client("admin").get(PREFIX + "licences/").content.decode()
    assert "即将到期" in html
    html = console.client("official").get(PREFIX + "licences/expiring/").content.decode()
    assert "SC10435021300218" in html
    assert (
        "SC10435021300218"
        not in console.client("official_other").get(PREFIX + "licences/expiring/").content.decode()
    )


# -- locations and products -----------------------------------------------------------------------------


def test_a_product_with_a_wrong_gtin_check_digit_is_refused_in_chinese(console):
    wrong = GTIN_A[:-1] + str((int(GTIN_A[-1]) + 1) % 10)
    response = console.client("admin").post(
        PREFIX + "products/new/", {"gtin": wrong, "name": "冷鲜猪肉", "sectors": ["meat_veg"]}
    )
    html = response.content.decode()
    assert "该 GTIN 的 GS1 校验码错误" in html
    assert not Product.objects.filter(name="冷鲜猪肉").exists()


def test_a_product_with_its_sector_attributes_is_registered(console):
    code = gtin(PREFIX_A, "077")
    response = console.client("admin").post(
        PREFIX + "products/new/",
        {
            "gtin": code,
            "name": "进口葡萄酒",
            "sectors": ["liquor"],
            "attr_alcohol_strength": "13.5",
            "unit": "H87",
        },
    )
    assert response.status_code == 302
    product = Product.objects.get(gtin=code.zfill(14))
    assert product.attributes == {"alcohol_strength": "13.5"}
    assert "13.5" in console.client("admin").get(response["Location"]).content.decode()


def test_a_missing_sector_attribute_is_named_on_its_field(console):
    response = console.client("admin").post(
        PREFIX + "products/new/", {"gtin": gtin(PREFIX_A, "078"), "name": "药品", "sectors": ["drug"]}
    )
    html = response.content.decode()
    # the error sits on the approval-number field of the form
    field = html[html.index('id="id_attr_approval_number"') :]
    assert "药品与医疗器械" in field[: field.index("</div>") + 200]
    assert not Product.objects.filter(name="药品").exists()


def test_a_location_needs_an_sgln_of_the_partys_prefix(console):
    client = console.client("admin")
    foreign = gln("693205718", "009")
    response = client.post(
        PREFIX + "locations/new/", {"identifier": foreign, "name": "冷库", "kind": "warehouse"}
    )
    assert "厂商识别代码" in response.content.decode()
    bad_check = gln(PREFIX_A, "009")[:-1] + "0"
    response = client.post(
        PREFIX + "locations/new/", {"identifier": bad_check, "name": "冷库", "kind": "warehouse"}
    )
    assert response.status_code == 200
    own = gln(PREFIX_A, "009")
    response = client.post(
        PREFIX + "locations/new/",
        {
            "identifier": own,
            "name": "冷库",
            "kind": "farm_plot",
            "district": "350213",
            "area_mu": "12.5",
            "crop": "空心菜",
        },
    )
    assert response.status_code == 302
    location = Location.objects.get(name="冷库")
    assert (str(location.area_mu), location.crop) == ("12.50", "空心菜")
    assert Location.objects.filter(name="冷库").count() == 1


def test_party_data_is_edited_through_the_service(console):
    party = console.world.party_a
    response = console.client("admin").post(
        PREFIX + f"parties/{party.pk}/edit/",
        {
            "name": "厦门翔润肉类食品有限公司",
            "party_type": "slaughterhouse",
            "sectors": ["meat_veg", "food"],
            "district": "350213",
            "contact_phone": "0592-1234567",
            "company_prefixes": f"{PREFIX_A}\n12",
        },
    )
    assert "厂商识别代码" in response.content.decode()  # "12" is no prefix; nothing is changed
    party.refresh_from_db()
    assert party.contact_phone == ""
    response = console.client("admin").post(
        PREFIX + f"parties/{party.pk}/edit/",
        {
            "name": "厦门翔润肉类食品有限公司",
            "party_type": "slaughterhouse",
            "sectors": ["meat_veg", "food"],
            "district": "350213",
            "contact_phone": "0592-1234567",
            "company_prefixes": PREFIX_A,
            "pgln": party.pgln.removeprefix("417/"),
        },
    )
    assert response.status_code == 302
    party.refresh_from_db()
    assert (party.contact_phone, party.uscc) == ("0592-1234567", USCC_A)
    assert AuditEntry.objects.filter(action="registry.party.update", object_id=str(party.pk)).exists()


# -- escaping and CSRF ----------------------------------------------------------------------------------


def test_a_party_name_with_a_script_is_shown_as_text(console):
    party = console.world.party_a
    services.party_update(actor=SYSTEM, party=party, name=SCRIPT)
    services.filing_revoke(actor=SYSTEM, filing=console.world.filing_a, reason=SCRIPT)
    services.filing_submit(actor=SYSTEM, party=party, note=SCRIPT)
    for role, path in [
        ("admin", f"parties/{party.pk}/"),
        ("official", "parties/"),
        ("official", "filings/review/"),
        ("official", f"filings/{console.world.filing_a.pk}/"),
        ("official", "filings/"),
        ("operator", "audit/"),
        ("official", "licences/expiring/"),
    ]:
        html = console.client(role).get(PREFIX + path).content.decode()
        assert SCRIPT not in html, path
    html = console.client("official").get(PREFIX + "parties/").content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    "path",
    [
        "filings/{filing}/suspend/",
        "licences/{licence}/delete/",
        "notifications/read/",
        "parties/{party_c}/reveal/",
    ],
)
def test_a_post_without_the_csrf_token_is_refused(console, path):
    client = Client(enforce_csrf_checks=True)
    client.force_login(console.world.users["operator"])
    url = PREFIX + path.format(
        filing=console.world.filing_a.pk, licence=console.world.licence_a.pk, party_c=console.world.party_c.pk
    )
    response = client.post(url, {"reason": "x"})
    assert response.status_code == 403
    assert "表单未能提交" in response.content.decode()
    console.world.filing_a.refresh_from_db()
    assert console.world.filing_a.status == "approved"
    assert Licence.objects.filter(pk=console.world.licence_a.pk).exists()
    assert not AuditEntry.objects.filter(action="registry.party.view_id_number").exists()


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("admin", "parties/{party}/"),
        ("admin", "parties/{party}/edit/"),
        ("admin", "licences/new/"),
        ("admin", "locations/new/"),
        ("admin", "products/new/"),
        ("admin", "staff/new/"),
        ("admin", "api-keys/new/"),
        ("admin", "api-keys/"),
        ("admin", "notifications/"),
        ("official", "filings/{filing}/suspend/"),
        ("official", "parties/{party_c}/"),
        ("anonymous", "register/"),
    ],
)
def test_every_form_on_the_console_pages_carries_the_token(console, role, path):
    url = PREFIX + path.format(
        party=console.world.party_a.pk, filing=console.world.filing_a.pk, party_c=console.world.party_c.pk
    )
    html = console.client(role).get(url).content.decode()
    posts = html.count('method="post"')
    assert posts > 0, url
    assert html.count('name="csrfmiddlewaretoken"') == posts, url


def test_pages_load_no_inline_script_or_style(console):
    for path in ("parties/", f"parties/{console.world.party_a.pk}/", "events/", "register/"):
        html = console.client("operator").get(PREFIX + path).content.decode()
        assert "<style" not in html
        for tag in html.split("<script")[1:]:
            assert tag.split(">")[0].strip().startswith("src=") or ' src="' in tag.split(">")[0], path
        assert " onclick=" not in html and " onchange=" not in html
