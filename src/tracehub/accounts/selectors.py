"""Reads for accounts."""

from __future__ import annotations

import hmac

from django.utils import timezone

from tracehub.accounts.models import ApiClient, Department, Notification
from tracehub.accounts.services import key_digest


def api_client_for_key(key: str) -> ApiClient | None:
    """The active client whose key this is, or None (unknown, wrong, revoked or expired)."""
    prefix, sep, _secret = key.partition(".")
    if not sep or not prefix.startswith("th_") or len(key) > 200:
        return None
    client = ApiClient.objects.filter(key_prefix=prefix).first()
    if client is None:
        return None
    # Constant-time comparison: the digest check must not leak how much of a guess matched.
    if not hmac.compare_digest(client.key_digest, key_digest(key)):
        return None
    if not client.is_active(at=timezone.now()):
        return None
    return client


def api_client_by_name_or_prefix(value: str) -> list[ApiClient]:
    return list(ApiClient.objects.filter(key_prefix=value)) or list(ApiClient.objects.filter(name=value))


def department_by_code(code: str) -> Department | None:
    return Department.objects.filter(code=code).prefetch_related("sectors").first()


def department_list():
    return Department.objects.select_related("parent").prefetch_related("sectors").order_by("code")


def notification_list(*, user, unread_only: bool = False):
    qs = Notification.objects.filter(user=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")
