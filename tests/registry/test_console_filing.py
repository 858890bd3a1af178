"""The filing workflow from the console (G3-G6): each action changes the state, records the reason
and notifies, through the real services; confirmations ask for the reason the service requires."""

from __future__ import annotations

import pytest
from django.test import Client

from tracehub.accounts.models import AuditEntry, Notification
from tracehub.registry import services
from tracehub.registry.models import Filing, FilingStep, Party

from .test_console_matrix import PREFIX, ConsoleWorld, build_console_world
from .world import SYSTEM, make_uscc

pytestmark = pytest.mark.django_db


@pytest.fixture
def console(db) -> ConsoleWorld:
    return build_console_world()


def _submitted(c: ConsoleWorld) -> Filing:
    services.filing_revoke(actor=SYSTEM, filing=c.world.filing_a, reason="重新审核")
    c.world.filing_a = services.filing_submit(actor=SYSTEM, party=c.world.party_a)
    return c.world.filing_a


def _more_info(c: ConsoleWorld) -> Filing:
    filing = _submitted(c)
    return services.filing_request_info(actor=SYSTEM, filing=filing, reason="缺少扫描件")


def _approved(c: ConsoleWorld) -> Filing:
    return c.world.filing_a


def _suspended(c: ConsoleWorld) -> Filing:
    return services.filing_suspend(actor=SYSTEM, filing=c.world.filing_a, reason="抽检不合格")


# action, who acts, the state it starts from, the status after, who is notified (message start)
CASES = [
    ("approve", "official", _submitted, "approved", "admin", "The filing of %(party)s was approved"),
    ("reject", "official", _submitted, "rejected", "admin", "The filing of %(party)s was rejected"),
    ("request_info", "official", _submitted, "more_info", "admin", "The filing of %(party)s needs more"),
    (
        "suspend",
        "official",
        _approved,
        "suspended",
        "admin",
        "The filing %(number)s of %(party)s was suspended",
    ),
    (
        "reinstate",
        "official",
        _suspended,
        "approved",
        "admin",
        "The filing %(number)s of %(party)s was reinstated",
    ),
    ("revoke", "operator", _approved, "revoked", "admin", "The filing %(number)s of %(party)s was revoked"),
    ("resubmit", "admin", _more_info, "submitted", "official", "%(party)s submitted a filing for review."),
]


@pytest.mark.parametrize(
    ("action", "role", "start", "after", "notified", "message"), CASES, ids=[c[0] for c in CASES]
)
def test_each_filing_action_from_the_console(
    console, django_capture_on_commit_callbacks, action, role, start, after, notified, message
):
    filing = start(console)
    client = console.client(role)
    url = PREFIX + f"filings/{filing.pk}/{action}/"
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in confirm.content.decode()
    before = Notification.objects.filter(user=console.world.users[notified]).count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": f"理由：{action}"})
    assert response.status_code == 302
    assert response["Location"] == PREFIX + f"filings/{filing.pk}/"
    filing.refresh_from_db()
    assert filing.status == after
    step = FilingStep.objects.filter(filing=filing).order_by("-at", "-id").first()
    assert (step.action, step.to_status, step.reason) == (action, after, f"理由：{action}")
    assert step.actor_user == console.world.users[role]
    assert AuditEntry.objects.filter(action=f"registry.filing.{action}", object_id=str(filing.pk)).exists()
    notes = Notification.objects.filter(user=console.world.users[notified]).order_by("-id")
    assert notes.count() == before + 1
    assert notes.first().message.startswith(message)
    # the page after the action says what happened, in Chinese
    page = client.get(response["Location"]).content.decode()
    assert "备案已批准，备案编号：XMZS-" in page if action == "approve" else "操作完成" in page


def test_approval_shows_the_filing_number(console):
    filing = _submitted(console)
    response = console.client("official").post(
        PREFIX + f"filings/{filing.pk}/approve/", {"reason": ""}, follow=True
    )
    filing.refresh_from_db()
    assert filing.number.startswith("XMZS-")
    assert filing.number in response.content.decode()


@pytest.mark.parametrize("action", ["reject", "request_info", "suspend", "revoke"])
def test_a_reason_is_required_where_the_service_requires_one(console, action):
    filing = _approved(console) if action in ("suspend", "revoke") else _submitted(console)
    status = filing.status
    response = console.client("official").post(PREFIX + f"filings/{filing.pk}/{action}/", {"reason": "  "})
    html = response.content.decode()
    assert response.status_code == 200
    assert "此项为必填项" in html
    filing.refresh_from_db()
    assert filing.status == status


def test_approve_and_reinstate_need_no_reason(console):
    filing = _submitted(console)
    html = console.client("official").get(PREFIX + f"filings/{filing.pk}/approve/").content.decode()
    assert "required" not in html.split('name="reason"')[1].split(">")[0]


def test_an_action_the_status_does_not_allow_is_a_409(console):
    filing = console.world.filing_a  # approved
    client = console.client("official")
    for method in (client.get, client.post):
        response = method(PREFIX + f"filings/{filing.pk}/approve/")
        assert response.status_code == 409
        assert "不能" in response.content.decode() or "无法" in response.content.decode()
    filing.refresh_from_db()
    assert filing.status == "approved"


def test_a_decision_taken_meanwhile_is_reported_on_the_form(console):
    filing = _submitted(console)
    client = console.client("official")
    assert client.get(PREFIX + f"filings/{filing.pk}/reject/").status_code == 200
    services.filing_approve(actor=SYSTEM, filing=filing)  # another official, meanwhile
    response = client.post(PREFIX + f"filings/{filing.pk}/reject/", {"reason": "不符合条件"})
    assert response.status_code == 409
    filing.refresh_from_db()
    assert filing.status == "approved"


def test_an_unknown_action_is_a_404(console):
    response = console.client("official").get(PREFIX + f"filings/{console.world.filing_a.pk}/delete/")
    assert response.status_code == 404


def test_htmx_gets_the_confirmation_alone(console):
    filing = _submitted(console)
    response = console.client("official").get(PREFIX + f"filings/{filing.pk}/reject/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="action-form"' in html
    assert f'action="{PREFIX}filings/{filing.pk}/reject/"' in html


def test_the_filing_page_offers_only_the_actions_the_user_may_take(console):
    filing = _submitted(console)
    official = console.client("official").get(PREFIX + f"filings/{filing.pk}/").content.decode()
    for action in ("approve", "reject", "request_info"):
        assert f"/filings/{filing.pk}/{action}/" in official
    assert f"/filings/{filing.pk}/suspend/" not in official
    admin = console.client("admin").get(PREFIX + f"filings/{filing.pk}/").content.decode()
    assert f"/filings/{filing.pk}/approve/" not in admin


def test_an_enterprise_submits_its_filing_from_the_console(db, django_capture_on_commit_callbacks):
    from django.contrib.auth import get_user_model

    from tracehub.accounts.models import Role
    from tracehub.accounts.selectors import department_by_code
    from tracehub.accounts.services import user_create

    party, admin = services.party_register(
        username="wang.admin",
        password="Xiamen-Trace-2026",
        name="厦门同安绿源蔬菜专业合作社",
        party_type="cooperative",
        id_kind="uscc",
        uscc=make_uscc("350212", "MA8RT6K2X"),
        sectors=["agri"],
        district="350212",
    )
    official = user_create(
        username="agri",
        password=None,
        role=Role.OFFICIAL,
        department=department_by_code("agri"),
        districts=["350200"],
    )
    client = Client()
    client.force_login(admin)
    page = client.get(PREFIX + f"parties/{party.pk}/").content.decode()
    assert "未备案" in page
    assert f"/parties/{party.pk}/filing/" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PREFIX + f"parties/{party.pk}/filing/", {"note": "请审核"})
    filing = Filing.objects.get(party=party)
    assert response.status_code == 302
    assert response["Location"] == PREFIX + f"filings/{filing.pk}/"
    assert (filing.status, filing.note) == ("submitted", "请审核")
    assert Party.objects.get(pk=party.pk).filing_status == "submitted"
    assert Notification.objects.filter(user=official).count() == 1
    # a second application while this one is open is refused with the reason, nothing changes
    response = client.post(PREFIX + f"parties/{party.pk}/filing/", {"note": "again"})
    assert response.status_code == 200
    assert "已有" in response.content.decode()
    assert Filing.objects.filter(party=party).count() == 1
    assert get_user_model().objects.filter(username="wang.admin").exists()


def test_the_party_reads_the_bureaus_reason_and_not_its_own_note_as_one(console):
    filing = _more_info(console)
    client = console.client("admin")
    html = client.get(PREFIX + f"parties/{console.world.party_a.pk}/").content.decode()
    assert "审核意见" in html and "缺少扫描件" in html
    services.filing_resubmit(actor=SYSTEM, filing=filing, note="已补充扫描件")
    html = client.get(PREFIX + f"parties/{console.world.party_a.pk}/").content.decode()
    assert "审核意见" not in html
    services.filing_reject(actor=SYSTEM, filing=filing, reason="主体资格不符")
    html = client.get(PREFIX + f"parties/{console.world.party_a.pk}/").content.decode()
    assert "主体资格不符" in html
    assert "上一次备案已结束，可以重新申请" in html
