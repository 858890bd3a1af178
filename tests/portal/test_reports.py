"""Complaints and reports (issue #5 item 6): the form on the page, routing to the bureau of the
product's sector, photo checks by content and size, the rate limit per client (keyed digest, never
the address), CSRF, and the officials' console: list, answer, and who may see what."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tracehub.accounts.models import AuditEntry, Notification
from tracehub.demo import data
from tracehub.portal.models import Report, ReportStatus

from .helpers import commission_serials, official, png


def _file(client, path: str, *, photo=None, address: str = "198.51.100.7", **fields):
    form = {"code": path, "category": "counterfeit", "text": "包装印刷模糊，疑似假药", **fields}
    if photo is not None:
        form["photo"] = photo
    return client.post("/report/", form, REMOTE_ADDR=address)


def test_a_report_is_stored_and_routed_to_the_bureau(client, demo):
    amr = official("amr-official", "amr")
    path = commission_serials(["R-1"], lot="L-R")[0]
    page = client.get(path).content.decode()
    assert 'action="/report/"' in page and 'name="csrfmiddlewaretoken"' in page
    assert 'enctype="multipart/form-data"' in page
    response = _file(
        client,
        path,
        photo=SimpleUploadedFile("pack.png", png(), content_type="image/png"),
        contact="13800000000",
    )
    assert response.status_code == 201
    assert "投诉举报已收到" in response.content.decode()
    report = Report.objects.get()
    assert (report.code, report.category, report.sector, report.department.code) == (
        path[1:],
        "counterfeit",
        "drug",
        "amr",
    )
    assert report.product_name == data.DRUG.name
    assert report.contact == "13800000000"
    assert report.photo_type == "image/png" and report.photo.read() == png()
    assert report.status == ReportStatus.NEW
    # The client address is kept only as a keyed digest.
    assert len(report.client_digest) == 64 and "198.51.100.7" not in report.client_digest
    for field in Report._meta.get_fields():
        value = getattr(report, field.name, None) if field.concrete else None
        assert "198.51.100.7" not in str(value)
    note = Notification.objects.get(user=amr)
    assert note.link == f"/console/portal/reports/{report.pk}/"


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("fake.png", b"GIF89a not really a png", "image/png"),
        ("script.jpg", b"<script>alert(1)</script>", "image/jpeg"),
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "image/png"),
    ],
)
def test_a_photo_is_checked_by_its_content(client, demo, name, content, content_type):
    path = commission_serials(["R-2"], lot="L-R")[0]
    response = _file(client, path, photo=SimpleUploadedFile(name, content, content_type=content_type))
    assert response.status_code == 400
    html = response.content.decode()
    assert "照片必须是 JPEG、PNG 或 WebP 图片。" in html
    assert Report.objects.count() == 0


def test_a_photo_too_large_is_refused(client, demo, settings):
    settings.TRACEHUB_PORTAL_PHOTO_MAX_BYTES = 1024 * 1024
    path = commission_serials(["R-3"], lot="L-R")[0]
    big = png() + b"\x00" * (1024 * 1024)
    response = _file(client, path, photo=SimpleUploadedFile("big.png", big, content_type="image/png"))
    assert response.status_code == 400
    assert "照片超过 1 MB。" in response.content.decode()
    assert Report.objects.count() == 0


def test_missing_fields_are_named(client, demo):
    path = commission_serials(["R-4"], lot="L-R")[0]
    response = client.post("/report/", {"code": path, "category": "nonsense", "text": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count('class="field field-invalid"') == 2
    assert Report.objects.count() == 0
    unknown = client.post("/report/", {"code": "/01/06901234567892/21/X", "category": "other", "text": "x"})
    assert unknown.status_code == 404
    bad = client.post("/report/", {"code": "/01/123", "category": "other", "text": "x"})
    assert bad.status_code == 400


def test_reports_are_rate_limited_per_client(client, demo, settings):
    settings.TRACEHUB_PORTAL_REPORTS_PER_HOUR = 2
    path = commission_serials(["R-5"], lot="L-R")[0]
    assert _file(client, path).status_code == 201
    assert _file(client, path).status_code == 201
    limited = _file(client, path)
    assert limited.status_code == 429
    assert "您在短时间内提交了过多投诉举报" in limited.content.decode()
    assert _file(client, path, address="203.0.113.9").status_code == 201  # another client
    assert Report.objects.count() == 3


def test_the_form_needs_its_csrf_token(demo):
    path = commission_serials(["R-6"], lot="L-R")[0]
    browser = Client(enforce_csrf_checks=True)
    refused = browser.post("/report/", {"code": path, "category": "other", "text": "x"})
    assert refused.status_code == 403
    page = browser.get(path).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    accepted = browser.post(
        "/report/", {"code": path, "category": "other", "text": "x", "csrfmiddlewaretoken": token}
    )
    assert accepted.status_code == 201
    assert Report.objects.count() == 1


# -- the console ----------------------------------------------------------------------------------


@pytest.fixture
def filed(client, demo):
    path = commission_serials(["R-7"], lot="L-R")[0]
    _file(client, path, photo=SimpleUploadedFile("pack.png", png(), content_type="image/png"))
    return Report.objects.get()


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_official_of_the_sector_reads_and_answers(filed):
    amr = _as(official("amr-official", "amr"))
    listing = amr.get("/console/portal/reports/")
    assert listing.status_code == 200
    assert f"/console/portal/reports/{filed.pk}/" in listing.content.decode()
    assert "疑似假冒" in listing.content.decode()
    detail = amr.get(f"/console/portal/reports/{filed.pk}/")
    assert detail.status_code == 200
    assert "包装印刷模糊，疑似假药" in detail.content.decode()
    photo = amr.get(f"/console/portal/reports/{filed.pk}/photo/")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png" and photo.content == png()
    empty = amr.post(f"/console/portal/reports/{filed.pk}/", {"answer": ""})
    assert empty.status_code == 400
    answered = amr.post(f"/console/portal/reports/{filed.pk}/", {"answer": "已立案调查。"})
    assert answered.status_code == 302
    filed.refresh_from_db()
    assert filed.status == ReportStatus.ANSWERED and filed.answer == "已立案调查。"
    assert filed.answered_by.username == "amr-official"
    audit = AuditEntry.objects.get(action="portal.report.answer")
    assert audit.object_id == str(filed.pk) and audit.after["answer"] == "已立案调查。"
    closed = amr.post(f"/console/portal/reports/{filed.pk}/", {"answer": "已办结。", "close": "on"})
    assert closed.status_code == 302
    filed.refresh_from_db()
    assert filed.status == ReportStatus.CLOSED
    again = amr.post(f"/console/portal/reports/{filed.pk}/", {"answer": "再次答复"})
    assert again.status_code == 409
    assert "该投诉举报已办结。" in again.content.decode()
    assert amr.get("/console/portal/reports/", {"status": "closed"}).content.decode().count("row-title") == 1
    assert amr.get("/console/portal/reports/", {"status": "new"}).content.decode().count("row-title") == 0


def test_an_official_of_another_sector_sees_nothing(filed):
    liquor = _as(official("liquor-official", "liquor"))
    listing = liquor.get("/console/portal/reports/")
    assert listing.status_code == 200
    assert "row-title" not in listing.content.decode()
    assert "本部门行业暂无投诉举报。" in listing.content.decode()
    assert liquor.get(f"/console/portal/reports/{filed.pk}/").status_code == 404
    assert liquor.get(f"/console/portal/reports/{filed.pk}/photo/").status_code == 404
    assert liquor.post(f"/console/portal/reports/{filed.pk}/", {"answer": "x"}).status_code == 404
    filed.refresh_from_db()
    assert filed.answer == ""


def test_who_may_open_the_console_pages(filed, client):
    users = get_user_model().objects
    enterprise = _as(users.get(username="demo-slaughterhouse-admin"))
    operator = _as(users.get(username="demo-operator"))
    anonymous = Client()
    for url in (
        "/console/portal/reports/",
        f"/console/portal/reports/{filed.pk}/",
        f"/console/portal/reports/{filed.pk}/photo/",
        "/console/portal/alerts/",
    ):
        assert anonymous.get(url).status_code == 302, url
        assert anonymous.get(url)["Location"].startswith("/accounts/login/")
        assert enterprise.get(url).status_code == 403, url
        assert operator.get(url).status_code == 200, url


def test_menu_entries_for_officials_only(filed):
    def keys(client):
        return set(re.findall(r'data-menu-key="([^"]+)"', client.get("/console/").content.decode()))

    amr = _as(official("amr-official", "amr"))
    assert {"portal.reports", "portal.alerts"} <= keys(amr)
    enterprise = _as(get_user_model().objects.get(username="demo-slaughterhouse-admin"))
    assert keys(enterprise) & {"portal.reports", "portal.alerts"} == set()


def test_alerts_page_lists_the_sectors_alerts(client, drug_pack):
    client.get(drug_pack)  # a pack already dispensed: an alert for 市场监督管理局
    amr = _as(official("amr-official", "amr"))
    html = amr.get("/console/portal/alerts/").content.decode()
    assert "已售出" in html and drug_pack[1:] in html
    liquor = _as(official("liquor-official", "liquor"))
    assert drug_pack[1:] not in liquor.get("/console/portal/alerts/").content.decode()
