"""The console menu registry: apps add entries, each user sees what they may open."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Permission
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from tracehub.core.console import ConsoleMenu, MenuEntry, MenuGroup, menu


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user("zhao.lei", password="Correct-Horse-7")


@pytest.fixture
def fresh_menu():
    m = ConsoleMenu()
    m.register_group(MenuGroup("workspace", "Workspace", order=0))
    m.register_group(MenuGroup("registry", "Registry", order=20))
    m.register_group(MenuGroup("tracing", "Tracing", order=10))
    m.register(MenuEntry("core.overview", "Overview", "console", exact=True, order=0))
    return m


def _keys(groups):
    return [[item.key for item in group.entries] for group in groups]


def test_entries_are_grouped_and_ordered(fresh_menu, user):
    fresh_menu.register(MenuEntry("registry.b", "B", "home", group="registry", order=20))
    fresh_menu.register(MenuEntry("registry.a", "A", "login", group="registry", order=10))
    fresh_menu.register(MenuEntry("tracing.trace", "Trace", "password_change", group="tracing"))
    groups = fresh_menu.for_user(user, "/console/")
    assert [g.group.key for g in groups] == ["workspace", "tracing", "registry"]
    assert _keys(groups) == [["core.overview"], ["tracing.trace"], ["registry.a", "registry.b"]]


def test_anonymous_users_see_nothing(fresh_menu):
    assert fresh_menu.for_user(AnonymousUser(), "/console/") == []
    assert fresh_menu.for_user(None, "/console/") == []


def test_permissions_and_visibility_tests_hide_entries(fresh_menu, user):
    fresh_menu.register(
        MenuEntry("registry.users", "Users", "home", group="registry", permission="auth.view_user")
    )
    fresh_menu.register(
        MenuEntry("registry.staff", "Staff", "login", group="registry", visible=lambda u: u.is_staff)
    )
    assert _keys(fresh_menu.for_user(user, "/console/")) == [["core.overview"]]
    user.user_permissions.add(Permission.objects.get(codename="view_user"))
    user.is_staff = True
    user.save()
    user = get_user_model().objects.get(pk=user.pk)  # a fresh permission cache
    assert _keys(fresh_menu.for_user(user, "/console/")) == [
        ["core.overview"],
        ["registry.staff", "registry.users"],
    ]


def test_the_most_specific_entry_is_active(fresh_menu, user):
    fresh_menu.register(MenuEntry("core.password", "Password", "password_change", group="workspace"))

    def active(path):
        return [i.key for g in fresh_menu.for_user(user, path) for i in g.entries if i.active]

    assert active("/console/") == ["core.overview"]
    assert active("/accounts/password/") == ["core.password"]
    assert active("/accounts/password/done/") == ["core.password"]
    # "exact" keeps the overview from claiming every page below /console/
    assert active("/console/somewhere/else/") == []


def test_a_key_registered_twice_is_an_error(fresh_menu):
    fresh_menu.register(MenuEntry("registry.a", "A", "home", group="registry"))
    fresh_menu.register(MenuEntry("registry.a", "A", "home", group="registry"))  # the same: harmless
    with pytest.raises(ImproperlyConfigured):
        fresh_menu.register(MenuEntry("registry.a", "Other", "home", group="registry"))
    with pytest.raises(ImproperlyConfigured):
        fresh_menu.register_group(MenuGroup("registry", "Something else"))


def test_problems_name_unknown_urls_and_groups(fresh_menu):
    fresh_menu.register(MenuEntry("x.bad-url", "X", "no-such-url", group="registry"))
    fresh_menu.register(MenuEntry("x.bad-group", "Y", "home", group="nowhere"))
    problems = sorted(fresh_menu.problems())
    assert len(problems) == 2
    assert "'x.bad-group' names an unknown group 'nowhere'" in problems[0]
    assert "'x.bad-url' names the URL 'no-such-url'" in problems[1]


def test_system_check_reports_a_broken_entry():
    call_command("check")
    menu.register(MenuEntry("test.broken", "Broken", "no-such-url-name"))
    try:
        with pytest.raises(SystemCheckError, match="no-such-url-name"):
            call_command("check")
    finally:
        menu.unregister("test.broken")


def test_an_app_entry_appears_on_the_console_without_touching_core_templates(client, user):
    entry = MenuEntry(
        "test.parties",
        "Parties of the test",
        "password_change",
        group="workspace",
        order=50,
        description="Registered by a test",
    )
    menu.register(entry)
    try:
        client.force_login(user)
        html = client.get("/console/").content.decode()
        assert 'data-menu-key="test.parties"' in html  # the menu
        assert "Parties of the test" in html and "Registered by a test" in html  # the landing tiles
        assert "暂无可用的工作区" not in html
    finally:
        menu.unregister("test.parties")
    html = client.get("/console/").content.decode()
    assert 'data-menu-key="test.parties"' not in html
    assert "暂无可用的工作区" in html
