"""Tracing's entries in the console menu (docs/pages.md "Console pages and the console menu").

One group, "Traceability": trace and destinations for everyone who may trace (officials,
enterprises, operators; what each sees is ``tracehub.tracing.visibility``), recalls and
chain-integrity findings for officials and operators. The pages check again.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tracehub.core.console import MenuEntry, MenuGroup, menu
from tracehub.registry.actors import ActorKind
from tracehub.registry.views.base import console_actor
from tracehub.tracing.visibility import may_trace


def _traces(user) -> bool:
    return may_trace(console_actor(user))


def _overseer(user) -> bool:
    return console_actor(user).kind in (ActorKind.OFFICIAL, ActorKind.OPERATOR)


menu.register_group(MenuGroup("tracing", _("Traceability"), order=25))

for entry in (
    MenuEntry(
        "tracing.trace",
        _("Trace"),
        "tracing:trace",
        group="tracing",
        order=10,
        visible=_traces,
        exact=True,
        description=_("Where a code came from and where it went, as a picture."),
    ),
    MenuEntry(
        "tracing.destinations",
        _("Destinations"),
        "tracing:destinations",
        group="tracing",
        order=20,
        visible=_traces,
        description=_("Where a lot went, by district and by shop."),
    ),
    MenuEntry(
        "tracing.recalls",
        _("Recalls"),
        "tracing:recall-list",
        group="tracing",
        order=30,
        visible=_overseer,
        description=_("Recalls of your sectors; declare one."),
    ),
    MenuEntry(
        "tracing.findings",
        _("Chain findings"),
        "tracing:findings",
        group="tracing",
        order=40,
        visible=_overseer,
        description=_("Gaps in the recorded chains of your recalls."),
    ),
):
    menu.register(entry)
