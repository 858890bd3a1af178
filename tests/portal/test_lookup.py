"""The search box (issue #5 item 4): on the home page and every portal page, a GET form (no script)
to /lookup/ that takes any code typed or pasted and sends the consumer on to its page; a bad one gets
the form again with a clear error on its field, in the user's language, with the input escaped."""

from __future__ import annotations

import re

import pytest
from stdnum.iso7064 import mod_11_10

from tracehub.demo import data
from tracehub.identifiers import compress_digital_link, make_liquor_slip_number
from tracehub.registry import selectors as registry_selectors
from tracehub.registry import services as registry_services
from tracehub.registry.actors import Actor
from tracehub.registry.models import Product

from .helpers import DRUG_CODE, capture_drug_code

CHECK_DIGIT_ZH = "校验位不符：可能输错了某一位数字。请再对照包装核对一遍。"
UNREADABLE_ZH = "平台无法识别该代码。请输入条码下方的数字、粘贴二维码中的链接，或输入包装或小票上印的追溯码。"
UNREADABLE_EN = (
    "This is not a code the platform can read. Type the digits under the barcode, paste the link of "
    "the QR code, or type the trace code printed on the package or the receipt."
)


def _errors(html: str) -> list[str]:
    block = html[html.index('<div class="form-errors" role="alert" id="portal-q-error" data-field="q">') :]
    block = block[: block.index("</div>")]
    return re.findall(r"<p>([^<]*)</p>", block)


@pytest.fixture
def trace_code(demo) -> str:
    product = Product.objects.get(platform_code=data.PAK_CHOI.platform_code)
    allocation = registry_services.code_allocation_create(
        actor=Actor.system("portal test"), party=product.party, product=product, count=1, scheme="platform"
    )
    return next(iter(registry_selectors.code_allocation_codes(allocation)))


def test_the_home_page_form_is_a_get_form_to_lookup(client, db):
    html = client.get("/").content.decode()
    form = html[html.index('<form id="code-lookup"') :]
    form = form[: form.index("</form>")]
    assert 'action="/lookup/" method="get"' in form
    assert '<input id="code-lookup-input" name="q" type="search"' in form
    assert "disabled" not in form
    assert "<script" not in form


def test_every_kind_of_code_lands_on_its_page(client, drug_pack, trace_code):
    capture_drug_code()
    gtin, serial = data.DRUG.gtin, drug_pack.rsplit("/", 1)[-1]
    grouped = f"{trace_code[:10]}-{trace_code[10:16]}-{trace_code[16:]}"
    cases = {
        f"(01){gtin}(21){serial}": drug_pack,  # GTIN + serial as printed under a GS1 DataMatrix
        f"01{gtin}21{serial}": drug_pack,  # the same, as a scanner types it
        f"https://id.gs1.org/01/{gtin}/21/{serial}": drug_pack,  # the Digital Link in the QR code
        compress_digital_link(f"https://id.gs1.org{drug_pack}"): drug_pack,
        f"\t{trace_code}  ": f"/t/{trace_code}",  # the platform trace code, pasted with blanks
        grouped: f"/t/{trace_code}",  # as grouped on a receipt
        "8123 4560 0000 1234 5678": f"/t/{DRUG_CODE}",  # 20-digit drug trace code, grouped
        f"http://127.0.0.1:8000/t/{trace_code}": f"/t/{trace_code}",  # this platform's own link
    }
    for typed, path in cases.items():
        response = client.get("/lookup/", {"q": typed})
        assert response.status_code == 302, typed
        assert response["Location"] == path, typed
        page = client.get(path)
        assert page.status_code == 200, (typed, path)
    assert "<h1>上海青</h1>" in client.get(f"/t/{trace_code}").content.decode()


def test_a_foreign_link_is_read_never_followed(client, drug_pack):
    gtin, serial = data.DRUG.gtin, drug_pack.rsplit("/", 1)[-1]
    response = client.get("/lookup/", {"q": f"https://evil.example/01/{gtin}/21/{serial}"})
    assert response.status_code == 302
    assert response["Location"] == drug_pack  # this platform's page of the code, not the foreign host
    # A path that starts like a protocol-relative URL is still read as a path of this resolver.
    relative = client.get("/lookup/", {"q": "//evil.example/01/" + gtin})
    assert relative.status_code == 302 and relative["Location"] == f"/01/{gtin}"
    for typed in ("javascript:alert(1)", "https://evil.example/login", "https://evil.example/t/"):
        refused = client.get("/lookup/", {"q": typed})
        assert refused.status_code == 400, typed
        assert "Location" not in refused


def test_errors_in_chinese(client, db):
    cases = {
        "": ["请输入或粘贴包装上的追溯码。"],
        "   ": ["请输入或粘贴包装上的追溯码。"],
        "not a code": [UNREADABLE_ZH],
        "6932057181058": [CHECK_DIGIT_ZH],  # a GTIN-13 with its last digit mistyped (…057 is right)
        "(01)06932057181058(21)ABC": [CHECK_DIGIT_ZH],
        "1" * 501: ["追溯码不会这么长（最多 500 个字符）。"],
    }
    for typed, errors in cases.items():
        response = client.get("/lookup/", {"q": typed})
        assert response.status_code == 400, typed
        html = response.content.decode()
        assert '<html lang="zh-hans">' in html
        assert _errors(html) == errors, typed
        assert 'aria-invalid="true" aria-describedby="portal-q-error"' in html


def test_errors_in_english(client, db):
    response = client.get("/lookup/", {"q": "not a code"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    html = response.content.decode()
    assert _errors(html) == [UNREADABLE_EN]
    assert '<p class="small">Details: <span class="mono">&#x27;not a code&#x27; is not a code' in html
    empty = client.get("/lookup/", {"q": ""}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _errors(empty) == ["Enter or paste the code on the package."]


def test_a_liquor_slip_number_is_told_where_it_belongs(client, db):
    # A slip number that is not also a valid GTIN-12 (both end in a check digit).
    number = next(
        n
        for n in (make_liquor_slip_number("3502", 2026, sequence) for sequence in range(1, 50))
        if not _valid_gtin12(n)
    )
    assert mod_11_10.is_valid(number)
    html = client.get("/lookup/", {"q": number}).content.decode()
    assert _errors(html) == [
        "这是酒类流通随附单编号：随附单由酒类管理部门核查，不在本页查询。请用酒瓶标签上的追溯码查询。"
    ]


def _valid_gtin12(number: str) -> bool:
    from stdnum import ean

    return ean.is_valid(number)


def test_the_input_is_escaped_everywhere(client, db):
    attacks = [
        '"><script>alert(1)</script>',
        "<img src=x onerror=alert(1)>",
        "'><svg onload=alert(1)>",
        "https://id.gs1.org/01/<script>alert(1)</script>",
    ]
    for typed in attacks:
        response = client.get("/lookup/", {"q": typed})
        assert response.status_code == 400, typed
        html = response.content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "<img src=x" not in html and "<svg onload" not in html
        assert "<script" not in html.replace('<script src="/static/', ""), typed  # no inline script
        value = re.search(r'<input id="portal-q" name="q" type="search" value="([^"]*)"', html)
        assert value is not None, typed
        assert "<" not in value.group(1) and '"' not in value.group(1)
    html = client.get("/lookup/", {"q": attacks[0]}).content.decode()
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html[html.index("详细信息：") :]
    assert (
        "unsafe-inline"
        not in client.get("/lookup/", {"q": attacks[0]})["Content-Security-Policy"].split("style-src-attr")[0]
    )


def test_the_empty_box_is_a_form_not_an_error(client, db):
    response = client.get("/lookup/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>追溯码查询</h1>" in html
    assert 'role="alert"' not in html
    assert 'name="q"' in html
