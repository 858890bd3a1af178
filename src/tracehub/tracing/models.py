"""Recalls (召回): the scope of a recalled lot, computed once and kept as declared (O2, O3).

A trace is computed on demand and never stored; a recall is a decision and is kept: what was
recalled, why, by whom, and the scope found at that moment (every location and party the lot
reached, with quantities, who still holds stock, every consumer-facing code), so the list handed
to inspectors is the one the record shows, whatever is captured later.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracehub.accounts.models import ApiClient


class RecallStatus(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class Recall(models.Model):
    """A recall (召回): a lot (or any traced identifier) withdrawn from the market, and its scope.

    Declared for now by an API client; the registry adds the declaring official and department.
    ``scope`` is the computed scope as JSON (see ``tracehub.tracing.selectors.recall_scope``).
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
