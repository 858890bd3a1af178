"""The API documentation and the admin sign-in work under the platform's CSP, with no CDN."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("url", "title"), [("/api/v1/docs", "TraceHub"), ("/epcis/docs", "EPCIS")])
def test_api_docs_render_from_the_platforms_own_files(page, shoot, url, title):
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(url)
    expect(page.locator(".swagger-ui .info .title")).to_contain_text(title)
    shoot(page, "docs")
    assert requested and all(u.startswith(page.url.split(url)[0]) for u in requested), requested


def test_admin_sign_in_page(page, shoot):
    page.goto("/admin/login/")
    expect(page.locator("#login-form")).to_be_visible()
    shoot(page, "admin-login")
