"""System checks of the page foundation (``manage.py check`` and every test run)."""

from __future__ import annotations

from django.core.checks import Error, Tags, register


@register(Tags.urls)
def console_menu_check(app_configs, **kwargs):
    from tracehub.core.console import menu

    return [Error(problem, id="tracehub.E001") for problem in menu.problems()]
