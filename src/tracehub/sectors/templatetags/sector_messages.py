"""``{{ error|sector_message }}``: a sector refusal stored with its code and params (an import's row
errors), shown in the reader's language (tracehub.sectors.messages; docs/sectors/README.md)."""

from __future__ import annotations

from django import template

from tracehub.sectors.messages import render

register = template.Library()


@register.filter
def sector_message(error) -> str:
    return render(error)
