"""Template helpers every page may use: ``{% load tracehub %}``."""

from __future__ import annotations

import re

from django import template

register = template.Library()

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@register.filter
def display_name(user) -> str:
    """How a person is named on a page: 陈静 (family name first, no space) for a Chinese name,
    "Jing Chen" for a Latin one, the user name when none is recorded."""
    first = (getattr(user, "first_name", "") or "").strip()
    last = (getattr(user, "last_name", "") or "").strip()
    if first and last:
        if _CJK.search(first) or _CJK.search(last):
            return f"{last}{first}"
        return f"{first} {last}"
    return first or last or user.get_username()
