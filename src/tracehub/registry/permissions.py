"""Who may see and do what in the registry (issue #3 item 4): object-level rules and list scopes.

One rule set (``rules`` predicates over an ``Actor`` and an object) decides single objects; the
``*_scope`` functions give the same answers as queryset filters for lists, so a list never shows
what a detail would refuse. docs/permissions.md is the matrix these implement, and
tests/registry/test_permission_matrix.py walks it over every API route.

The rules in words:

* platform operators, platform API clients and the system see and do everything;
* officials and department subsystems (``oversees``) see the parties with a sector of their
  department (and its sub-departments) in their districts (an official's districts; a department
  client and a city-wide official: every district and parties outside Xiamen), those parties'
  filings, licences and locations, and the products of their sectors or of those parties; they
  decide those parties' filings and may unmask their ID numbers (audited); officials register
  parties of their sectors;
* an enterprise administrator or a party's API client sees and edits its own party, locations,
  products and licences and files it; the administrator (a person) also manages its staff and
  API keys; enterprise staff see their party's data;
* certification auditors read every party, filing and licence;
* the anonymous public sees nothing of the registry.
"""

from __future__ import annotations

import rules
from django.db.models import Exists, OuterRef, Q

from tracehub.registry.actors import Actor, ActorKind

NOTHING = Q(pk__in=[])


# -- predicates over the actor alone ---------------------------------------------------------------


@rules.predicate
def sees_all(actor: Actor) -> bool:
    return actor.sees_all


@rules.predicate
def oversees(actor: Actor) -> bool:
    return actor.oversees


@rules.predicate
def is_official(actor: Actor) -> bool:
    return actor.kind == ActorKind.OFFICIAL


@rules.predicate
def is_auditor(actor: Actor) -> bool:
    return actor.kind == ActorKind.AUDITOR


@rules.predicate
def is_enterprise_admin(actor: Actor) -> bool:
    return actor.kind == ActorKind.ENTERPRISE_ADMIN


# -- predicates over a party ------------------------------------------------------------------------


def _oversees_party(actor: Actor, party) -> bool:
    if not actor.oversees or party is None:
        return False
    if actor.districts is not None and party.district not in actor.districts:
        return False
    return bool(actor.sectors.intersection(party.sector_codes))


@rules.predicate
def oversees_party(actor: Actor, party) -> bool:
    return _oversees_party(actor, party)


@rules.predicate
def member_of_party(actor: Actor, party) -> bool:
    return party is not None and actor.acts_for_party and actor.party_id == party.pk


@rules.predicate
def manages_party(actor: Actor, party) -> bool:
    """Edits the party's data: its administrator or its own API client."""
    return (
        party is not None
        and actor.party_id == party.pk
        and actor.kind in (ActorKind.ENTERPRISE_ADMIN, ActorKind.PARTY_CLIENT)
    )


@rules.predicate
def administers_party(actor: Actor, party) -> bool:
    """Manages staff and keys: the party's administrator, a person (never a key minting keys)."""
    return party is not None and actor.kind == ActorKind.ENTERPRISE_ADMIN and actor.party_id == party.pk


# Objects that belong to a party: their rules are the party's, through ``.party``.
def _party_of(obj):
    return getattr(obj, "party", obj)


@rules.predicate
def oversees_owner(actor: Actor, obj) -> bool:
    return _oversees_party(actor, _party_of(obj))


@rules.predicate
def member_of_owner(actor: Actor, obj) -> bool:
    party = _party_of(obj)
    return party is not None and actor.acts_for_party and actor.party_id == party.pk


@rules.predicate
def manages_owner(actor: Actor, obj) -> bool:
    return manages_party(actor, _party_of(obj))


@rules.predicate
def operates_location(actor: Actor, location) -> bool:
    return actor.acts_for_party and location is not None and location.operator_id == actor.party_id


@rules.predicate
def oversees_location_operator(actor: Actor, location) -> bool:
    return (
        location is not None
        and location.operator_id is not None
        and _oversees_party(actor, location.operator)
    )


@rules.predicate
def product_in_sectors(actor: Actor, product) -> bool:
    return actor.oversees and product is not None and bool(actor.sectors.intersection(product.sector_codes))


# -- the rule set -------------------------------------------------------------------------------------

registry_rules = rules.RuleSet()

# Parties. "party.create" takes no object.
registry_rules.add_rule("party.view", sees_all | is_auditor | oversees_party | member_of_party)
registry_rules.add_rule("party.create", sees_all | is_official)
registry_rules.add_rule("party.change", sees_all | manages_party)
registry_rules.add_rule("party.reveal_id_number", sees_all | oversees_party)
registry_rules.add_rule("party.manage_members", sees_all | administers_party)
registry_rules.add_rule("party.manage_api_clients", sees_all | administers_party)
# Filings: the object is the filing (or, to submit, the party).
registry_rules.add_rule("filing.view", sees_all | is_auditor | oversees_owner | member_of_owner)
registry_rules.add_rule("filing.submit", sees_all | manages_owner)
registry_rules.add_rule("filing.decide", sees_all | oversees_owner)
# Licences: to create, the object is the party.
registry_rules.add_rule("licence.view", sees_all | is_auditor | oversees_owner | member_of_owner)
registry_rules.add_rule("licence.change", sees_all | manages_owner)
# Locations.
registry_rules.add_rule(
    "location.view",
    sees_all | oversees_owner | member_of_owner | operates_location | oversees_location_operator,
)
registry_rules.add_rule("location.change", sees_all | manages_owner)
# Products.
registry_rules.add_rule("product.view", sees_all | oversees_owner | product_in_sectors | member_of_owner)
registry_rules.add_rule("product.change", sees_all | manages_owner)
# Code allocation (赋码, docs/codes.md): the object is the product to allocate for, or the
# allocation. Seeing an allocation is seeing its product ("product.view" on ``allocation.product``);
# allocating and exporting the codes (CSV, labels) are the party's own work: its administrator, staff
# and API client, and the platform. Officials read the records, never the code lists.
registry_rules.add_rule("code.allocate", sees_all | member_of_owner)
registry_rules.add_rule("code.export", sees_all | member_of_owner)
# The audit trail (scoped further by ``audit_scope``).
registry_rules.add_rule("audit.view", sees_all | oversees | is_enterprise_admin)


def can(actor: Actor, permission: str, obj=None) -> bool:
    return registry_rules.test_rule(permission, actor, obj)


# -- list scopes: the same rules as queryset filters -----------------------------------------------------


def _oversight_q(actor: Actor, prefix: str = "") -> Q:
    from tracehub.registry.models import PartySector

    ref = "pk" if not prefix else prefix[:-2] + "_id"  # "party__" -> the party_id column
    q = Q(Exists(PartySector.objects.filter(party_id=OuterRef(ref), sector__in=actor.sectors)))
    if actor.districts is not None:
        q &= Q(**{f"{prefix}district__in": sorted(actor.districts)})
    return q


def party_scope(actor: Actor) -> Q | None:
    """Filter over Party for "party.view"; None means every party."""
    if actor.sees_all or actor.kind == ActorKind.AUDITOR:
        return None
    if actor.oversees:
        return _oversight_q(actor)
    if actor.acts_for_party:
        return Q(pk=actor.party_id)
    return NOTHING


def _owned_scope(actor: Actor, *, auditor: bool) -> Q | None:
    if actor.sees_all or (auditor and actor.kind == ActorKind.AUDITOR):
        return None
    if actor.oversees:
        return _oversight_q(actor, "party__")
    if actor.acts_for_party:
        return Q(party_id=actor.party_id)
    return NOTHING


def filing_scope(actor: Actor) -> Q | None:
    return _owned_scope(actor, auditor=True)


def licence_scope(actor: Actor) -> Q | None:
    return _owned_scope(actor, auditor=True)


def location_scope(actor: Actor) -> Q | None:
    if actor.sees_all:
        return None
    if actor.oversees:
        return _oversight_q(actor, "party__") | (
            Q(operator__isnull=False) & _oversight_q(actor, "operator__")
        )
    if actor.acts_for_party:
        return Q(party_id=actor.party_id) | Q(operator_id=actor.party_id)
    return NOTHING


def product_scope(actor: Actor) -> Q | None:
    if actor.sees_all:
        return None
    if actor.oversees:
        from tracehub.registry.models import ProductSector

        in_sectors = Q(
            Exists(ProductSector.objects.filter(product_id=OuterRef("pk"), sector__in=actor.sectors))
        )
        return _oversight_q(actor, "party__") | in_sectors
    if actor.acts_for_party:
        return Q(party_id=actor.party_id)
    return NOTHING


def code_allocation_scope(actor: Actor) -> Q | None:
    """Filter over CodeAllocation: the allocations of the products the actor sees."""
    if actor.sees_all:
        return None
    if actor.oversees:
        from tracehub.registry.models import ProductSector

        in_sectors = Q(
            Exists(ProductSector.objects.filter(product_id=OuterRef("product_id"), sector__in=actor.sectors))
        )
        return _oversight_q(actor, "party__") | in_sectors
    if actor.acts_for_party:
        return Q(party_id=actor.party_id)
    return NOTHING


def audit_scope(actor: Actor) -> Q | None:
    """Filter over accounts.AuditEntry: officials see the audit of the parties they oversee."""
    if actor.sees_all:
        return None
    if actor.oversees:
        from tracehub.registry.models import Party

        return Q(party_ref__in=Party.objects.filter(_oversight_q(actor)).values("pk"))
    if actor.kind == ActorKind.ENTERPRISE_ADMIN:
        return Q(party_ref=actor.party_id)
    return NOTHING
