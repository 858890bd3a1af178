"""What the console pages do, each through the real services and selectors: the audited ID reveal,
API keys shown once, staff accounts, notifications, events and capture jobs in the user's scope,
the audit search, and the same pages in English."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tracehub.accounts.models import AuditEntry, Notification
from tracehub.accounts.services import notification_send
from tracehub.epcis.services import capture_document_store
from tracehub.registry import services

from .test_console_matrix import PREFIX, ConsoleWorld, build_console_world, capture_event_a
from .world import GTIN_A, RIC_C, SGLN_B, SYSTEM

pytestmark = pytest.mark.django_db


@pytest.fixture
def console(db) -> ConsoleWorld:
    return build_console_world()


# -- parties ----------------------------------------------------------------------------------------


def test_an_enterprise_user_goes_to_its_party(console):
    response = console.client("staff").get(PREFIX + "party/")
    assert response.status_code == 302
    assert response["Location"] == PREFIX + f"parties/{console.world.party_a.pk}/"


def test_an_enterprise_user_without_a_party_is_asked_to_register_it(console):
    html = console.client("no_party").get(PREFIX + "party/").content.decode()
    assert "您的账号尚未关联企业" in html
    assert f'href="{PREFIX}register/"' in html
    landing = console.client("no_party").get("/console/").content.decode()
    assert "登记您的主体" in landing


def test_the_party_page_masks_the_id_number_and_reveals_it_audited(console):
    party = console.world.party_c
    client = console.client("official")
    html = client.get(PREFIX + f"parties/{party.pk}/").content.decode()
    assert RIC_C not in html
    assert party.id_number_masked in html
    assert "显示完整号码" in html
    response = client.post(PREFIX + f"parties/{party.pk}/reveal/", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert RIC_C in body
    assert "<html" not in body  # htmx swaps the number in place
    assert "no-store" in response["Cache-Control"]
    audit = AuditEntry.objects.get(action="registry.party.view_id_number")
    assert audit.actor_user == console.world.users["official"]
    assert RIC_C not in str(audit.after)  # the audit names the look, never the number
    # without script the answer is a page of its own
    page = client.post(PREFIX + f"parties/{party.pk}/reveal/").content.decode()
    assert "<html" in page and RIC_C in page
    assert AuditEntry.objects.filter(action="registry.party.view_id_number").count() == 2


def test_the_reveal_is_refused_where_it_is_not_allowed(console):
    party = console.world.party_c
    assert (
        "显示完整号码" not in console.client("auditor").get(PREFIX + f"parties/{party.pk}/").content.decode()
    )
    assert console.client("auditor").post(PREFIX + f"parties/{party.pk}/reveal/").status_code == 403
    # a party identified by credit code has no number to reveal: 409, nothing audited
    assert (
        console.client("operator").post(PREFIX + f"parties/{console.world.party_a.pk}/reveal/").status_code
        == 409
    )
    assert not AuditEntry.objects.filter(action="registry.party.view_id_number").exists()


def test_the_party_search_filters(console):
    client = console.client("operator")
    assert "厦门鹭安大药房" in client.get(PREFIX + "parties/", {"sector": "drug"}).content.decode()
    html = client.get(PREFIX + "parties/", {"sector": "drug", "q": "翔润"}).content.decode()
    assert "没有符合条件的主体" in html
    html = client.get(PREFIX + "parties/", {"q": console.world.party_a.uscc}).content.decode()
    assert "厦门翔润肉类食品有限公司" in html and "厦门鹭安大药房" not in html
    html = client.get(PREFIX + "parties/", {"status": "unfiled", "party_type": "stall"}).content.decode()
    assert "陈阿福" in html and "厦门翔润" not in html
    # htmx reloads the results only (hx-select picks them from the page)
    assert 'hx-select="#results"' in html and 'id="results"' in html


# -- staff and keys -------------------------------------------------------------------------------------


def test_the_administrator_creates_a_staff_account(console):
    client = console.client("admin")
    response = client.post(
        PREFIX + "staff/new/",
        {
            "username": "xr.weigher",
            "full_name": "周 磊",
            "role": "enterprise_staff",
            "password1": "Weigh-Station-77",
            "password2": "Weigh-Station-77",
        },
    )
    assert response.status_code == 302
    assert "xr.weigher" in client.get(PREFIX + "staff/").content.decode()
    assert Client().login(username="xr.weigher", password="Weigh-Station-77")
    response = client.post(
        PREFIX + "staff/new/",
        {"username": "xr.weigher", "role": "enterprise_staff", "password1": "x", "password2": "x"},
    )
    html = response.content.decode()
    assert "该用户名已被使用" in html or "用户名" in html
    assert response.status_code == 200


def test_an_api_key_is_shown_once_and_works_until_revoked(console):
    client = console.client("admin")
    response = client.post(PREFIX + "api-keys/new/", {"name": "称重站"})
    html = response.content.decode()
    key = re.search(r'data-testid="new-key">([^<]+)<', html).group(1)
    assert "只显示这一次" in html
    assert "no-store" in response["Cache-Control"]
    listing = client.get(PREFIX + "api-keys/").content.decode()
    assert key not in listing
    prefix = key.split(".")[0]
    assert prefix in listing
    api = Client(headers={"Authorization": f"Bearer {key}"})
    assert api.get("/api/v1/me").status_code == 200
    binding = services.selectors.party_api_clients(party=console.world.party_a).get(client__key_prefix=prefix)
    response = client.post(PREFIX + f"api-keys/{binding.client_id}/revoke/")
    assert response.status_code == 302
    assert api.get("/api/v1/me").status_code == 401
    assert "已撤销" in client.get(PREFIX + "api-keys/").content.decode()
    assert AuditEntry.objects.filter(action="api_client.revoke", object_id=str(binding.client_id)).exists()


def test_a_key_cannot_expire_in_the_past(console):
    response = console.client("admin").post(
        PREFIX + "api-keys/new/", {"name": "x", "expires_on": "2020-01-01"}
    )
    assert "到期日期须晚于今天" in response.content.decode()


def test_an_operator_works_for_a_party_it_names(console):
    party = console.world.party_b
    client = console.client("operator")
    assert client.get(PREFIX + f"staff/?party={party.pk}").status_code == 200
    response = client.post(
        PREFIX + f"licences/new/?party={party.pk}", {"kind": "drug_distribution", "number": "闽AA5920001"}
    )
    assert response.status_code == 302
    assert (
        services.selectors.licence_list(actor=SYSTEM, party_id=party.pk).filter(number="闽AA5920001").exists()
    )


# -- notifications --------------------------------------------------------------------------------------


def test_every_console_page_shows_the_role_and_the_unread_badge(console):
    # The band comes from a context processor, so pages of other apps (here core's /console/)
    # show the same role, party and unread count as the registry's own pages.
    admin = console.world.users["admin"]
    before = console.client("admin").get("/console/").content.decode()
    unread = int(re.search(r'class="badge"[^>]*>(\d+)</span>', before).group(1))
    notification_send(users=[admin], message="Your filing was approved", params={}, link="/console/")
    html = console.client("admin").get("/console/").content.decode()
    assert re.search(rf'class="badge"[^>]*>{unread + 1}</span>', html)
    assert 'class="console-role">企业管理员</span>' in html
    assert f'class="console-party">{console.world.party_a.name}</span>' in html
    assert f'href="{PREFIX}notifications/"' in html


def test_public_pages_have_no_console_band(console):
    html = console.client("admin").get("/").content.decode()
    assert 'data-testid="notification-badge"' not in html


def test_notifications_are_listed_in_the_readers_language_and_marked_read(console):
    admin = console.world.users["admin"]
    client = console.client("admin")
    notification_send(
        users=[admin],
        message="The filing of %(party)s needs more information: %(reason)s",
        params={"party": "厦门翔润肉类食品有限公司", "reason": "缺少检疫证明"},
        link=f"/console/filings/{console.world.filing_a.pk}/",
    )
    html = client.get(PREFIX + "notifications/").content.decode()
    assert "厦门翔润肉类食品有限公司 的备案需补正材料：缺少检疫证明" in html
    assert 'class="badge"' in html and ">2</span>" in html
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    english.force_login(admin)
    assert "needs more information: 缺少检疫证明" in english.get(PREFIX + "notifications/").content.decode()
    # opening one marks it read and goes to the filing page of the console
    note = Notification.objects.filter(user=admin).order_by("-id").first()
    response = client.post(PREFIX + f"notifications/{note.pk}/open/")
    assert response["Location"] == PREFIX + f"filings/{console.world.filing_a.pk}/"
    note.refresh_from_db()
    assert note.read_at is not None
    # marking one read (htmx or not) and then all
    other = Notification.objects.get(pk=console.notification_pk)
    response = client.post(
        PREFIX + "notifications/read/", {"id": other.pk, "next": PREFIX + "notifications/"}
    )
    assert response["Location"] == PREFIX + "notifications/"
    assert Notification.objects.filter(user=admin, read_at__isnull=True).count() == 0
    notification_send(users=[admin], message="Test notice.")
    client.post(PREFIX + "notifications/read/")
    assert Notification.objects.filter(user=admin, read_at__isnull=True).count() == 0
    # nobody opens or marks another user's notification
    assert console.client("staff").post(PREFIX + f"notifications/{note.pk}/open/").status_code == 404


def test_the_next_address_after_marking_read_stays_on_the_platform(console):
    response = console.client("admin").post(PREFIX + "notifications/read/", {"next": "https://evil.example/"})
    assert response["Location"] == PREFIX + "notifications/"


# -- events and capture jobs ----------------------------------------------------------------------------


def _rows(html: str) -> int:
    return len(re.findall(r'href="/console/registry/events/\d+/"', html))


def test_events_are_filtered_by_identifier_step_and_date(console):
    capture_event_a(console.world, event_time="2026-10-02T09:30:00.000+08:00", step="shipping")
    client = console.client("admin")

    def rows(**filters) -> int:
        return _rows(client.get(PREFIX + "events/", filters).content.decode())

    html = client.get(PREFIX + "events/").content.decode()
    assert _rows(html) == 2
    assert "翔润屠宰厂" in html  # the read point by its registered name
    assert rows(biz_step="shipping") == 1
    assert rows(since="2026-11-16", until="2026-11-16") == 1
    assert rows(since="2026-11-17") == 0
    # a GTIN (13 or 14 digits) finds the serials of its items; an EPC pattern works too
    assert rows(identifier=GTIN_A) == 2
    assert rows(identifier=GTIN_A[1:]) == 2
    assert rows(identifier="urn:epc:idpat:sgtin:695318204.0001.*") == 2
    assert rows(identifier="urn:epc:id:sgln:695318204.001.0") == 2
    assert rows(identifier="urn:epc:idpat:sgtin:695318204.0002.*") == 0
    wrong = client.get(PREFIX + "events/", {"since": "2026-11-20", "until": "2026-11-01"}).content.decode()
    assert "截止日期早于起始日期" in wrong
    bad = client.get(PREFIX + "events/", {"identifier": "urn:epc:id:sgtin:123"}).content.decode()
    assert "平台无法识别该标识" in bad


def test_an_event_page_shows_the_event_as_recorded(console):
    html = console.client("official").get(PREFIX + f"events/{console.event_pk}/").content.decode()
    assert "commissioning" in html
    assert "翔润屠宰厂" in html
    assert "urn:epc:id:sgln:695318204.001.0" in html
    assert "EPCIS 2.0 JSON-LD" in html


def test_an_official_of_another_sector_sees_no_event_of_the_party(console):
    html = console.client("official_other").get(PREFIX + "events/").content.decode()
    assert "没有符合条件的事件" in html
    html = console.client("admin_other").get(PREFIX + "events/").content.decode()
    assert "没有符合条件的事件" in html


def test_a_capture_job_lists_its_errors_with_their_paths(console):
    document = {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-11-16T09:00:00.000+08:00",
        "epcisBody": {
            "eventList": [
                {
                    "type": "ObjectEvent",
                    "eventTime": "2026-11-16T08:00:00.000+08:00",
                    "eventTimeZoneOffset": "+08:00",
                    "epcList": ["urn:epc:id:sgtin:695318204.0001.77"],
                    "action": "ADD",
                    "bizStep": "shipping",
                    "readPoint": {"id": SGLN_B},
                }
            ]
        },
    }
    job = capture_document_store(client=console.world.clients["party_client"], document=document).job
    client = console.client("admin")
    listing = client.get(PREFIX + "capture-jobs/").content.decode()
    assert job.capture_id in listing
    html = client.get(PREFIX + f"capture-jobs/{job.capture_id}/").content.decode()
    assert job.errors
    assert job.errors[0]["path"] in html
    assert "拒收" in html
    assert console.client("admin_other").get(PREFIX + f"capture-jobs/{job.capture_id}/").status_code == 404


# -- audit ---------------------------------------------------------------------------------------------


def test_the_audit_search_shows_who_what_and_before_after(console):
    party = console.world.party_a
    services.party_update(actor=SYSTEM, party=party, contact_phone="0592-5550000")
    client = console.client("official")
    html = client.get(PREFIX + "audit/", {"action": "registry.party.update"}).content.decode()
    assert "registry.party.update" in html
    assert "0592-5550000" in html  # the changed value, after
    assert "registry.licence" not in html
    html = client.get(PREFIX + "audit/", {"actor": "nobody-like-this"}).content.decode()
    assert "没有符合条件的审计记录" in html
    # an official of another sector does not see party A's audit; its administrator does
    assert "0592-5550000" not in console.client("official_other").get(PREFIX + "audit/").content.decode()
    assert "0592-5550000" in console.client("admin").get(PREFIX + "audit/").content.decode()
    assert "0592-5550000" not in console.client("admin_other").get(PREFIX + "audit/").content.decode()


# -- the same pages in English --------------------------------------------------------------------------


def test_pages_are_in_english_on_request(console):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(console.world.users["admin"])
    html = client.get(PREFIX + f"parties/{console.world.party_a.pk}/").content.decode()
    assert '<html lang="en">' in html
    assert "Licences and documents" in html
    assert "Filing history" in html
    assert "Approved" in html
