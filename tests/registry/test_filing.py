"""The filing workflow (备案, issue #3 item 2): every transition, the illegal ones, who is told."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tracehub.accounts.models import AuditEntry, Notification
from tracehub.core.errors import Conflict
from tracehub.registry import services
from tracehub.registry.models import Filing, FilingStatus, FilingStep, Party

from .world import SYSTEM

pytestmark = pytest.mark.django_db


@pytest.fixture
def unfiled(world):
    """Party A with its approved filing revoked: it applies again."""
    services.filing_revoke(actor=SYSTEM, filing=world.filing_a, reason="重新备案")
    world.party_a.refresh_from_db()
    return world


def submit(world, role="admin"):
    return services.filing_submit(actor=world.actor(role), party=world.party_a, note="申请备案")


def status_of(world) -> tuple[str, str]:
    world.party_a.refresh_from_db()
    return world.party_a.filing_status, world.party_a.filing_number


def test_submit_then_approve_assigns_a_number_and_lets_the_party_capture(
    unfiled, django_capture_on_commit_callbacks
):
    w = unfiled
    with django_capture_on_commit_callbacks(execute=True):
        filing = submit(w)
    assert status_of(w) == (FilingStatus.SUBMITTED, "")
    # The officials overseeing the party are told there is a filing to review.
    assert Notification.objects.filter(user=w.users["official"]).count() == 1
    assert not Notification.objects.filter(user=w.users["official_other"]).exists()
    assert (
        filing.snapshot["uscc"] == w.party_a.uscc
        and filing.snapshot["licences"][0]["number"] == "SC10435021300218"
    )
    with django_capture_on_commit_callbacks(execute=True):
        filing = services.filing_approve(actor=w.actor("official"), filing=filing)
    assert filing.status == FilingStatus.APPROVED and filing.number.startswith("XMZS-")
    assert status_of(w) == (FilingStatus.APPROVED, filing.number)
    assert w.party_a.can_capture
    notes = Notification.objects.filter(user=w.users["admin"])
    assert notes.count() == 1 and filing.number in notes.get().text
    steps = list(
        FilingStep.objects.filter(filing=filing).values_list(
            "action", "from_status", "to_status", "actor_label"
        )
    )
    assert steps == [
        ("submit", "revoked", "submitted", "admin-a"),
        ("approve", "submitted", "approved", "official"),
    ]


def test_request_more_information_then_resubmit_then_reject(unfiled, django_capture_on_commit_callbacks):
    w = unfiled
    filing = submit(w)
    with django_capture_on_commit_callbacks(execute=True):
        services.filing_request_info(actor=w.actor("official"), filing=filing, reason="请上传营业执照")
    assert status_of(w)[0] == FilingStatus.MORE_INFO
    assert "请上传营业执照" in Notification.objects.get(user=w.users["admin"]).text
    services.filing_resubmit(actor=w.actor("party_client"), filing=filing, note="已上传")
    assert status_of(w)[0] == FilingStatus.SUBMITTED
    filing = services.filing_reject(actor=w.actor("department_client"), filing=filing, reason="证照过期")
    assert filing.status == FilingStatus.REJECTED and filing.last_reason == "证照过期"
    assert status_of(w) == (FilingStatus.REJECTED, "")
    # A rejected party applies again with a new filing.
    again = submit(w)
    assert again.pk != filing.pk and status_of(w)[0] == FilingStatus.SUBMITTED


def test_suspend_reinstate_revoke(world):
    filing = services.filing_suspend(
        actor=world.actor("official"), filing=world.filing_a, reason="抽检不合格"
    )
    assert status_of(world) == (FilingStatus.SUSPENDED, filing.number)
    assert not world.party_a.can_capture
    filing = services.filing_reinstate(actor=world.actor("operator"), filing=filing)
    assert status_of(world) == (FilingStatus.APPROVED, filing.number)
    filing = services.filing_revoke(actor=world.actor("platform_client"), filing=filing, reason="停业")
    assert status_of(world) == (FilingStatus.REVOKED, "")
    actions = list(
        AuditEntry.objects.filter(object_type="registry.Filing", object_id=str(filing.pk)).values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == sorted(
        [
            "registry.filing.submit",
            "registry.filing.approve",
            "registry.filing.suspend",
            "registry.filing.reinstate",
            "registry.filing.revoke",
        ]
    )


@pytest.mark.parametrize(
    ("status_setup", "action"),
    [
        ("approved", "approve"),
        ("approved", "request_info"),
        ("approved", "reject"),
        ("approved", "reinstate"),
        ("approved", "resubmit"),
        ("suspended", "suspend"),
        ("suspended", "approve"),
        ("revoked", "suspend"),
        ("revoked", "reinstate"),
        ("revoked", "revoke"),
        ("submitted", "suspend"),
        ("submitted", "revoke"),
        ("submitted", "resubmit"),
    ],
)
def test_illegal_transitions_are_refused_and_change_nothing(world, status_setup, action):
    filing = world.filing_a
    if status_setup == "suspended":
        filing = services.filing_suspend(actor=SYSTEM, filing=filing, reason="x")
    elif status_setup == "revoked":
        filing = services.filing_revoke(actor=SYSTEM, filing=filing, reason="x")
    elif status_setup == "submitted":
        services.filing_revoke(actor=SYSTEM, filing=filing, reason="x")
        filing = services.filing_submit(actor=SYSTEM, party=Party.objects.get(pk=world.party_a.pk))
    before = (filing.status, FilingStep.objects.count(), AuditEntry.objects.count())
    with pytest.raises(Conflict):
        services.filing_act(actor=SYSTEM, filing=filing, action=action, reason="理由")
    filing.refresh_from_db()
    assert (filing.status, FilingStep.objects.count(), AuditEntry.objects.count()) == before


def test_a_party_with_an_open_filing_cannot_apply_again(world):
    with pytest.raises(Conflict):
        services.filing_submit(actor=world.actor("admin"), party=world.party_a)
    assert Filing.objects.filter(party=world.party_a).count() == 1


@pytest.mark.parametrize("action", ["reject", "request_info", "suspend", "revoke"])
def test_decisions_against_the_party_need_a_reason(world, action):
    filing = world.filing_a
    if action in ("reject", "request_info"):
        services.filing_revoke(actor=SYSTEM, filing=filing, reason="x")
        filing = services.filing_submit(actor=SYSTEM, party=Party.objects.get(pk=world.party_a.pk))
    with pytest.raises(ValidationError) as raised:
        services.filing_act(actor=world.actor("official"), filing=filing, action=action, reason="  ")
    assert "reason" in raised.value.message_dict


def test_only_the_responsible_bureau_decides(unfiled):
    w = unfiled
    filing = submit(w)
    with pytest.raises(PermissionDenied):
        services.filing_approve(actor=w.actor("admin"), filing=filing)  # a party never approves itself
    with pytest.raises(Filing.DoesNotExist):
        services.filing_approve(
            actor=w.actor("official_other"), filing=filing
        )  # another sector: not even seen
    with pytest.raises(PermissionDenied):
        services.filing_approve(actor=w.actor("auditor"), filing=filing)
    assert Filing.objects.get(pk=filing.pk).status == FilingStatus.SUBMITTED
