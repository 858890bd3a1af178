"""The bulk import's entries in the console menu (docs/pages.md; imported by RegistryConfig.ready).

Enterprise administrators find it in "My enterprise" beside their locations and products (order
50, the place ``registry/console.py`` leaves for it); operators and officials, who import
parties, in "Supervision". The page checks again what each may import.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tracehub.core.console import MenuEntry, menu
from tracehub.registry.actors import ActorKind
from tracehub.registry.views.base import console_actor, is_enterprise_admin


def _enterprise_importer(user) -> bool:
    return is_enterprise_admin(console_actor(user))


def _overseer_importer(user) -> bool:
    return console_actor(user).kind in (ActorKind.OPERATOR, ActorKind.OFFICIAL)


menu.register(
    MenuEntry(
        "registry.import",
        _("Bulk import"),
        "registry_import:index",
        group="enterprise",
        order=50,
        visible=_enterprise_importer,
        description=_("Upload locations or products from Excel or CSV, check every row, store them at once."),
    )
)
menu.register(
    MenuEntry(
        "registry.import-parties",
        _("Bulk import"),
        "registry_import:index",
        group="oversight",
        order=70,
        visible=_overseer_importer,
        description=_("Register parties from Excel or CSV: every row checked first, all stored or none."),
    )
)
