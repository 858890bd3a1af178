"""The pages of the platform core: home, sign-in, console, error pages, in both languages."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory, override_settings
from django.urls import include, path
from django.utils import translation

from tracehub.core import views

PLATFORM_ZH = "厦门市重要产品追溯平台"
PLATFORM_EN = "Xiamen Important Product Traceability Platform"


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user(
        "lin.wei", password="Correct-Horse-7", first_name="伟", last_name="林", email="lin@example.cn"
    )


def test_home_is_in_chinese_without_a_language_preference(client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    assert PLATFORM_ZH in html
    assert "来源可查、去向可追、责任可究" in html
    # the language switch offers English, by its own name
    assert 'name="language" value="en"' in html


def test_home_links_to_console_api_docs_and_admin(client):
    html = client.get("/").content.decode()
    for href in ('href="/console/"', 'href="/api/v1/docs"', 'href="/epcis/docs"', 'href="/admin/"'):
        assert href in html


def test_home_code_lookup_goes_to_the_portal(client):
    html = client.get("/").content.decode()
    # The portal's search box: a GET form to /lookup/ (no script), tests/portal/test_lookup.py.
    form = html[html.index('<form id="code-lookup"') :]
    form = form[: form.index("</form>")]
    assert 'action="/lookup/" method="get"' in form
    assert 'name="q"' in form
    assert "disabled" not in form
    assert "公众追溯码查询功能尚未开放" not in html


def test_home_in_english_on_request(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert PLATFORM_EN in html
    assert "Source traceable, destination trackable, responsibility accountable." in html


def test_language_switch_sets_the_language_and_returns(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert PLATFORM_EN in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert PLATFORM_ZH in client.get("/").content.decode()


def test_language_switch_refuses_a_foreign_next(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_console_requires_sign_in(client):
    response = client.get("/console/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/console/"


def test_login_page_is_in_chinese(client):
    html = client.get("/accounts/login/").content.decode()
    assert "登录管理控制台" in html
    assert "用户名" in html and "密码" in html  # Django's own form labels, translated by Django


def test_login_page_leads_a_new_enterprise_to_self_registration(client):
    html = client.get("/accounts/login/").content.decode()
    link = '<a href="/console/registry/register/" data-testid="register-link">注册企业并向主管部门备案</a>'
    assert link in html


def test_sign_in_leads_to_the_console_with_the_users_name(client, user):
    response = client.post(
        "/accounts/login/", {"username": "lin.wei", "password": "Correct-Horse-7", "next": ""}
    )
    assert response.status_code == 302
    assert response["Location"] == "/console/"
    html = client.get("/console/").content.decode()
    assert "林伟" in html  # a Chinese name: family name first
    assert "lin.wei" in html
    assert 'data-menu-key="core.overview"' in html
    assert 'aria-current="page"' in html


def test_wrong_password_is_refused_in_chinese(client, user):
    response = client.post("/accounts/login/", {"username": "lin.wei", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post_and_ends_the_session(client, user):
    client.force_login(user)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/console/").status_code == 302


def test_password_change(client, user):
    client.force_login(user)
    html = client.get("/accounts/password/").content.decode()
    assert "修改密码" in html
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "Correct-Horse-7",
            "new_password1": "Another-Horse-8",
            "new_password2": "Another-Horse-8",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/done/"
    user.refresh_from_db()
    assert user.check_password("Another-Horse-8")
    assert "密码已修改" in client.get("/accounts/password/done/").content.decode()


def test_user_menu_shows_admin_only_to_staff(client, user):
    client.force_login(user)
    assert 'href="/admin/"' not in client.get("/console/").content.decode()
    user.is_staff = True
    user.save()
    assert 'href="/admin/"' in client.get("/console/").content.decode()


def test_404_page_in_chinese_and_in_english(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
    response = client.get("/no/such/page/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Page not found" in response.content.decode()


def test_api_paths_answer_errors_as_problems(client, db):
    response = client.get("/epcis/no-such-resource")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404


def _boom(request):
    raise RuntimeError("a bug")


def _denied(request):
    from django.core.exceptions import PermissionDenied

    raise PermissionDenied


def _bad(request):
    from django.core.exceptions import SuspiciousOperation

    raise SuspiciousOperation("tampered")


def _with_message(request):
    from django.contrib import messages
    from django.shortcuts import render

    messages.success(request, "<b>备案已提交</b>")
    return render(request, "console/index.html", {"workspaces": []})


urlpatterns = [
    path("htmx/", lambda request: _htmx_or_not(request)),
    path("message/", _with_message),
    path("boom/", _boom),
    path("api/boom/", _boom),
    path("denied/", _denied),
    path("bad/", _bad),
    path("", include("tracehub.core.urls")),
]
# the project's handlers (tracehub/urls.py), under this test URLconf
handler400, handler403, handler404, handler500 = (
    views.bad_request,
    views.permission_denied,
    views.page_not_found,
    views.server_error,
)


@override_settings(ROOT_URLCONF=__name__)
def test_500_page_in_the_users_language(db):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "系统出现错误" in response.content.decode()
    response = client.get("/boom/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Something went wrong" in response.content.decode()
    response = client.get("/api/boom/")
    assert response["Content-Type"] == "application/problem+json"


@override_settings(ROOT_URLCONF=__name__)
def test_403_and_400_pages(client, db):
    response = client.get("/denied/")
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()
    response = client.get("/bad/")
    assert response.status_code == 400
    assert "请求有误" in response.content.decode()


def test_500_page_renders_without_a_request_context():
    # whatever broke (the database, the session) must not break the error page too
    request = RequestFactory().get("/x/")
    with translation.override("zh-hans"):
        response = views.server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert PLATFORM_ZH in html
    assert "系统出现错误" in html
    assert "set_language" not in html and "setlang" not in html


def test_display_name_puts_a_chinese_family_name_first():
    from django.contrib.auth.models import User

    from tracehub.core.templatetags.tracehub import display_name

    assert display_name(User(username="u", first_name="静", last_name="陈")) == "陈静"
    assert display_name(User(username="u", first_name="Jing", last_name="Chen")) == "Jing Chen"
    assert display_name(User(username="u", first_name="", last_name="陈")) == "陈"
    assert display_name(User(username="chen.jing")) == "chen.jing"


def test_the_project_urlconf_names_the_core_error_handlers():
    from tracehub import urls

    assert urls.handler400 == "tracehub.core.views.bad_request"
    assert urls.handler403 == "tracehub.core.views.permission_denied"
    assert urls.handler404 == "tracehub.core.views.page_not_found"
    assert urls.handler500 == "tracehub.core.views.server_error"


def test_favicon_is_served_by_the_platform(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/core/favicon.svg"


@override_settings(ROOT_URLCONF=__name__)
def test_messages_are_shown_escaped(client, user):
    client.force_login(user)
    html = client.get("/message/").content.decode()
    assert '<li class="message message-success">&lt;b&gt;备案已提交&lt;/b&gt;</li>' in html


def _htmx_or_not(request):
    from django.http import HttpResponse

    return HttpResponse("htmx" if request.htmx else "page")


@override_settings(ROOT_URLCONF=__name__)
def test_htmx_requests_are_recognised(client, db):
    assert client.get("/htmx/", headers={"HX-Request": "true"}).content == b"htmx"
    assert client.get("/htmx/").content == b"page"
