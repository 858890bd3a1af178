"""The registry's entries in the console menu (docs/pages.md "Console pages and the console menu").

Two groups: "My enterprise" for an enterprise's administrator and staff, "Supervision" for bureau
officials, platform operators and (read-only) certification auditors. Which entries a user sees
follows their role; the pages check again (403/404), the menu only saves a click.
The bulk import (registry/imports.py) adds its own entry to the "enterprise" group; orders
50-59 are left for it.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tracehub.core.console import MenuEntry, MenuGroup, menu
from tracehub.registry.actors import ActorKind
from tracehub.registry.views.base import (
    console_actor,
    is_enterprise,
    is_enterprise_admin,
    is_overseer,
    is_reader,
    lacks_party,
)


def _has_role(user) -> bool:
    """Anyone with a console role, or an enterprise user still to register their party; a user
    without a role has no notifications and no registry page."""
    return console_actor(user).kind != ActorKind.NOBODY or lacks_party(user)


def _enterprise(user) -> bool:
    return is_enterprise(console_actor(user))


def _enterprise_admin(user) -> bool:
    return is_enterprise_admin(console_actor(user))


def _overseer(user) -> bool:
    return is_overseer(console_actor(user))


def _reader(user) -> bool:
    return is_reader(console_actor(user))


menu.register_group(MenuGroup("enterprise", _("My enterprise"), order=20))
menu.register_group(MenuGroup("oversight", _("Supervision"), order=30))

for entry in (
    # Everyone signed in.
    MenuEntry(
        "registry.notifications",
        _("Notifications"),
        "registry:notification-list",
        group="workspace",
        order=90,
        visible=_has_role,
        description=_("Filing decisions, licence reminders and other messages for you."),
    ),
    MenuEntry(
        "registry.register-party",
        _("Register your party"),
        "registry:my-party",
        group="workspace",
        order=10,
        visible=lacks_party,
        description=_("Your account is not linked to an enterprise yet."),
    ),
    # Enterprises (G1, G4: the party files itself and keeps its master data).
    MenuEntry(
        "registry.my-party",
        _("Party and filing"),
        "registry:my-party",
        group="enterprise",
        order=10,
        visible=_enterprise,
        description=_("Your party's data, its filing and the bureau's decisions."),
    ),
    MenuEntry(
        "registry.licences",
        _("Licences"),
        "registry:licence-list",
        group="enterprise",
        order=20,
        visible=_enterprise,
        description=_("Licences and documents with their scans; expiring ones are flagged."),
    ),
    MenuEntry(
        "registry.locations",
        _("Locations"),
        "registry:location-list",
        group="enterprise",
        order=30,
        visible=_enterprise,
        description=_("Farms, plants, warehouses, stalls and shops by SGLN or platform code."),
    ),
    MenuEntry(
        "registry.products",
        _("Products"),
        "registry:product-list",
        group="enterprise",
        order=40,
        visible=_enterprise,
        description=_("Products by GTIN or platform code, with their sector attributes."),
    ),
    MenuEntry(
        "registry.my-events",
        _("Events"),
        "registry:event-list",
        group="enterprise",
        order=60,
        visible=_enterprise,
        description=_("The traceability events recorded for your party."),
    ),
    MenuEntry(
        "registry.capture-jobs",
        _("Capture jobs"),
        "registry:capture-job-list",
        group="enterprise",
        order=70,
        visible=_enterprise,
        description=_("What your systems sent to the platform, and what was refused."),
    ),
    MenuEntry(
        "registry.staff",
        _("Staff accounts"),
        "registry:member-list",
        group="enterprise",
        order=80,
        visible=_enterprise_admin,
        description=_("Console accounts of your administrators and staff."),
    ),
    MenuEntry(
        "registry.api-keys",
        _("API keys"),
        "registry:apikey-list",
        group="enterprise",
        order=90,
        visible=_enterprise_admin,
        description=_("Keys of your enterprise systems that send events."),
    ),
    MenuEntry(
        "registry.my-audit",
        _("Audit trail"),
        "registry:audit-list",
        group="enterprise",
        order=100,
        visible=_enterprise_admin,
        description=_("Every change to your party's data, and who made it."),
    ),
    # Bureau officials and operators (G3-G6 review, O3 audit); auditors read.
    MenuEntry(
        "registry.review",
        _("Review queue"),
        "registry:review-queue",
        group="oversight",
        order=10,
        visible=_overseer,
        description=_("Filings of your sectors waiting for a decision."),
    ),
    MenuEntry(
        "registry.parties",
        _("Parties"),
        "registry:party-list",
        group="oversight",
        order=20,
        visible=_reader,
        description=_("Search enterprises and individuals on the register."),
    ),
    MenuEntry(
        "registry.filings",
        _("Filings"),
        "registry:filing-list",
        group="oversight",
        order=30,
        visible=_reader,
        description=_("Every filing and its history."),
    ),
    MenuEntry(
        "registry.expiring",
        _("Expiring licences"),
        "registry:licence-expiring",
        group="oversight",
        order=40,
        visible=_reader,
        description=_("Licences that expire soon, soonest first."),
    ),
    MenuEntry(
        "registry.events",
        _("Events"),
        "registry:event-list",
        group="oversight",
        order=50,
        visible=_overseer,
        description=_("The traceability events your sectors may see."),
    ),
    MenuEntry(
        "registry.audit",
        _("Audit search"),
        "registry:audit-list",
        group="oversight",
        order=60,
        visible=_overseer,
        description=_("Who changed what, when; before and after."),
    ),
):
    menu.register(entry)
