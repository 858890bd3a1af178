"""Accounts: API clients (接口客户端) and the audit trail (审计日志).

Departments, roles and parties arrive with the registry issue; this module holds what every
other app needs from day one: who is calling (an integration client with a hashed key) and
the record of who changed what (O3: responsibility pinned, 责任可究).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiClientKind(models.TextChoices):
    PLATFORM = "platform", _("Platform integration")


class ApiClient(models.Model):
    """An integration client (接口客户端): a subsystem or ERP that pushes data (P2).

    The key itself is shown once at creation and never stored: only its SHA-256 digest is
    kept. Keys carry 256 bits of randomness, so a fast digest is enough (a slow password
    hash would cost every API request for no gain against brute force).
    """

    name = models.CharField(
        _("name"), max_length=200, help_text=_("Who uses this key, e.g. 市场监管局食品追溯子系统.")
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=ApiClientKind.choices, default=ApiClientKind.PLATFORM
    )
    key_prefix = models.CharField(
        _("key prefix"), max_length=16, unique=True, help_text=_("Public part of the key, used to find it.")
    )
    key_digest = models.CharField(_("key digest"), max_length=64, help_text=_("SHA-256 of the whole key."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix})"

    def is_active(self, *, at=None) -> bool:
        at = at or timezone.now()
        if self.revoked_at is not None and self.revoked_at <= at:
            return False
        return self.expires_at is None or self.expires_at > at


class AuditEntry(models.Model):
    """An audit row (审计记录): who did what to which object, before and after (O3).

    It names its object by type and id as text, never by foreign key, so it survives the
    deletion of what it describes.
    """

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_client = models.ForeignKey(
        ApiClient,
        verbose_name=_("API client"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(
        _("actor"), max_length=200, help_text=_("The actor's name at the time, kept if the actor is deleted.")
    )
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=200, db_index=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}:{self.object_id}"
        )
