"""Recalls (召回): the scope of a recalled lot, computed once and kept as declared (O2, O3).

A trace is computed on demand and never stored; a recall is a decision and is kept: what was
recalled, why, by whom, and the scope found at that moment (every location and party the lot
reached, with quantities, who still holds stock, every consumer-facing code), so the list handed
to inspectors is the one the record shows, whatever is captured later.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracehub.accounts.models import ApiClient, Department, Sector


class RecallStatus(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class Recall(models.Model):
    """A recall (召回): a lot (or any traced identifier) withdrawn from the market, and its scope.

    Declared by an official of a department covering the product's sector, or by the platform
    (an operator, a platform API client, the ``tracehub recall`` command); issue #4 item 3.
    ``scope`` is the computed scope as JSON (see ``tracehub.tracing.selectors.recall_scope``); what
    lists and look-ups need of it is kept in child tables: :class:`RecallCode` (every item and lot
    reached, for the public page of each affected code, P4) and :class:`RecallSector` (who oversees
    the recall).
    """

    recall_id = models.CharField(_("recall ID"), max_length=40, unique=True)
    key = models.CharField(
        _("identifier key"),
        max_length=300,
        db_index=True,
        help_text=_("Canonical GS1 key of what is recalled."),
    )
    identifier = models.CharField(_("identifier"), max_length=500, help_text=_("As the request named it."))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=RecallStatus.choices, default=RecallStatus.OPEN
    )
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)
    declared_by_client = models.ForeignKey(
        ApiClient,
        verbose_name=_("declared by (API client)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    declared_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("declared by (official)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    declared_by_label = models.CharField(
        _("declared by"), max_length=200, help_text=_("The declarer's name at the time.")
    )
    scope = models.JSONField(
        _("scope"), default=dict, help_text=_("Locations, parties, stock and codes reached.")
    )
    location_count = models.IntegerField(_("locations reached"), default=0)
    party_count = models.IntegerField(_("parties reached"), default=0)
    shipment_count = models.IntegerField(_("shipments"), default=0)
    holder_count = models.IntegerField(_("locations still holding stock"), default=0)
    code_count = models.IntegerField(_("consumer-facing codes"), default=0)

    class Meta:
        verbose_name = _("recall")
        verbose_name_plural = _("recalls")
        ordering = ["-declared_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["open", "closed"]), name="recall_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["declared_at"], name="recall_declared_idx")]

    def __str__(self) -> str:
        return f"{self.recall_id} {self.identifier}"


class RecallCode(models.Model):
    """An identifier a recall reached (an item or a lot), by canonical key: one row each.

    Indexed by ``key``, so the public page of a code finds the recalls covering it with one
    look-up (``selectors.recalls_covering``), never by reading the scopes' JSON (P4, O2).
    """

    recall = models.ForeignKey(
        Recall, verbose_name=_("recall"), on_delete=models.CASCADE, related_name="codes"
    )
    key = models.CharField(_("identifier key"), max_length=300)

    class Meta:
        verbose_name = _("recalled code")
        verbose_name_plural = _("recalled codes")
        constraints = [models.UniqueConstraint(fields=["key", "recall"], name="recallcode_key_recall_unique")]

    def __str__(self) -> str:
        return self.key


class RecallSector(models.Model):
    """A sector of what a recall reached: the officials of that sector's departments see it."""

    recall = models.ForeignKey(
        Recall, verbose_name=_("recall"), on_delete=models.CASCADE, related_name="sectors"
    )
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)

    class Meta:
        verbose_name = _("recall sector")
        verbose_name_plural = _("recall sectors")
        constraints = [
            models.UniqueConstraint(fields=["recall", "sector"], name="recallsector_recall_sector_unique")
        ]
        indexes = [models.Index(fields=["sector", "recall"], name="recallsector_sector_idx")]

    def __str__(self) -> str:
        return self.sector
