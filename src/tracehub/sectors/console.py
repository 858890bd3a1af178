"""The sector entry pages in the console menu (docs/pages.md; imported by SectorsConfig.ready)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tracehub.core.console import MenuEntry, menu
from tracehub.registry.views.base import console_actor


def _sector_user(user) -> bool:
    actor = console_actor(user)
    return actor.sees_all or actor.acts_for_party or actor.oversees


menu.register(
    MenuEntry(
        "sectors.meat_veg",
        _("Meat and vegetable entry"),
        "sectors:index",
        group="workspace",
        order=60,
        visible=_sector_user,
        description=_(
            "Record slaughter, market entry, sales with trace vouchers, retail and canteen receipts."
        ),
    )
)
menu.register(
    MenuEntry(
        "sectors.drug",
        _("Drugs and medical devices"),
        "sectors_drug:index",
        group="workspace",
        order=61,
        visible=_sector_user,
        description=_(
            "Drug enterprise data centre, enforcement cases, drug code entry, lot destinations, alerts."
        ),
    )
)
menu.register(
    MenuEntry(
        "sectors.import_food",
        _("Imported food"),
        "sectors_import:index",
        group="workspace",
        order=62,
        visible=_sector_user,
        description=_(
            "Import records, customs clearance and inspection, import sales records, foreign producers."
        ),
    )
)
menu.register(
    MenuEntry(
        "sectors.liquor",
        _("Liquor distribution"),
        "liquor:index",
        group="workspace",
        order=63,
        visible=_sector_user,
        description=_(
            "Operator filing and public notice, certified products, wholesale with accompanying slips."
        ),
    )
)
menu.register(
    MenuEntry(
        "sectors.enterprise",
        _("Enterprise full chain"),
        "enterprise:index",
        group="workspace",
        order=64,
        visible=_sector_user,
        description=_("Production by recipe, key control points, findings on lots, warehouse stock by lot."),
    )
)
menu.register(
    MenuEntry(
        "sectors.agri_input",
        _("Farm inputs"),
        "sectors_agri_input:index",
        group="workspace",
        order=65,
        visible=_sector_user,
        description=_("Dealers' purchase and sale ledgers, real-name sales, designated outlets, catalogue."),
    )
)
menu.register(
    MenuEntry(
        "sectors.agri",
        _("Farm produce"),
        "sectors_agri:index",
        group="workspace",
        order=66,
        visible=_sector_user,
        description=_("Plots and farms, compliance certificates, rapid tests, inspections, evaluation."),
    )
)
menu.register(
    MenuEntry(
        "sectors.food",
        _("Food"),
        "sectors_food:index",
        group="workspace",
        order=67,
        visible=_sector_user,
        description=_(
            "Market declarations, product inspections, receipts with tickets and certificates, checks."
        ),
    )
)
