"""Browser security of every page: CSRF, escaping, CSP and the other headers, cookie flags."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

SCRIPT = "<script>alert('xss')</script>"


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user("wang.fang", password="Correct-Horse-7")


def test_post_without_csrf_token_is_refused_with_a_chinese_page(db, user):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "wang.fang", "password": "Correct-Horse-7"})
    html = response.content.decode()
    assert response.status_code == 403
    assert "表单未能提交" in html
    assert '<html lang="zh-hans">' in html
    assert "_auth_user_id" not in client.session


def test_post_with_the_csrf_token_is_accepted(db, user):
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/accounts/login/",
        {"username": "wang.fang", "password": "Correct-Horse-7", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302


def test_logout_and_language_switch_need_the_token(db, user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post("/accounts/logout/").status_code == 403
    assert client.post("/i18n/setlang/", {"language": "en"}).status_code == 403


def test_every_form_on_the_pages_carries_the_token(client, user):
    client.force_login(user)
    for url in ["/", "/console/", "/accounts/password/"]:
        html = client.get(url).content.decode()
        posts = html.count('method="post"')
        assert posts > 0
        assert html.count('name="csrfmiddlewaretoken"') == posts, url


def test_user_supplied_values_are_escaped(client, db):
    user = get_user_model().objects.create_user("evil", password="Correct-Horse-7", first_name=SCRIPT)
    client.force_login(user)
    html = client.get("/console/").content.decode()
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;" in html


def test_a_next_parameter_is_escaped_on_the_login_page(client, db):
    html = client.get("/accounts/login/", {"next": f'"/>{SCRIPT}'}).content.decode()
    assert SCRIPT not in html
    assert "&quot;/&gt;&lt;script&gt;" in html


def test_the_404_page_escapes_the_path(client, db):
    html = client.get("/%3Cscript%3Ealert(1)%3C/script%3E/").content.decode()
    assert "<script>alert(1)" not in html


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/no/such/page/", "/api/v1/docs", "/epcis/docs"])
def test_content_security_policy_allows_only_the_platforms_own_scripts_and_styles(client, db, url):
    response = client.get(url)
    policy = dict(
        (part.split()[0], part.split()[1:]) for part in response["Content-Security-Policy"].split("; ")
    )
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    # style="…" attributes only (ECharts' tooltips); they cannot run script
    assert policy["style-src-attr"] == ["'unsafe-inline'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]


def test_frame_and_sniffing_headers(client, db):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_session_and_csrf_cookies_are_httponly_and_samesite_lax(client, user):
    client.get("/accounts/login/")
    client.post("/accounts/login/", {"username": "wang.fang", "password": "Correct-Horse-7"})
    for name in ("sessionid", "csrftoken"):
        cookie = client.cookies[name]
        assert cookie["httponly"] is True, name
        assert cookie["samesite"] == "Lax", name
        assert not cookie["secure"], name  # plain HTTP in tests: TRACEHUB_HTTPS is not set


def _settings_in_a_fresh_process(**env) -> list[str]:
    code = (
        "from tracehub import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.LANGUAGE_COOKIE_SECURE)"
    )
    environment = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "TRACEHUB_HTTPS")}
    environment.update(env)
    result = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    )
    return result.stdout.split()


def test_cookies_are_secure_when_served_over_https():
    assert _settings_in_a_fresh_process() == ["False"] * 3
    assert _settings_in_a_fresh_process(TRACEHUB_HTTPS="1") == ["True"] * 3
    # local development over plain HTTP keeps working even with the flag left on
    assert _settings_in_a_fresh_process(TRACEHUB_HTTPS="1", DEBUG="1") == ["False"] * 3


def test_htmx_requests_carry_the_token_from_the_page(db):
    # base.html puts the token in hx-headers on <body>: every hx-post sends it as X-CSRFToken
    import json
    import re

    client = Client(enforce_csrf_checks=True)
    html = client.get("/").content.decode()
    headers = json.loads(re.search(r"hx-headers='([^']+)'", html).group(1))
    response = client.post(
        "/i18n/setlang/",
        {"language": "en"},
        headers={"HX-Request": "true", "X-CSRFToken": headers["X-CSRFToken"]},
    )
    assert response.status_code == 302
    assert (
        client.post("/i18n/setlang/", {"language": "en"}, headers={"HX-Request": "true"}).status_code == 403
    )
