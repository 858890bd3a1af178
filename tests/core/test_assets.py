"""Front-end assets: served by the platform itself, from the npm packages pinned in the lock file."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "src" / "tracehub"

#: Anything that loads from another host: http://, https:// or protocol-relative //.
EXTERNAL = r"""(?:https?:)?//"""
#: <script src=…>, <link href=…> (stylesheets, icons, preloads), <img src=…>, CSS url(…) and @import.
LOADS = [
    re.compile(r"""<script\b[^>]*\bsrc\s*=\s*["']?\s*""" + EXTERNAL, re.I),
    re.compile(r"""<link\b[^>]*\bhref\s*=\s*["']?\s*""" + EXTERNAL, re.I),
    re.compile(r"""<(?:img|iframe|source|embed)\b[^>]*\bsrc\s*=\s*["']?\s*""" + EXTERNAL, re.I),
    re.compile(r"""url\(\s*["']?\s*""" + EXTERNAL, re.I),
    re.compile(r"""@import\s+["']?\s*""" + EXTERNAL, re.I),
]


def _project_files(pattern: str) -> list[Path]:
    return sorted(p for p in SRC.glob(pattern) if "static/vendor" not in p.as_posix())


def test_the_scan_finds_external_loads():
    # the patterns themselves: each of these must be caught
    for bad in [
        '<script src="https://cdn.example.com/htmx.min.js"></script>',
        "<script defer src='//cdn.example.com/x.js'></script>",
        '<link rel="stylesheet" href="http://cdn.example.com/x.css">',
        "body { background: url('https://cdn.example.com/x.png') }",
        '@import "https://fonts.example.com/css";',
    ]:
        assert any(p.search(bad) for p in LOADS), bad
    for good in [
        '<script src="/static/vendor/htmx.min.js"></script>',
        '<a href="https://www.gs1.org/">GS1</a>',
    ]:
        assert not any(p.search(good) for p in LOADS), good


def test_no_template_or_stylesheet_loads_from_another_host():
    files = _project_files("**/templates/**/*.html") + _project_files("**/static/**/*.css")
    assert len(files) >= 10
    offenders = [
        f"{path.relative_to(REPO)}: {match.group(0)}"
        for path in files
        for pattern in LOADS
        for match in pattern.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


class _Loads(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])


@pytest.mark.parametrize(
    "url", ["/", "/accounts/login/", "/console/", "/api/v1/docs", "/epcis/docs", "/admin/login/"]
)
def test_rendered_pages_load_scripts_and_styles_from_static_only(client, db, url):
    client.force_login(get_user_model().objects.create_user("li.na", password="Correct-Horse-7"))
    response = client.get(url)
    assert response.status_code == 200
    parser = _Loads()
    parser.feed(response.content.decode())
    assert parser.urls, "the page loads no script or style at all?"
    assert [u for u in parser.urls if not u.startswith("/static/")] == []


def test_base_template_loads_htmx_from_vendor(client, db):
    html = client.get("/").content.decode()
    assert '<script src="/static/vendor/htmx.min.js" defer></script>' in html


def _lock_versions() -> dict[str, str]:
    lock = json.loads((REPO / "package-lock.json").read_text())
    return {
        name.removeprefix("node_modules/"): meta["version"] for name, meta in lock["packages"].items() if name
    }


def test_package_json_pins_exact_versions_of_htmx_2_and_echarts_5():
    package = json.loads((REPO / "package.json").read_text())
    deps = package["dependencies"]
    assert re.fullmatch(r"2\.\d+\.\d+", deps["htmx.org"])
    assert re.fullmatch(r"5\.\d+\.\d+", deps["echarts"])
    locked = _lock_versions()
    assert locked["htmx.org"] == deps["htmx.org"]
    assert locked["echarts"] == deps["echarts"]


@pytest.mark.parametrize(
    ("package", "dist", "served"),
    [
        ("htmx.org", "dist/htmx.min.js", "vendor/htmx.min.js"),
        ("echarts", "dist/echarts.min.js", "vendor/echarts.min.js"),
    ],
)
def test_served_assets_are_the_locked_npm_files(package, dist, served):
    # `make install` (scripts/install-assets.sh) copies them; a stale copy fails here
    path = finders.find(served)
    assert path, f"{served} is missing: run `make install`"
    installed = REPO / "node_modules" / package
    assert json.loads((installed / "package.json").read_text())["version"] == _lock_versions()[package]
    assert Path(path).read_bytes() == (installed / dist).read_bytes()
