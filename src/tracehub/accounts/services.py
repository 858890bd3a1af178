"""Writes for accounts: users, API clients, notifications and audit rows (one write layer, DESIGN.md §2)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracehub.accounts.models import (
    ApiClient,
    ApiClientKind,
    AuditEntry,
    Department,
    District,
    Notification,
    Role,
    UserProfile,
)

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
    party_ref: int | None = None,
) -> AuditEntry:
    """Write one audit row; call inside the transaction of the change it records.

    ``party_ref`` is the id of the party the object belongs to, so officials can search the
    audit of the parties they oversee (issue #3 item 8).
    """
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
        party_ref=party_ref,
    )


def api_client_create(
    *,
    name: str,
    created_by=None,
    created_by_client: ApiClient | None = None,
    expires_at: datetime | None = None,
    kind: str = ApiClientKind.PLATFORM,
    department: Department | None = None,
    party_ref: int | None = None,
) -> tuple[ApiClient, str]:
    """Create a client; returns it and its key, which is shown this once and never stored.

    A department client names its department (P2: a government subsystem); a party client is
    bound to its party by ``tracehub.registry.services.party_api_client_create``, which calls this.
    """
    name = name.strip()
    if not name:
        raise ValueError("name must not be empty")
    if expires_at is not None and expires_at <= timezone.now():
        raise ValueError("expires_at must be in the future")
    if kind not in ApiClientKind.values:
        raise ValueError(f"unknown API client kind {kind!r}")
    if (kind == ApiClientKind.DEPARTMENT) != (department is not None):
        raise ValueError("a department client, and only a department client, names its department")
    prefix = "th_" + secrets.token_hex(KEY_PREFIX_BYTES)
    key = f"{prefix}.{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        client = ApiClient.objects.create(
            name=name,
            kind=kind,
            department=department,
            key_prefix=prefix,
            key_digest=key_digest(key),
            created_by=created_by,
            expires_at=expires_at,
        )
        audit_record(
            actor_user=created_by,
            actor_client=created_by_client,
            action="api_client.create",
            object_type="accounts.ApiClient",
            object_id=str(client.pk),
            after={
                "name": name,
                "kind": kind,
                "department": department.code if department else None,
                "key_prefix": prefix,
                "expires_at": _iso(expires_at),
            },
            party_ref=party_ref,
        )
    return client, key


def api_client_revoke(
    *,
    client: ApiClient,
    revoked_by=None,
    revoked_by_client: ApiClient | None = None,
    party_ref: int | None = None,
) -> ApiClient:
    """Revoke a client's key from now on; revoking twice keeps the first revocation time."""
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().get(pk=client.pk)
        if client.revoked_at is not None:
            return client
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at"])
        audit_record(
            actor_user=revoked_by,
            actor_client=revoked_by_client,
            action="api_client.revoke",
            object_type="accounts.ApiClient",
            object_id=str(client.pk),
            before={"revoked_at": None},
            after={"revoked_at": _iso(client.revoked_at)},
            party_ref=party_ref,
        )
    return client


def user_create(
    *,
    username: str,
    password: str | None,
    role: str,
    department: Department | None = None,
    districts: Iterable[str] = (),
    full_name: str = "",
    email: str = "",
    admin_site: bool = False,
    created_by=None,
    created_by_client: ApiClient | None = None,
    party_ref: int | None = None,
):
    """Create a console user with a role (issue #3 item 4).

    ``admin_site`` gives a platform operator the Django admin (staff and superuser).
    An official names a department and the districts they cover (350200: the whole city).
    ``password`` None makes an account that cannot log in until a password is set. An enterprise
    user is created by ``tracehub.registry.services.party_member_add``, which links the party.
    Raises ``ValidationError`` naming each wrong field.
    """
    errors: dict[str, list] = {}
    username = (username or "").strip()
    user_model = get_user_model()
    if not username:
        errors.setdefault("username", []).append(_("A user name is required."))
    elif user_model.objects.filter(username=username).exists():
        errors.setdefault("username", []).append(_("This user name is taken."))
    if role not in Role.values:
        errors.setdefault("role", []).append(_("Unknown role."))
    district_list = list(dict.fromkeys(districts))
    if role == Role.OFFICIAL:
        if department is None:
            errors.setdefault("department", []).append(_("An official belongs to a department."))
        if not district_list:
            errors.setdefault("districts", []).append(_("An official covers at least one district."))
    else:
        if department is not None:
            errors.setdefault("department", []).append(_("Only officials belong to a department."))
        if district_list:
            errors.setdefault("districts", []).append(_("Only officials cover districts."))
    if admin_site and role != Role.OPERATOR:
        errors.setdefault("admin_site", []).append(_("Only platform operators use the admin site."))
    for code in district_list:
        if code not in District.values:
            errors.setdefault("districts", []).append(
                _("%(code)s is not a Xiamen district code.") % {"code": code}
            )
    if password is not None and "username" not in errors:
        try:
            validate_password(password, user_model(username=username, email=email))
        except ValidationError as exc:
            errors.setdefault("password", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        user = user_model(username=username, email=email.strip())
        first, _sep, last = full_name.strip().partition(" ")
        user.first_name, user.last_name = first[:150], last[:150]
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.is_staff = user.is_superuser = admin_site
        user.save()
        UserProfile.objects.create(user=user, role=role, department=department, districts=district_list)
        audit_record(
            actor_user=created_by,
            actor_client=created_by_client,
            action="user.create",
            object_type="auth.User",
            object_id=str(user.pk),
            after={
                "username": username,
                "role": role,
                "department": department.code if department else None,
                "districts": district_list,
            },
            party_ref=party_ref,
        )
    return user


def user_set_password(*, user, password: str, actor_user=None, actor_client: ApiClient | None = None):
    """Set a user's password (validated by the configured validators); audited, never logged."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(
            actor_user=actor_user,
            actor_client=actor_client,
            action="user.set_password",
            object_type="auth.User",
            object_id=str(user.pk),
        )
    return user


def notification_send(
    *, users: Iterable, message: str, params: dict[str, Any] | None = None, link: str = ""
) -> int:
    """Notify console users (站内通知). ``message`` is an English msgid marked with gettext_noop;
    it is translated into each reader's language when shown. Returns how many were sent."""
    now = timezone.now()
    rows = [
        Notification(user=user, created_at=now, message=message, params=params or {}, link=link)
        for user in users
    ]
    Notification.objects.bulk_create(rows)
    return len(rows)


def notification_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when ``ids`` is None)."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
