"""The audit search (审计日志, issue #3 item 8; O3): who did what to which object, when, before and
after. Officials search the audit of the parties they oversee, operators everything, an
enterprise administrator their own party's."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

from django.utils import timezone

from tracehub.registry import selectors, services
from tracehub.registry.forms import AuditFilterForm
from tracehub.registry.views.base import OVERSEERS, console_page, paginate, render_page


def _shown(value) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _changes(entry) -> list[tuple[str, str | None, str | None]]:
    """(field, before, after) of each value that differs, for the row's details."""
    before = entry.before if isinstance(entry.before, dict) else {}
    after = entry.after if isinstance(entry.after, dict) else {}
    return [
        (name, _shown(before.get(name)), _shown(after.get(name)))
        for name in dict.fromkeys([*before, *after])
        if before.get(name) != after.get(name)
    ]


def _midnight(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@console_page(*OVERSEERS, "enterprise_admin")
def audit_list(request, actor):
    services.require_audit_view(actor=actor)
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = selectors.audit_list(
        actor=actor,
        actor_label=filters.get("actor"),
        action=filters.get("action"),
        object_type=filters.get("object_type"),
        object_id=filters.get("object_id"),
        since=_midnight(filters["since"]) if filters.get("since") else None,
        until=_midnight(filters["until"] + timedelta(days=1)) if filters.get("until") else None,
    )
    page = paginate(request, entries)
    rows = [{"entry": entry, "changes": _changes(entry)} for entry in page.object_list]
    return render_page(request, "registry/audit_list.html", {"form": form, "page": page, "rows": rows})
