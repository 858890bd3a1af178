"""Authenticity (issue #5 item 5): every scan logged without personal data, the counter on the page,
and each pattern of a copied code raising a warning on the page and one alert for the bureau."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tracehub.accounts.models import Notification
from tracehub.demo import data
from tracehub.demo.events import day
from tracehub.portal.models import AlertKind, AuthenticityAlert, Scan, ScanCounter

from .helpers import commission_serials, official

CHROME = (
    "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36"
)
WECHAT = "Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 Mobile/15E148 MicroMessenger/8.0.50"


def _warnings(html: str) -> list[str]:
    import re

    return re.findall(r'<section class="portal-warning" role="alert" data-kind="([a-z_]+)">', html)


def test_each_scan_is_logged_and_counted(client, demo):
    path = commission_serials(["A-1"], lot="L-1")[0]
    client.get(path + "?geo=24.4837,118.0894", HTTP_USER_AGENT=CHROME)
    client.get(path, HTTP_USER_AGENT=WECHAT)
    html = client.get(path, HTTP_USER_AGENT="").content.decode()
    assert "已查询 3 次" in html
    counter = ScanCounter.objects.get(code=path[1:])
    assert counter.count == 3
    assert (counter.last_latitude, counter.last_longitude) == (Decimal("24.5"), Decimal("118.1"))
    scans = list(Scan.objects.order_by("id").values_list("code", "latitude", "longitude", "agent"))
    assert scans == [
        (path[1:], Decimal("24.5"), Decimal("118.1"), "Chrome"),
        (path[1:], None, None, "WeChat"),
        (path[1:], None, None, ""),
    ]
    # No address, no user-agent string, no cookie is kept with a scan.
    assert {f.name for f in Scan._meta.get_fields()} == {"id", "code", "at", "latitude", "longitude", "agent"}
    assert _warnings(html) == []
    assert AuthenticityAlert.objects.count() == 0


def test_a_head_request_is_not_a_scan(client, demo):
    path = commission_serials(["A-3"], lot="L-1")[0]
    assert client.head(path).status_code == 200
    assert Scan.objects.count() == 0 and not ScanCounter.objects.exists()
    client.get(path)
    assert client.head(path).status_code == 200
    assert ScanCounter.objects.get().count == 1


def test_bad_geo_is_a_400_naming_the_parameter(client, demo):
    path = commission_serials(["A-2"], lot="L-1")[0]
    for value in ("north", "91,10", "24.5"):
        response = client.get(path, {"geo": value})
        assert response.status_code == 400, value
        assert 'data-field="geo"' in response.content.decode()
    assert Scan.objects.count() == 0


def test_many_lookups_warn_and_alert_the_bureau_once(client, demo, settings):
    settings.TRACEHUB_PORTAL_MANY_LOOKUPS = 3
    amr = official("amr-official", "amr")
    liquor = official("liquor-official", "liquor")
    path = commission_serials(["B-1"], lot="L-2")[0]
    assert _warnings(client.get(path).content.decode()) == []
    assert _warnings(client.get(path).content.decode()) == []
    third = client.get(path).content.decode()
    assert _warnings(third) == [AlertKind.MANY_LOOKUPS]
    assert "该追溯码已被查询 3 次" in third
    for _ in range(3):
        assert _warnings(client.get(path).content.decode()) == [AlertKind.MANY_LOOKUPS]
    alert = AuthenticityAlert.objects.get()
    assert (alert.code, alert.kind, alert.sector, alert.department.code) == (
        path[1:],
        AlertKind.MANY_LOOKUPS,
        "drug",
        "amr",
    )
    assert alert.product_name == data.DRUG.name
    notes = Notification.objects.filter(user=amr)
    assert notes.count() == 1
    assert notes.get().link == "/console/portal/alerts/"
    assert "真伪预警" in _in_chinese(notes.get())
    assert not Notification.objects.filter(user=liquor).exists()
    assert ScanCounter.objects.get(code=path[1:]).alerted == "many_lookups"


def _in_chinese(note) -> str:
    from django.utils import translation

    with translation.override("zh-hans"):
        return note.text


def test_lookups_far_apart_in_a_short_time(client, demo):
    path = commission_serials(["C-1"], lot="L-3")[0]
    xiamen, beijing = "24.48,118.09", "39.90,116.40"
    assert _warnings(client.get(path, {"geo": xiamen}).content.decode()) == []
    assert _warnings(client.get(path, {"geo": "24.52,118.15"}).content.decode()) == []  # same city
    html = client.get(path, {"geo": beijing}).content.decode()
    assert _warnings(html) == [AlertKind.FAR_APART]
    assert "距此约 1721 公里" in html
    alert = AuthenticityAlert.objects.get(kind=AlertKind.FAR_APART)
    assert alert.details["km"] == 1721


def test_far_apart_but_long_ago_is_no_warning(client, demo, settings):
    settings.TRACEHUB_PORTAL_FAR_HOURS = 0
    path = commission_serials(["C-2"], lot="L-3")[0]
    client.get(path, {"geo": "24.48,118.09"})
    assert _warnings(client.get(path, {"geo": "39.90,116.40"}).content.decode()) == []


def test_a_code_never_commissioned(client, demo):
    path = f"/01/{data.DRUG.gtin}/21/NEVER-MADE-1"
    response = client.get(path)
    assert response.status_code == 200  # the product is known, the serial is not
    html = response.content.decode()
    assert _warnings(html) == [AlertKind.NEVER_COMMISSIONED]
    assert "平台上没有该追溯码的发放或赋码记录" in html
    assert AuthenticityAlert.objects.get().kind == AlertKind.NEVER_COMMISSIONED


def test_an_allocated_code_is_not_a_fake(client, demo, monkeypatch):
    from tracehub.registry import selectors as registry_selectors

    asked = []

    def code_allocation_find(*, gtin=None, serial=None, platform_code=None):
        asked.append((gtin, serial, platform_code))
        return object() if serial == "ALLOCATED-1" else None

    monkeypatch.setattr(registry_selectors, "code_allocation_find", code_allocation_find, raising=False)
    html = client.get(f"/01/{data.DRUG.gtin}/21/ALLOCATED-1").content.decode()
    assert _warnings(html) == []
    assert asked == [(data.DRUG.gtin, "ALLOCATED-1", None)]
    assert _warnings(client.get(f"/01/{data.DRUG.gtin}/21/NOT-ALLOCATED").content.decode()) == [
        AlertKind.NEVER_COMMISSIONED
    ]


def test_a_code_already_sold_at_retail(client, drug_pack):
    html = client.get(drug_pack).content.decode()
    assert _warnings(html) == [AlertKind.ALREADY_SOLD]
    alert = AuthenticityAlert.objects.get()
    assert alert.kind == AlertKind.ALREADY_SOLD and alert.department.code == "amr"
    assert alert.details["sold_at"].startswith(f"{day(-2)}T07:20:00")  # the demo's dispensing, in UTC


@pytest.mark.parametrize("level", ["lot", "product"])
def test_lot_and_product_codes_raise_no_item_warnings(client, drug_pack, settings, level):
    settings.TRACEHUB_PORTAL_MANY_LOOKUPS = 2
    from tracehub.epcis.models import EventIndex

    lot = EventIndex.objects.filter(key__startswith=f"01/{data.DRUG.gtin}/10/").values_list("key", flat=True)[
        0
    ]
    path = "/" + (lot if level == "lot" else f"01/{data.DRUG.gtin}")
    for _ in range(3):
        assert _warnings(client.get(path).content.decode()) == []
    assert AuthenticityAlert.objects.count() == 0
