"""Reads of the liquor distribution subsystem (G3): the public notice (公示) of filed operators and
certified products, the public catalogue (网络推广), accompanying slips. Each a fixed number of queries."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from tracehub.epcis.models import EventIndex
from tracehub.registry.actors import Actor
from tracehub.registry.models import FilingStatus
from tracehub.sectors.models_liquor import (
    LiquorFilingStatus,
    LiquorOperatorFiling,
    LiquorProduct,
    LiquorProductStatus,
    LiquorSlip,
)

#: At most this many rows on a page or in an API answer.
LIMIT = 200


def public_operators() -> QuerySet[LiquorOperatorFiling]:
    """Filed operators (已备案): approved liquor filings of parties filed with the platform. One query."""
    return (
        LiquorOperatorFiling.objects.filter(
            status=LiquorFilingStatus.APPROVED, party__filing_status=FilingStatus.APPROVED
        )
        .select_related("party")
        .order_by("number")[:LIMIT]
    )


def certified_products(*, promoted_only: bool = False) -> QuerySet[LiquorProduct]:
    """Certified liquor products (已认证), with their product and producer party. One query."""
    rows = LiquorProduct.objects.filter(status=LiquorProductStatus.CERTIFIED).select_related(
        "product", "product__party"
    )
    if promoted_only:
        rows = rows.filter(promoted=True)
    return rows.order_by("product__brand", "product__name", "id")[:LIMIT]


def catalogue() -> list[dict]:
    """The public catalogue (网络推广): promoted certified products, each with its product page
    (``/01/{gtin}`` or ``/t/…``) and the lots traced on the platform. Two queries."""
    products = list(certified_products(promoted_only=True))
    prefixes = [f"01/{p.product.gtin.zfill(14)}/10/" for p in products if p.product.gtin]
    lots: dict[str, list[str]] = {}
    if prefixes:
        q = Q()
        for prefix in prefixes:
            q |= Q(key__startswith=prefix)
        for key in (
            EventIndex.objects.filter(q, role="lot")
            .values_list("key", flat=True)
            .distinct()
            .order_by("key")[:LIMIT]
        ):
            lots.setdefault(key.split("/10/")[0], []).append(key)
    out = []
    for info in products:
        product = info.product
        path = f"/01/{product.gtin.zfill(14)}" if product.gtin else f"/t/{product.platform_code}"
        out.append(
            {
                "info": info,
                "product": product,
                "path": path,
                "lots": [f"/{key}" for key in lots.get(f"01/{product.gtin.zfill(14)}", [])][:10]
                if product.gtin
                else [],
            }
        )
    return out


def _slip_scope(actor: Actor) -> Q | None:
    if actor.sees_all:
        return None
    if actor.oversees:
        if "liquor" not in actor.sectors:
            return Q(pk__in=[])
        if actor.districts is None:
            return None
        districts = sorted(actor.districts)
        return Q(seller__district__in=districts) | Q(buyer__district__in=districts)
    if actor.acts_for_party:
        return Q(seller_id=actor.party_id) | Q(buyer_id=actor.party_id)
    return Q(pk__in=[])


def slips_for(actor: Actor, *, limit: int = 50) -> QuerySet[LiquorSlip]:
    """Slips the actor may see: its party's (sold or bought), the liquor bureau's, or all. One query."""
    rows = LiquorSlip.objects.select_related("seller", "buyer", "location").order_by("-shipped_at", "-id")
    scope = _slip_scope(actor)
    return (rows if scope is None else rows.filter(scope))[:limit]


def slip_get(*, actor: Actor, number: str) -> LiquorSlip | None:
    rows = LiquorSlip.objects.select_related("seller", "buyer", "location").filter(number=number)
    scope = _slip_scope(actor)
    return (rows if scope is None else rows.filter(scope)).first()


def filings_for(actor: Actor) -> QuerySet[LiquorOperatorFiling]:
    """Liquor filings the actor may see: its own party's, or those the liquor bureau decides."""
    rows = LiquorOperatorFiling.objects.select_related("party").order_by("-submitted_at", "-id")
    if actor.sees_all:
        return rows[:LIMIT]
    if actor.oversees and "liquor" in actor.sectors:
        return (
            rows if actor.districts is None else rows.filter(party__district__in=sorted(actor.districts))
        )[:LIMIT]
    if actor.acts_for_party:
        return rows.filter(party_id=actor.party_id)[:LIMIT]
    return rows.none()


def products_for(actor: Actor) -> QuerySet[LiquorProduct]:
    """Liquor product records the actor manages or decides: its party's, or (the liquor bureau,
    the platform) those of the parties in its districts. One query."""
    rows = LiquorProduct.objects.select_related("product", "product__party").order_by("-created_at", "-id")
    if actor.sees_all:
        return rows[:LIMIT]
    if actor.oversees and "liquor" in actor.sectors:
        if actor.districts is None:
            return rows[:LIMIT]
        return rows.filter(product__party__district__in=sorted(actor.districts))[:LIMIT]
    if actor.acts_for_party:
        return rows.filter(product__party_id=actor.party_id)[:LIMIT]
    return rows.none()


def unregistered_liquor_products(actor: Actor):
    """The actor's party's registry products of the liquor sector without liquor information yet
    (unsliced: the caller takes a page or looks one up)."""
    from tracehub.registry.models import Product

    if not actor.acts_for_party:
        return Product.objects.none()
    return Product.objects.filter(
        party_id=actor.party_id, sectors__sector="liquor", liquor__isnull=True
    ).order_by("name", "id")
