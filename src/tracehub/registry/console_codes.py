"""Code allocation's entries in the console menu (docs/pages.md; imported by RegistryConfig.ready).

Enterprises (administrators and staff) find "Codes and labels" in "My enterprise" after their
products (order 45); officials and operators read allocations in "Supervision" (order 55).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tracehub.core.console import MenuEntry, menu
from tracehub.registry.views.base import console_actor, is_enterprise, is_overseer


def _enterprise(user) -> bool:
    return is_enterprise(console_actor(user))


def _overseer(user) -> bool:
    return is_overseer(console_actor(user))


menu.register(
    MenuEntry(
        "registry.codes",
        _("Codes and labels"),
        "registry:code-list",
        group="enterprise",
        order=45,
        visible=_enterprise,
        description=_("Allocate codes for a product and lot; download them and print labels."),
    )
)
menu.register(
    MenuEntry(
        "registry.code-allocations",
        _("Code allocations"),
        "registry:code-list",
        group="oversight",
        order=55,
        visible=_overseer,
        description=_("Which codes were allocated to whom, for which product and lot, and when."),
    )
)
