"""Records of the sector subsystems that events alone do not hold (issue #6).

E1 (肉菜流通): a sale at a market stall (电子交易) issues a trace voucher (追溯凭证), whose code is
printed on the receipt and quoted by the buyer's next entry (进场). The sale itself is an EPCIS
event; the voucher records who sold to whom, so that an entry quoting it can be checked at capture.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracehub.registry.models import Location, Party


class VoucherStatus(models.TextChoices):
    ISSUED = "issued", _("Issued (已开具)")
    QUOTED = "quoted", _("Quoted at entry (已进场引用)")


class TradeVoucher(models.Model):
    """A trace voucher (追溯凭证) of one sale at a market stall (电子交易, E1).

    ``code`` is a 22-digit platform trace code (平台追溯码, docs/coding-rules.md), allocated from the
    stall's district, a node number of the stall, the day of sale and a sequence; in events it is
    ``urn:tracehub:code:trace:<code>`` in bizTransactionList, type ``urn:tracehub:cbv:btt:trace_voucher``.
    ``buyer_key`` and ``seller_key`` are the canonical identifiers of the parties as in the event.
    """

    code = models.CharField(
        _("voucher code"), max_length=22, unique=True, help_text=_("追溯凭证码, 22 digits.")
    )
    district = models.CharField(_("district"), max_length=6)
    node = models.PositiveSmallIntegerField(_("node"))
    day = models.DateField(_("day of sale"))
    sequence = models.PositiveSmallIntegerField(_("sequence"))
    stall = models.ForeignKey(
        Location, verbose_name=_("stall"), on_delete=models.PROTECT, related_name="trade_vouchers"
    )
    seller = models.ForeignKey(
        Party, verbose_name=_("seller"), on_delete=models.PROTECT, related_name="vouchers_sold"
    )
    buyer = models.ForeignKey(
        Party,
        verbose_name=_("buyer"),
        on_delete=models.PROTECT,
        related_name="vouchers_bought",
        null=True,
        blank=True,
    )
    seller_key = models.CharField(_("seller identifier"), max_length=300)
    buyer_key = models.CharField(_("buyer identifier"), max_length=300)
    lines = models.JSONField(
        _("goods"), default=list, help_text=_("Lots sold: epcClass, quantity, uom, unit price (CNY).")
    )
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2, default=0)
    event_id = models.CharField(_("sale event"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=VoucherStatus.choices, default=VoucherStatus.ISSUED
    )
    sold_at = models.DateTimeField(_("sold at"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("trace voucher")
        verbose_name_plural = _("trace vouchers")
        ordering = ["-sold_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "node", "day", "sequence"], name="trade_voucher_allocation_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="trade_voucher_amount_non_negative"
            ),
        ]
        indexes = [models.Index(fields=["buyer_key", "code"], name="trade_voucher_buyer_idx")]

    def __str__(self) -> str:
        return self.code

    @property
    def grouped(self) -> str:
        from tracehub.identifiers.cn_codes import format_platform_trace_code

        return format_platform_trace_code(self.code)

    @property
    def uri(self) -> str:
        return f"urn:tracehub:code:trace:{self.code}"


class StepImportStatus(models.TextChoices):
    CHECKED = "checked", _("Checked, ready to commit (已校验)")
    REFUSED = "refused", _("Has errors (有错误)")
    COMMITTED = "committed", _("Committed (已导入)")


class StepImport(models.Model):
    """An Excel upload of entries of one step (分环节 Excel 导入): checked in full on upload, stored
    all or nothing on commit by its uploader.

    ``rows`` keeps each row's spreadsheet row number and raw values; ``errors`` maps a row number to
    its errors (input key or EPCIS path, message).
    """

    step = models.CharField(_("step"), max_length=40)
    uploaded_by = models.ForeignKey(
        "auth.User", verbose_name=_("uploaded by"), null=True, blank=True, on_delete=models.PROTECT
    )
    uploaded_by_client = models.ForeignKey(
        "accounts.ApiClient",
        verbose_name=_("uploaded by client"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    party = models.ForeignKey(Party, verbose_name=_("party"), null=True, blank=True, on_delete=models.PROTECT)
    rows = models.JSONField(_("rows"), default=list)
    errors = models.JSONField(_("errors"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=StepImportStatus.choices)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    committed_at = models.DateTimeField(_("committed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("step import")
        verbose_name_plural = _("step imports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["checked", "refused", "committed"]),
                name="step_import_status_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.step} #{self.pk}"


from tracehub.sectors.models_agri import *  # noqa: E402,F401,F403
from tracehub.sectors.models_agri_input import *  # noqa: E402,F401,F403
from tracehub.sectors.models_drug import *  # noqa: E402,F401,F403
from tracehub.sectors.models_enterprise import *  # noqa: E402,F401,F403
from tracehub.sectors.models_import import *  # noqa: E402,F401,F403
from tracehub.sectors.models_liquor import *  # noqa: E402,F401,F403
