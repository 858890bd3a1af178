"""Sector validation messages are translatable (tracehub.sectors.messages; docs/sectors/README.md
"Messages"): a refusal on a phone form reads in the user's language (a stall holder reads
Chinese), the same refusal through the API is English with its rule code and params, every
template of the catalogue has its Chinese translation with the same placeholders, and no refusal
is an f-string — each message is its template rendered from its code and params."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import orjson
import polib
import pytest
from django.utils import timezone, translation

import tracehub.sectors as sectors_package
from tracehub.demo import data as d
from tracehub.epcis.models import Event
from tracehub.sectors.messages import CATALOGUE, Message, render, template_of

from .test_drug_entry import form_data, member
from .test_drug_world import console
from .test_food_entry import BASE, ROWS

SRC = Path(__file__).resolve().parents[2] / "src" / "tracehub"
PO = SRC / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
TODAY = timezone.localdate().isoformat()


def _load_every_sector_module() -> None:
    """Every module that defines templates (each registers its MESSAGES on import)."""
    for module in pkgutil.iter_modules(sectors_package.__path__):
        if module.name.startswith(("services", "entry", "profile", "messages")):
            importlib.import_module(f"tracehub.sectors.{module.name}")
    importlib.import_module("tracehub.sectors.profiles")
    for module in pkgutil.iter_modules([str(SRC / "sectors" / "profiles")]):
        importlib.import_module(f"tracehub.sectors.profiles.{module.name}")


def _same_message(error: dict) -> None:
    """The message a client gets is exactly its template rendered from its code and params."""
    assert error["code"] and template_of(error["code"]) is not None, error
    assert error["message"] == Message(error["code"], error["params"]), error


# -- the catalogue --------------------------------------------------------------------------------


def test_every_template_has_a_chinese_translation_with_the_same_placeholders():
    _load_every_sector_module()
    assert len(CATALOGUE) > 80
    translated = {e.msgid: e.msgstr for e in polib.pofile(str(PO)) if not e.msgctxt and e.translated()}
    missing = [code for code, template in CATALOGUE.items() if template not in translated]
    assert missing == []
    wrong = [
        code
        for code, template in CATALOGUE.items()
        if sorted(PLACEHOLDER.findall(template)) != sorted(PLACEHOLDER.findall(translated[template]))
    ]
    assert wrong == []
    # ... and the compiled catalogue is the one used.
    with translation.override("zh-hans"):
        untranslated = [
            code for code, template in CATALOGUE.items() if translation.gettext(template) == template
        ]
    assert untranslated == []


def test_every_template_renders_from_its_params_in_both_languages():
    _load_every_sector_module()
    for code, template in CATALOGUE.items():
        params = {name[2:-2]: f"<{name[2:-2]}>" for name in PLACEHOLDER.findall(template)}
        english = Message(code, params)
        assert english == template % params
        assert render(english, "en") == str(english)
        chinese = render(english, "zh-hans")
        assert chinese != str(english) and all(v in chinese for v in params.values()), code
    with pytest.raises(KeyError):
        Message("supplier_licensed", {"party": "p", "key": "k"})  # a missing param is an error


# -- no f-string messages -----------------------------------------------------------------------

_CHECKED = [
    *sorted((SRC / "sectors" / "profiles").glob("*.py")),
    SRC / "sectors" / "profile.py",
    SRC / "sectors" / "entry.py",
    *sorted((SRC / "sectors").glob("services*.py")),
]


#: Functions whose ValueError is a programming error, never shown to a user (a profile registered
#: twice, an unknown upload kind of the code itself).
_PROGRAMMING_ERRORS = {"register", "_kind"}


def _nodes(path: Path):
    """Every node of a module with the function it is in."""
    stack = [(ast.parse(path.read_text(encoding="utf-8")), "")]
    while stack:
        node, function = stack.pop()
        yield node, function
        inner = node.name if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) else function
        stack.extend((child, inner) for child in ast.iter_child_nodes(node))


def _f_string_messages(path: Path) -> list[str]:
    """ProfileError(..., f"…"), {"message": f"…"}, raise ValueError(f"…") and errors[…] = "…"."""
    found = []
    for node, function in _nodes(path):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "ProfileError":
            args = node.args[1:2] + [k.value for k in node.keywords if k.arg == "message"]
            if any(isinstance(a, ast.JoinedStr | ast.Constant) for a in args):
                found.append(f"{path.name}:{node.lineno} ProfileError")
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if (
                    isinstance(key, ast.Constant)
                    and key.value == "message"
                    and isinstance(value, ast.JoinedStr)
                ):
                    found.append(f"{path.name}:{node.lineno} message")
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            call = node.exc
            if (
                getattr(call.func, "id", "") == "ValueError"
                and call.args
                and isinstance(call.args[0], ast.JoinedStr)
                and function not in _PROGRAMMING_ERRORS
            ):
                found.append(f"{path.name}:{node.lineno} ValueError")
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.JoinedStr | ast.Constant):
            target = node.targets[0]
            literal = isinstance(node.value, ast.JoinedStr) or isinstance(node.value.value, str)
            if isinstance(target, ast.Subscript) and getattr(target.value, "id", "") == "errors" and literal:
                found.append(f"{path.name}:{node.lineno} errors[…]")
    return found


def test_no_sector_refusal_is_an_f_string_or_an_untranslatable_literal():
    found = [hit for path in _CHECKED for hit in _f_string_messages(path)]
    assert found == []


#: Refusals that are catalogue messages, never text translated when raised (the API answer would
#: follow the request language and carry no code): every function of the farm produce records, and
#: the ledger rules of the farm inputs (None: the whole module). A ``PermissionDenied`` or a
#: ``Conflict`` keeps its translated text (a 403/409 names no field).
_NO_GETTEXT = {
    SRC / "sectors" / "services_agri.py": None,
    SRC / "sectors" / "services_agri_input.py": {
        "registration_error",
        "dealer_for",
        "parse_row",
        "_check_supplier",
        "_check_buyer",
        "ledger_rows_record",
        "_check_sales",
        "_capture",
    },
}


def _gettext_refusals(path: Path, functions: set[str] | None) -> list[str]:
    """``_("…")`` in the checked functions of ``path``, outside ``PermissionDenied``/``Conflict``."""
    nodes = [
        (node, function) for node, function in _nodes(path) if functions is None or function in functions
    ]
    exempt = {
        id(inner)
        for node, _function in nodes
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("PermissionDenied", "Conflict")
        for inner in ast.walk(node)
    }
    return [
        f"{path.name}:{node.lineno} {function}"
        for node, function in nodes
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "_" and id(node) not in exempt
    ]


def test_farm_produce_and_ledger_refusals_are_catalogue_messages_not_translated_text():
    found = [hit for path, functions in _NO_GETTEXT.items() for hit in _gettext_refusals(path, functions)]
    assert found == []


# -- refusals: Chinese on the phone form, English with code and params through the API ------------


def _receipt(**over) -> dict[str, str]:
    _uscc, good = ROWS["ticket_receiving"]
    return {**good, **over}


def test_an_unlicensed_supplier_on_the_phone_form_reads_in_chinese_and_in_english_through_the_api(demo, api):
    http = console(member(d.SUPERMARKET.uscc, "msg-food"))
    data = _receipt(supplier=d.VEG_COOP.uscc, time=f"{TODAY} 08:05")
    before = Event.objects.count()
    response = http.post(
        f"{BASE}/steps/ticket_receiving/",
        form_data("food", "ticket_receiving", data),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    [error] = response.context["form"].non_field_errors()
    # The form decides by the rule code (supplier_licensed), and the rule's message is Chinese too.
    assert error == (
        "sourceList: 供货方在进货当日未持有有效的食品生产或经营许可证。 "
        f"(供货方 {d.VEG_COOP.name}（urn:tracehub:party:{d.VEG_COOP.uscc}）在 {TODAY} "
        "未持有有效的食品生产或经营许可证)"
    )
    assert "holds no food" not in response.content.decode()
    # The same refusal through the API: English, with the code and the params it is rendered from.
    response = api.post(
        "/api/v1/sectors/food/ticket_receiving", data=orjson.dumps(data), content_type="application/json"
    )
    assert response.status_code == 400, response.content
    [problem] = response.json()["errors"]
    assert problem["path"] == "sourceList"
    assert problem["code"] == "supplier_licensed"
    assert problem["params"] == {
        "party": d.VEG_COOP.name,
        "key": f"urn:tracehub:party:{d.VEG_COOP.uscc}",
        "day": TODAY,
    }
    assert problem["message"] == (
        f"supplier {d.VEG_COOP.name} (urn:tracehub:party:{d.VEG_COOP.uscc}) holds no food production or "
        f"business licence valid on {TODAY}"
    )
    _same_message(problem)
    assert Event.objects.count() == before


def test_a_failed_lot_refused_at_market_access_is_chinese_on_the_form_and_coded_in_the_api(
    demo, api, django_capture_on_commit_callbacks
):
    _uscc, inspection = ROWS["product_inspection"]
    response = api.post(
        "/api/v1/sectors/food/product_inspection",
        data=orjson.dumps({**inspection, "result": "fail"}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    failed_id = response.json()["eventID"]
    http = console(member(d.SUPERMARKET.uscc, "msg-access"))
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(
            f"{BASE}/steps/ticket_receiving/",
            form_data("food", "ticket_receiving", _receipt()),
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    assert response.status_code == 400
    page = response.content.decode()
    assert f"市场准入拒绝：该批次的产品检验不合格（事件 {failed_id}）" in page
    assert "market access refused" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/sectors/food/ticket_receiving",
            data=orjson.dumps(_receipt()),
            content_type="application/json",
        )
    assert response.status_code == 400
    [problem] = response.json()["errors"]
    assert (problem["code"], problem["params"]) == ("inspection_passed", {"event": failed_id})
    assert problem["message"].startswith(
        "market access refused (市场准入): a product inspection of this lot failed"
    )
    _same_message(problem)


def test_a_wrong_input_on_the_phone_form_is_named_in_chinese(demo, api):
    http = console(member(d.SUPERMARKET.uscc, "msg-input"))
    data = _receipt(time="27/11/2026")
    response = http.post(
        f"{BASE}/steps/ticket_receiving/",
        form_data("food", "ticket_receiving", data),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert response.context["form"].errors["time"] == [
        "时间 (time) '27/11/2026'：须为日期和时间，如 2026-11-16 08:30"
    ]
    # Through the API: English, with the nested reason kept as code and params.
    response = api.post(
        "/api/v1/sectors/food/ticket_receiving", data=orjson.dumps(data), content_type="application/json"
    )
    [problem] = response.json()["errors"]
    assert (
        problem["message"] == "时间 (time) '27/11/2026': a date and time such as 2026-11-16 08:30 is required"
    )
    assert problem["code"] == "input_invalid"
    assert problem["params"]["reason"]["code"] == "time_required"
    _same_message(problem)


def test_a_missing_data_item_of_a_raw_capture_is_coded_and_renders_in_chinese(demo, api):
    from tests.sectors.test_food_rules import capture

    event = {
        "type": "ObjectEvent",
        "action": "OBSERVE",
        "eventTime": f"{TODAY}T09:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "quantityList": [{"epcClass": d.PORK_SHOULDER.lot("20261127-M1"), "quantity": 1, "uom": "KGM"}],
        "bizStep": "urn:tracehub:cbv:bizstep:ticket_receiving",
        "bizLocation": {"id": d.SUPERMARKET_STORE.id},
    }
    response = capture(api, event)
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    required = [e for e in errors if e.get("code", "").startswith("required:")]
    assert {e["code"] for e in required} >= {"required:supplier", "required:certificate"}
    for error in required:
        _same_message(error)
        assert error["message"].endswith("(docs/sectors/food.md)")
        assert "为必填项" in render(error, "zh-hans")
    [certificate] = [e for e in required if e["code"] == "required:certificate"]
    assert render(certificate, "zh-hans").startswith(
        "供货方证明 (supplier certificate) 为必填项：行业 food 的环节"
    )


@pytest.fixture
def agri(db):
    from tests.sectors.test_agri_input_world import build_agri_world

    with translation.override("en"):
        return build_agri_world()


def test_the_designated_outlet_refusal_is_english_with_code_and_params_and_renders_in_chinese(
    agri, api, django_capture_on_commit_callbacks
):
    from tests.sectors.test_agri_input_usage import DEALER_SHOP, TOXIC, _raw_sale, ago
    from tests.sectors.test_food_rules import capture

    with django_capture_on_commit_callbacks(execute=True):
        response = capture(api, _raw_sale())
    assert response.status_code == 400, response.content
    [error] = response.json()["errors"]
    assert error["code"] == "designated_outlet"
    assert error["params"]["number"] == TOXIC and error["params"]["day"] == str(ago(1))
    # The varying part is itself a message (code and params), so it is translated too.
    assert error["params"]["where"] == {
        "code": "designated_outlet:dealer_of",
        "params": {"site": DEALER_SHOP},
        "message": f"the dealer of {DEALER_SHOP}",
    }
    _same_message(error)
    assert render(error, "zh-hans") == (
        f"高毒农药定点经营规则：{TOXIC} 3%克百威颗粒剂 为高毒农药；"
        f"{DEALER_SHOP} 的经营者 在 {ago(1)} 不是定点经营单位"
    )
    # The bureau's audit row keeps the English text a machine reads.
    from tracehub.accounts.models import AuditEntry

    [audit] = AuditEntry.objects.filter(action="sectors.agri_input.designated_outlet_refused")
    assert audit.after["reasons"] == [error["message"]]
