"""Writes of tracing: declaring a recall (召回) with its computed scope (DESIGN.md §2).

The scope is computed at declaration and stored with the recall, in the same transaction as
its audit row (O3: who declared what, when, and what the platform answered at that moment).
Only officials of the product's sector and the platform declare recalls (issue #4 item 3).
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.db import transaction

from tracehub.accounts.services import audit_record
from tracehub.epcis.models import EventIndex
from tracehub.epcis.render import IdentifierFormatter
from tracehub.registry.actors import Actor, ActorKind
from tracehub.registry.models import Location, ProductSector
from tracehub.tracing.genealogy import OBJECT_ROLES
from tracehub.tracing.models import Recall, RecallCode, RecallSector
from tracehub.tracing.selectors import recall_scope


def product_sectors(*, key: str) -> set[str]:
    """The sectors of what ``key`` is: its registered product's, else those of the events naming it.

    Three queries at most (issue #4 item 3: a recall is declared by an official of the product's
    sector).
    """
    from tracehub.tracing.visibility import product_key

    sectors = set(
        ProductSector.objects.filter(product__key=product_key(key)).values_list("sector", flat=True)
    )
    if sectors:
        return sectors
    places = EventIndex.objects.filter(key=key, role__in=OBJECT_ROLES).values_list(
        "event__biz_location", "event__read_point"
    )[:1000]
    keys = {biz or read for biz, read in places if biz or read}
    rows = Location.objects.filter(key__in=sorted(keys)).values_list("party__sectors__sector", flat=True)
    return {sector for sector in rows if sector}


def may_declare_recalls(actor: Actor) -> bool:
    """Officials (of the product's sector, checked by ``recall_declare``) and the platform."""
    return actor.sees_all or actor.kind == ActorKind.OFFICIAL


def recall_declare(
    *,
    actor: Actor,
    key: str,
    identifier: str,
    reason: str,
    formatter: IdentifierFormatter | None = None,
) -> Recall:
    """Declare a recall of ``key`` (canonical) and store its scope (O2: every place it reached).

    ``actor`` declares it: an official of a department covering the product's sector, or the
    platform (an operator, a platform API client, ``Actor.system`` for the CLI); anyone else gets
    ``PermissionDenied`` (issue #4 item 3). The scope is the whole forward trace, whoever declares:
    a recall must reach every holder. Its codes and sectors go to child tables (P4: the public page
    of every code reached finds it with one indexed look-up).
    """
    reason = reason.strip()
    if not reason:
        raise ValueError("reason must not be empty")
    if not may_declare_recalls(actor):
        raise PermissionDenied("only officials and the platform declare recalls")
    if not actor.sees_all and not (actor.sectors & product_sectors(key=key)):
        raise PermissionDenied("the product is not of a sector of the official's department")
    scope = recall_scope(key=key, formatter=formatter)
    keys = scope.pop("_keys")
    if actor.user is not None:
        label = actor.user.get_username()
    elif actor.client is not None:
        label = f"client:{actor.client.name}"
    else:
        label = actor.label or "system"
    with transaction.atomic():
        recall = Recall.objects.create(
            recall_id=uuid.uuid4().hex,
            key=key,
            identifier=identifier,
            reason=reason,
            declared_by_client=actor.client,
            declared_by_user=actor.user,
            department_id=actor.department_id,
            declared_by_label=label[:200],
            scope=scope,
            location_count=len(scope["locations"]),
            party_count=len(scope["parties"]),
            shipment_count=scope["shipments"],
            holder_count=len(scope["holders"]),
            code_count=len(scope["codes"]),
        )
        RecallCode.objects.bulk_create([RecallCode(recall=recall, key=k) for k in keys], batch_size=2000)
        RecallSector.objects.bulk_create([RecallSector(recall=recall, sector=s) for s in scope["sectors"]])
        audit_record(
            **actor.audit,
            action="tracing.recall.declare",
            object_type="tracing.Recall",
            object_id=recall.recall_id,
            after={
                "key": key,
                "reason": reason,
                "locations": recall.location_count,
                "holders": recall.holder_count,
                "shipments": recall.shipment_count,
                "codes": recall.code_count,
            },
        )
    return recall
