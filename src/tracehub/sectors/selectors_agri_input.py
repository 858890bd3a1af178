"""Reads of the farm inputs subsystem (农资, G5): the ledgers, stock by product, the officials' sales
search, the catalogue, designated outlets, and farms' usage filings (使用备案) with a plot's
pre-harvest interval state. Each a fixed number of queries.

Who sees what: a dealer's users and clients its own ledgers and stock; the agriculture bureau's
officials and subsystems (sector ``agri_input``) every dealer in their districts; the platform all;
anyone else nothing. The catalogue and the list of designated outlets are public notices of the
bureau: every signed-in caller reads them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max, Q, QuerySet, Sum

from tracehub.registry.actors import Actor
from tracehub.registry.models import FilingStatus, Party
from tracehub.sectors.models_agri import PlantingPlot
from tracehub.sectors.models_agri_input import (
    AgriInputLedgerEntry,
    AgriInputProduct,
    AgriInputUsage,
    DesignatedOutlet,
    LedgerDirection,
)

SECTOR = "agri_input"
LIST_LIMIT = 200


def oversees(actor: Actor) -> bool:
    return actor.sees_all or (actor.oversees and SECTOR in actor.sectors)


def _scope(actor: Actor, rows: QuerySet, dealer_field: str = "dealer") -> QuerySet:
    if actor.sees_all:
        return rows
    if actor.oversees and SECTOR in actor.sectors:
        if actor.districts is None:
            return rows
        return rows.filter(
            Q(**{f"{dealer_field}__district__in": actor.districts}) | Q(**{f"{dealer_field}__district": ""})
        )
    if actor.acts_for_party:
        return rows.filter(**{f"{dealer_field}_id": actor.party_id})
    return rows.none()


def ledger_entries(
    *,
    actor: Actor,
    direction: str = "",
    dealer_id: int | None = None,
    registration_number: str = "",
    product: str = "",
    buyer_digest: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AgriInputLedgerEntry]:
    """Ledger rows the actor may see, newest first, with dealer, counterparty and catalogue product
    (one query however many rows). ``buyer_digest`` is the keyed digest of a buyer's ID number
    (exact); ``product`` matches the name or registration number."""
    rows = _scope(actor, AgriInputLedgerEntry.objects.select_related("dealer", "counterparty", "product"))
    if direction:
        rows = rows.filter(direction=direction)
    if dealer_id is not None:
        rows = rows.filter(dealer_id=dealer_id)
    if registration_number:
        rows = rows.filter(registration_number=registration_number)
    if product:
        rows = rows.filter(Q(product_name__icontains=product) | Q(registration_number__iexact=product))
    if buyer_digest:
        rows = rows.filter(buyer_id_digest=buyer_digest)
    if date_from:
        rows = rows.filter(day__gte=date_from)
    if date_to:
        rows = rows.filter(day__lte=date_to)
    return rows.order_by("-day", "-id")


def ledger_entry_get(*, actor: Actor, pk: int) -> AgriInputLedgerEntry | None:
    return ledger_entries(actor=actor).filter(pk=pk).first()


def stock_by_product(*, actor: Actor, dealer_id: int) -> list[dict]:
    """A dealer's stock by product (registration number, specification, unit): purchases less sales,
    from its ledgers. One query; empty for a dealer the actor may not see."""
    rows = _scope(actor, AgriInputLedgerEntry.objects.filter(dealer_id=dealer_id))
    grouped = (
        rows.values("registration_number", "specification", "unit")
        .annotate(
            name=Max("product_name"),
            kind=Max("kind"),
            purchased=Sum("quantity", filter=Q(direction=LedgerDirection.PURCHASE), default=Decimal(0)),
            sold=Sum("quantity", filter=Q(direction=LedgerDirection.SALE), default=Decimal(0)),
        )
        .order_by("registration_number", "specification", "unit")
    )
    return [{**row, "stock": row["purchased"] - row["sold"]} for row in grouped]


def dealers_for(actor: Actor) -> QuerySet[Party]:
    """Filed dealers whose ledgers the actor may see (for filters and the platform's forms)."""
    rows = Party.objects.filter(
        Q(sectors__sector=SECTOR) | Q(party_type="agri_input_dealer"), filing_status=FilingStatus.APPROVED
    ).distinct()
    if actor.sees_all:
        return rows.order_by("name")
    if actor.oversees and SECTOR in actor.sectors:
        if actor.districts is not None:
            rows = rows.filter(Q(district__in=actor.districts) | Q(district=""))
        return rows.order_by("name")
    if actor.acts_for_party:
        return Party.objects.filter(pk=actor.party_id)
    return Party.objects.none()


def may_see_dealer(actor: Actor, dealer_id: int) -> bool:
    """Whether the actor may see this dealer's ledgers and stock (one query at most)."""
    if actor.sees_all:
        return Party.objects.filter(pk=dealer_id).exists()
    if actor.acts_for_party:
        return actor.party_id == dealer_id
    if actor.oversees and SECTOR in actor.sectors:
        rows = Party.objects.filter(pk=dealer_id)
        if actor.districts is not None:
            rows = rows.filter(Q(district__in=actor.districts) | Q(district=""))
        return rows.exists()
    return False


def filed_suppliers(*, exclude: int | None = None) -> QuerySet[Party]:
    """Filed parties with a credit code: who a dealer may buy from (the purchase form's choices)."""
    rows = Party.objects.filter(filing_status=FilingStatus.APPROVED).exclude(uscc="")
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return rows.order_by("name")


def catalogue(*, q: str = "", kind: str = "") -> QuerySet[AgriInputProduct]:
    rows = AgriInputProduct.objects.all()
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(registration_number__iexact=q))
    if kind:
        rows = rows.filter(kind=kind)
    return rows.order_by("registration_number")


def designated_outlets(
    *, current_only: bool = False, on: dt.date | None = None
) -> QuerySet[DesignatedOutlet]:
    """Designations, with their dealers (one query); ``current_only``: those valid ``on`` (today)."""
    rows = DesignatedOutlet.objects.select_related("dealer")
    if current_only:
        from django.utils import timezone

        day = on or timezone.localdate()
        rows = rows.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day), valid_from__lte=day)
    return rows.order_by("dealer__name", "-valid_from")


def outlet_get(*, pk: int) -> DesignatedOutlet | None:
    return DesignatedOutlet.objects.select_related("dealer").filter(pk=pk).first()


# -- usage filings (使用备案) ----------------------------------------------------------------------------


def usages(
    *,
    actor: Actor,
    party_id: int | None = None,
    plot_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AgriInputUsage]:
    """Usage filings the actor may see (a farm its own, the agriculture bureau its districts, the
    platform all), newest first, with farm, plot, dealer and catalogue product (one query)."""
    rows = _scope(actor, AgriInputUsage.objects.select_related("party", "plot", "dealer", "product"), "party")
    if party_id is not None:
        rows = rows.filter(party_id=party_id)
    if plot_id is not None:
        rows = rows.filter(plot_id=plot_id)
    if date_from:
        rows = rows.filter(day__gte=date_from)
    if date_to:
        rows = rows.filter(day__lte=date_to)
    return rows.order_by("-day", "-id")


def plot_get(*, actor: Actor, pk: int) -> PlantingPlot | None:
    """A planting plot whose usage filings the actor may see (as :func:`usages`); None otherwise."""
    return _scope(actor, PlantingPlot.objects.select_related("party"), "party").filter(pk=pk).first()


def plots_for(actor: Actor) -> QuerySet[PlantingPlot]:
    """The plots a farm's user files usage on: its own (the platform: all)."""
    rows = PlantingPlot.objects.select_related("party")
    if actor.sees_all:
        return rows.order_by("party__name", "name")
    if actor.acts_for_party:
        return rows.filter(party_id=actor.party_id).order_by("name")
    return rows.none()


@dataclass(frozen=True)
class PlotInterval:
    """A plot's pesticide state on a day: its last pesticide use on or before the day, the day its
    pre-harvest intervals (安全间隔期) all end (the latest use day + interval of those uses), and
    whether that day has come (``ended``; True when no pesticide was used)."""

    plot: PlantingPlot
    on: dt.date
    last_use: AgriInputUsage | None
    ends_on: dt.date | None

    @property
    def ended(self) -> bool:
        return self.ends_on is None or self.on >= self.ends_on


def plot_interval(*, plot: PlantingPlot, on: dt.date) -> PlotInterval:
    """The pesticide state of ``plot`` on ``on`` (for certificates: produce is harvested only after
    every pre-harvest interval has ended). One query."""
    uses = list(
        AgriInputUsage.objects.filter(plot=plot, kind="pesticide", day__lte=on)
        .select_related("dealer", "product")
        .order_by("-day", "-id")
    )
    ends = [u.interval_ends_on for u in uses if u.interval_ends_on is not None]
    return PlotInterval(plot, on, uses[0] if uses else None, max(ends) if ends else None)
