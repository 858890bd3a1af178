"""Writes of tracing: declaring a recall (召回) with its computed scope (DESIGN.md §2).

The scope is computed at declaration and stored with the recall, in the same transaction as
its audit row (O3: who declared what, when, and what the platform answered at that moment).
"""

from __future__ import annotations

import uuid

from django.db import transaction

from tracehub.accounts.models import ApiClient
from tracehub.accounts.services import audit_record
from tracehub.epcis.render import IdentifierFormatter
from tracehub.tracing.models import Recall
from tracehub.tracing.selectors import recall_scope


def recall_declare(
    *,
    key: str,
    identifier: str,
    reason: str,
    client: ApiClient | None = None,
    actor_user=None,
    formatter: IdentifierFormatter | None = None,
) -> Recall:
    """Declare a recall of ``key`` (canonical) and store its scope (O2: every place it reached).

    ``client`` (or ``actor_user``) is who declares it: for now an API client; the registry adds
    officials and their departments.
    """
    reason = reason.strip()
    if not reason:
        raise ValueError("reason must not be empty")
    scope = recall_scope(key=key, formatter=formatter)
    if actor_user is not None:
        label = actor_user.get_username()
    elif client is not None:
        label = f"client:{client.name}"
    else:
        label = "system"
    with transaction.atomic():
        recall = Recall.objects.create(
            recall_id=uuid.uuid4().hex,
            key=key,
            identifier=identifier,
            reason=reason,
            declared_by_client=client,
            declared_by_label=label[:200],
            scope=scope,
            location_count=len(scope["locations"]),
            party_count=len(scope["parties"]),
            shipment_count=scope["shipments"],
            holder_count=len(scope["holders"]),
            code_count=len(scope["codes"]),
        )
        audit_record(
            actor_user=actor_user,
            actor_client=client,
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
