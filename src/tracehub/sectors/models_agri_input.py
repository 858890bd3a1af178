"""Records of the farm inputs subsystem (农资, G5) that events alone do not hold.

* :class:`AgriInputProduct` — the catalogue (农资产品目录) the agriculture bureau keeps: a product by
  its registration number (农药登记证号, 兽药批准文号, 肥料登记证号, 品种审定/登记编号), marked
  restricted-use (限制使用) or highly toxic (高毒).
* :class:`DesignatedOutlet` — a dealer designated by the bureau to sell highly toxic pesticides
  (高毒农药定点经营), from a date, until it is undesignated.
* :class:`AgriInputLedgerEntry` — one row of a dealer's electronic ledgers (电子台账): a purchase
  (进货台账) from a filed supplier or a sale (销售台账); a sale of a restricted product carries the
  buyer's real-name record (实名购买). The buyer's ID number (居民身份证号码) is personal data:
  stored encrypted (``buyer_id_protected``), found by a keyed digest (``buyer_id_digest``) and shown
  masked (``buyer_id_masked``), as the registry keeps an individual party's number
  (``tracehub.registry.protect``).
* :class:`AgriInputUsage` — a farm's usage filing (使用备案): a farm input used on one of its
  planting plots, with the pre-harvest interval (安全间隔期) of a pesticide.

Written only by ``tracehub.sectors.services_agri_input``.
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracehub.registry.models import Party

__all__ = [
    "AgriInputKind",
    "AgriInputUsage",
    "AgriInputLedgerEntry",
    "AgriInputProduct",
    "DesignatedOutlet",
    "LedgerDirection",
    "LedgerSource",
    "mask_phone",
]


def mask_phone(phone: str) -> str:
    """A phone number with its middle digits hidden: the first 3 and the last 4 digits are kept
    (13906001234 -> 139****1234); separators are dropped. A number of 7 digits or fewer keeps only
    its last 4 (or fewer) digits, so nothing short is shown whole. Empty stays empty."""
    digits = re.sub(r"\D", "", phone or "")
    if not digits:
        return ""
    if len(digits) > 7:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    keep = min(4, len(digits) - 1)
    return "*" * (len(digits) - keep) + digits[len(digits) - keep :]


class AgriInputKind(models.TextChoices):
    PESTICIDE = "pesticide", _("Pesticide (农药)")
    VET_DRUG = "vet_drug", _("Veterinary drug (兽药)")
    FERTILISER = "fertiliser", _("Fertiliser (肥料)")
    SEED = "seed", _("Seed (种子)")


class AgriInputProduct(models.Model):
    """A product of the farm inputs catalogue (农资产品目录), kept by the agriculture bureau.

    ``restricted`` marks a restricted-use product (限制使用农药): each sale records the buyer by real
    name (实名购买). ``highly_toxic`` marks a highly toxic pesticide (高毒农药): only designated
    outlets (定点经营) sell it; a highly toxic product is always restricted.
    """

    registration_number = models.CharField(
        _("registration number"),
        max_length=60,
        unique=True,
        help_text=_("农药登记证号 (PD20142631), 兽药批准文号, 肥料登记证号 or 品种审定编号."),
    )
    name = models.CharField(_("name"), max_length=200, help_text=_("通用名/商品名."))
    kind = models.CharField(_("kind"), max_length=12, choices=AgriInputKind.choices)
    holder = models.CharField(
        _("registration holder"), max_length=200, blank=True, help_text=_("登记证持有人.")
    )
    restricted = models.BooleanField(
        _("restricted use"), default=False, help_text=_("限制使用: sold by real name only.")
    )
    highly_toxic = models.BooleanField(
        _("highly toxic"), default=False, help_text=_("高毒: sold at designated outlets only.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("farm input product")
        verbose_name_plural = _("farm input catalogue")
        ordering = ["registration_number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["pesticide", "vet_drug", "fertiliser", "seed"]),
                name="agri_input_product_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(highly_toxic=False) | Q(restricted=True),
                name="agri_input_product_highly_toxic_restricted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration_number} {self.name}"


class DesignatedOutlet(models.Model):
    """A designation of a dealer as an outlet for highly toxic pesticides (高毒农药定点经营).

    Valid from ``valid_from`` to ``valid_until`` (inclusive; open while ``valid_until`` is empty).
    Undesignating sets ``valid_until`` and the reason; the row is kept, so a sale is always judged
    against the designation of its own date. A dealer has at most one open designation.
    """

    dealer = models.ForeignKey(
        Party, verbose_name=_("dealer"), on_delete=models.PROTECT, related_name="agri_designations"
    )
    document_number = models.CharField(
        _("designation document"), max_length=100, blank=True, help_text=_("定点经营批准文件文号.")
    )
    valid_from = models.DateField(_("designated from"))
    valid_until = models.DateField(_("designated until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    end_reason = models.CharField(_("reason for undesignating"), max_length=300, blank=True)
    designated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("designated by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("designated outlet")
        verbose_name_plural = _("designated outlets")
        ordering = ["-valid_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="designated_outlet_validity_ordered",
            ),
            models.UniqueConstraint(
                fields=["dealer"],
                condition=Q(valid_until__isnull=True),
                name="designated_outlet_one_open_per_dealer",
            ),
        ]
        indexes = [models.Index(fields=["dealer", "valid_from"], name="designated_outlet_dealer_idx")]

    def __str__(self) -> str:
        return f"{self.dealer_id} {self.valid_from}–{self.valid_until or ''}"

    def valid_on(self, day) -> bool:
        return self.valid_from <= day and (self.valid_until is None or self.valid_until >= day)


class LedgerDirection(models.TextChoices):
    PURCHASE = "purchase", _("Purchase (进货)")
    SALE = "sale", _("Sale (销售)")


class LedgerSource(models.TextChoices):
    FORM = "form", _("Console form")
    API = "api", _("API")
    EXCEL = "excel", _("Excel upload")


class AgriInputLedgerEntry(models.Model):
    """One row of a dealer's electronic ledgers (电子台账): a purchase (进货台账) or a sale (销售台账).

    The product is named by its registration number, name and specification as on the label, with its
    32-digit pesticide unit code (农药单元识别代码) or 24-digit veterinary drug trace code
    (兽药产品追溯码) where it has one; ``product`` links the catalogue entry of the registration number.
    A purchase names its filed supplier (``counterparty``); a sale names its buyer, a registered party
    (a farm by its USCC, ``counterparty``) or a person by real name (``buyer_name`` and the ID number,
    encrypted, digested and masked). Stock is what the ledgers say: purchases less sales.
    """

    dealer = models.ForeignKey(
        Party, verbose_name=_("dealer"), on_delete=models.PROTECT, related_name="agri_ledger_entries"
    )
    direction = models.CharField(_("ledger"), max_length=10, choices=LedgerDirection.choices)
    product = models.ForeignKey(
        AgriInputProduct,
        verbose_name=_("catalogue product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=AgriInputKind.choices)
    registration_number = models.CharField(_("registration number"), max_length=60)
    product_name = models.CharField(_("product name"), max_length=200)
    specification = models.CharField(
        _("specification"), max_length=100, help_text=_("规格, e.g. 100毫升/瓶.")
    )
    unit_code = models.CharField(
        _("product code"),
        max_length=32,
        blank=True,
        help_text=_("农药单元识别代码 (32 digits) or 兽药产品追溯码 (24 digits)."),
    )
    lot = models.CharField(_("lot number"), max_length=60, blank=True, help_text=_("生产批号."))
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=20, help_text=_("瓶, 袋, 千克 …"))
    day = models.DateField(_("date"), help_text=_("进货日期 or 销售日期."))
    counterparty = models.ForeignKey(
        Party,
        verbose_name=_("supplier or buyer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agri_ledger_counterparts",
    )
    buyer_name = models.CharField(_("buyer name"), max_length=100, blank=True)
    buyer_id_protected = models.TextField(
        _("buyer ID number (encrypted)"),
        blank=True,
        editable=False,
        help_text=_("居民身份证号码, encrypted."),
    )
    buyer_id_digest = models.CharField(
        _("buyer ID number digest"), max_length=64, blank=True, editable=False, help_text=_("Keyed digest.")
    )
    buyer_id_masked = models.CharField(
        _("buyer ID number (masked)"), max_length=18, blank=True, editable=False
    )
    buyer_phone = models.CharField(_("buyer phone"), max_length=40, blank=True)
    buyer_address = models.CharField(_("buyer address"), max_length=300, blank=True)
    use_crop = models.CharField(
        _("crop or animal"), max_length=100, blank=True, help_text=_("使用作物/对象.")
    )
    use_target = models.CharField(_("target"), max_length=100, blank=True, help_text=_("防治对象."))
    source = models.CharField(_("entered by"), max_length=10, choices=LedgerSource.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by_client = models.ForeignKey(
        "accounts.ApiClient",
        verbose_name=_("recorded by client"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("farm input ledgers")
        ordering = ["-day", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(direction__in=["purchase", "sale"]), name="agri_ledger_direction_valid"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="agri_ledger_quantity_positive"),
            models.CheckConstraint(
                condition=Q(direction="sale") | Q(counterparty__isnull=False),
                name="agri_ledger_purchase_has_supplier",
            ),
            models.CheckConstraint(
                condition=Q(buyer_id_protected="", buyer_id_digest="", buyer_id_masked="")
                | (~Q(buyer_id_protected="") & ~Q(buyer_id_digest="") & ~Q(buyer_id_masked="")),
                name="agri_ledger_buyer_id_protected",
            ),
            models.CheckConstraint(
                condition=Q(direction="sale") | Q(buyer_id_digest=""),
                name="agri_ledger_buyer_id_on_sales_only",
            ),
        ]
        indexes = [
            models.Index(fields=["dealer", "direction", "-day"], name="agri_ledger_dealer_idx"),
            models.Index(fields=["buyer_id_digest"], name="agri_ledger_buyer_idx"),
            models.Index(fields=["registration_number", "-day"], name="agri_ledger_product_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.registration_number} {self.quantity}{self.unit}"

    @property
    def buyer_phone_masked(self) -> str:
        """The buyer's phone as pages, CSV and the API show it (personal data): see :func:`mask_phone`."""
        return mask_phone(self.buyer_phone)

    @property
    def buyer_display(self) -> str:
        """The buyer as screens show it: a party's name, or a person's name and masked ID number."""
        if self.counterparty_id and self.direction == LedgerDirection.SALE:
            return self.counterparty.name
        if self.buyer_id_masked:
            return f"{self.buyer_name} ({self.buyer_id_masked})"
        return self.buyer_name


class AgriInputUsage(models.Model):
    """A usage filing (使用备案): a farm or co-operative records the use of a farm input on one of its
    planting plots (种植地块).

    The product is named as on the label (registration number, name, optionally its 32-digit pesticide
    unit code); ``product`` links the catalogue entry. A pesticide carries its pre-harvest interval
    (安全间隔期, days): the plot's produce may be harvested from ``day`` + that many days
    (:attr:`interval_ends_on`). ``dealer`` is the filed dealer it was bought from, when named.
    """

    party = models.ForeignKey(
        Party, verbose_name=_("farm"), on_delete=models.PROTECT, related_name="agri_input_usages"
    )
    plot = models.ForeignKey(
        "sectors.PlantingPlot",
        verbose_name=_("planting plot"),
        on_delete=models.PROTECT,
        related_name="input_usages",
    )
    product = models.ForeignKey(
        AgriInputProduct,
        verbose_name=_("catalogue product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="usages",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=AgriInputKind.choices)
    registration_number = models.CharField(_("registration number"), max_length=60)
    product_name = models.CharField(_("product name"), max_length=200)
    unit_code = models.CharField(
        _("product code"), max_length=32, blank=True, help_text=_("农药单元识别代码 (32 digits).")
    )
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=20, help_text=_("瓶, 袋, 千克 …"))
    day = models.DateField(_("date of use"), help_text=_("使用日期."))
    crop = models.CharField(_("crop"), max_length=100, help_text=_("使用作物."))
    target = models.CharField(_("target"), max_length=100, help_text=_("防治对象."))
    operator_name = models.CharField(_("operator"), max_length=100, help_text=_("施用人."))
    pre_harvest_interval_days = models.PositiveSmallIntegerField(
        _("pre-harvest interval (days)"),
        null=True,
        blank=True,
        help_text=_("安全间隔期: days from the last use to harvest; required for a pesticide."),
    )
    dealer = models.ForeignKey(
        Party,
        verbose_name=_("bought from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agri_input_usages_sold",
        help_text=_("The filed dealer the input was bought from."),
    )
    source = models.CharField(_("entered by"), max_length=10, choices=LedgerSource.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by_client = models.ForeignKey(
        "accounts.ApiClient",
        verbose_name=_("recorded by client"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("usage filing")
        verbose_name_plural = _("usage filings")
        ordering = ["-day", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="agri_usage_quantity_positive"),
            models.CheckConstraint(
                condition=~Q(kind="pesticide") | Q(pre_harvest_interval_days__isnull=False),
                name="agri_usage_pesticide_has_interval",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["pesticide", "vet_drug", "fertiliser", "seed"]),
                name="agri_usage_kind_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["plot", "-day"], name="agri_usage_plot_idx"),
            models.Index(fields=["party", "-day"], name="agri_usage_party_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.registration_number} {self.quantity}{self.unit}"

    @property
    def interval_ends_on(self):
        """The first day the plot may be harvested after this use (day + pre-harvest interval);
        None without an interval."""
        if self.pre_harvest_interval_days is None:
            return None
        return self.day + dt.timedelta(days=self.pre_harvest_interval_days)
