"""The portal's entries in the console menu: consumer reports and authenticity alerts, for the
officials of the sectors concerned and for platform operators (docs/portal.md)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tracehub.core.console import MenuEntry, menu


def _overseer(user) -> bool:
    from tracehub.registry.views.base import console_actor, is_overseer

    return is_overseer(console_actor(user))


for entry in (
    MenuEntry(
        "portal.reports",
        _("Consumer reports"),
        "portal-console:report-list",
        group="oversight",
        order=70,
        visible=_overseer,
        description=_("Complaints and reports consumers filed on product pages, for your sectors."),
    ),
    MenuEntry(
        "portal.alerts",
        _("Authenticity alerts"),
        "portal-console:alert-list",
        group="oversight",
        order=71,
        visible=_overseer,
        description=_("Codes looked up in ways that suggest a copy, for your sectors."),
    ),
):
    menu.register(entry)
