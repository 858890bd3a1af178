"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's live_server.

Fixtures (docs/pages.md "Browser tests"):

- ``browser``: one headless Chromium per test module (``/usr/bin/chromium``; ``make test`` installs it).
- ``page``: a fresh browser context and tab at phone size (390×844), Chinese (zh-CN) like a phone in
  Xiamen, opened on the live server (``page.goto("/")`` works). The test fails if the page logged a
  JavaScript error or a Content-Security-Policy violation, or if a request to the server failed.
- ``shoot(page, "name")``: saves a full-page screenshot to var/test-artefacts/<test>-<name>.png.
  Keep one of every page a test visits: people look at them.

Mark each test module ``pytestmark = pytest.mark.e2e`` (``pytest -m "not e2e"`` leaves them out).
Every test that uses ``page`` runs on the live server, so it uses a transactional database:
create what it needs (users, data) through the real models or services inside the test.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTEFACTS = REPO / "var" / "test-artefacts"
CHROMIUM = os.environ.get("TRACEHUB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), (
        f"{CHROMIUM} is missing: `make test` installs it (scripts/ensure-chromium.sh)"
    )
    # Playwright's sync API keeps an asyncio loop in this thread; Django then refuses ORM calls
    # from the test body (creating users) as "async-unsafe". They are not: allow them, for this
    # module only.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, device_scale_factor=2, locale="zh-CN", is_mobile=True
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    problems: list[str] = []
    tab.on(
        "console",
        lambda m: (
            problems.append(f"console {m.type}: {m.text} ({m.location.get('url')})")
            if m.type == "error"
            else None
        ),
    )
    tab.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    tab.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} {r.failure}"))
    tab.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 500 else None)
    yield tab
    context.close()
    assert problems == [], "the browser reported problems"


@pytest.fixture
def shoot(request):
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    test = re.sub(r"[^\w.-]+", "_", request.node.name)

    def _shoot(tab, name: str) -> Path:
        path = ARTEFACTS / f"{test}-{name}.png"
        tab.screenshot(path=str(path), full_page=True)
        return path

    return _shoot


@pytest.fixture(autouse=True)
def _reference_data(reference_data):
    """Every browser test runs against a live server, so its database is flushed between tests."""
