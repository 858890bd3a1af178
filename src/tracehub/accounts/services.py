"""Writes for accounts: API clients and audit rows (one write layer, DESIGN.md §2)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from tracehub.accounts.models import ApiClient, ApiClientKind, AuditEntry

KEY_PREFIX_BYTES = 6


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def audit_record(
    *,
    actor_user=None,
    actor_client: ApiClient | None = None,
    action: str,
    object_type: str,
    object_id: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Write one audit row; call inside the transaction of the change it records."""
    if actor_user is not None:
        label = actor_user.get_username()
    elif actor_client is not None:
        label = f"client:{actor_client.name}"
    else:
        label = "system"
    return AuditEntry.objects.create(
        actor_user=actor_user,
        actor_client=actor_client,
        actor_label=label[:200],
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=before,
        after=after,
    )


def api_client_create(
    *,
    name: str,
    created_by=None,
    expires_at: datetime | None = None,
    kind: str = ApiClientKind.PLATFORM,
) -> tuple[ApiClient, str]:
    """Create a client; returns it and its key, which is shown this once and never stored."""
    name = name.strip()
    if not name:
        raise ValueError("name must not be empty")
    if expires_at is not None and expires_at <= timezone.now():
        raise ValueError("expires_at must be in the future")
    prefix = "th_" + secrets.token_hex(KEY_PREFIX_BYTES)
    key = f"{prefix}.{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        client = ApiClient.objects.create(
            name=name,
            kind=kind,
            key_prefix=prefix,
            key_digest=key_digest(key),
            created_by=created_by,
            expires_at=expires_at,
        )
        audit_record(
            actor_user=created_by,
            action="api_client.create",
            object_type="accounts.ApiClient",
            object_id=str(client.pk),
            after={"name": name, "kind": kind, "key_prefix": prefix, "expires_at": _iso(expires_at)},
        )
    return client, key


def api_client_revoke(*, client: ApiClient, revoked_by=None) -> ApiClient:
    """Revoke a client's key from now on; revoking twice keeps the first revocation time."""
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().get(pk=client.pk)
        if client.revoked_at is not None:
            return client
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at"])
        audit_record(
            actor_user=revoked_by,
            action="api_client.revoke",
            object_type="accounts.ApiClient",
            object_id=str(client.pk),
            before={"revoked_at": None},
            after={"revoked_at": _iso(client.revoked_at)},
        )
    return client


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
