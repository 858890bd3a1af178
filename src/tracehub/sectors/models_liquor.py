"""Records of the liquor distribution subsystem (酒类流通, G3; 商务局 / 酒类流通管理局) that events alone
do not hold: operator filing (登记备案) with its public notice (公示), the product information and
certification of liquor (品牌、生产商、酒精度、净含量、产地, 认证), and the accompanying slip (随附单) of
every wholesale shipment. The shipments themselves are EPCIS events (docs/sectors/liquor.md).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracehub.registry.models import Location, Party, Product


class LiquorOperatorKind(models.TextChoices):
    """What a liquor operator does (经营类型)."""

    PRODUCER = "producer", _("Producer (生产)")
    IMPORTER = "importer", _("Importer (进口)")
    WHOLESALER = "wholesaler", _("Wholesaler (批发)")
    RETAILER = "retailer", _("Retailer (零售)")
    CATERING = "catering", _("Catering (餐饮)")


class LiquorFilingStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted, awaiting review (待审核)")
    APPROVED = "approved", _("Filed (已备案)")
    REVOKED = "revoked", _("Revoked (已注销)")


class LiquorOperatorFiling(models.Model):
    """A liquor operator's filing (酒类流通经营者登记备案) with the liquor bureau.

    On approval the bureau gives the filing number (备案登记号: the party's GB/T 2260 district, 6
    digits, and a 6-digit sequence of that district), which the operator prints on every
    accompanying slip (随附单), and the filing is publicly noticed (公示) on ``/liquor/``. Only the
    operators of approved filings appear on the public list.
    """

    party = models.ForeignKey(
        Party, verbose_name=_("party"), on_delete=models.PROTECT, related_name="liquor_filings"
    )
    kind = models.CharField(_("kind of business"), max_length=12, choices=LiquorOperatorKind.choices)
    number = models.CharField(
        _("filing number"),
        max_length=12,
        blank=True,
        help_text=_("备案登记号: district (6 digits) and sequence (6 digits), given on approval."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=LiquorFilingStatus.choices, default=LiquorFilingStatus.SUBMITTED
    )
    premises = models.CharField(_("business premises"), max_length=300, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    notice_until = models.DateField(
        _("public notice until"),
        null=True,
        blank=True,
        help_text=_("公示: the filing is noticed publicly until this day."),
    )
    decided_by = models.CharField(_("decided by"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("liquor operator filing")
        verbose_name_plural = _("liquor operator filings")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["number"], condition=~Q(number=""), name="liquor_filing_number_unique"
            ),
            models.UniqueConstraint(
                fields=["party"],
                condition=Q(status__in=["submitted", "approved"]),
                name="liquor_filing_one_open_per_party",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["submitted", "approved", "revoked"]),
                name="liquor_filing_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | ~Q(number=""), name="liquor_filing_approved_has_number"
            ),
        ]
        indexes = [models.Index(fields=["status", "party"], name="liquor_filing_status_idx")]

    def __str__(self) -> str:
        return self.number or f"{self.party_id} ({self.status})"


class LiquorProductStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting certification (待认证)")
    CERTIFIED = "certified", _("Certified (已认证)")
    REVOKED = "revoked", _("Certification revoked (已撤销)")


class LiquorProduct(models.Model):
    """A liquor's product information and certification (酒类产品信息与认证).

    The registry's product holds the brand (``Product.brand``), the alcohol strength
    (``attributes.alcohol_strength``, % vol) and the origin (``attributes.origin_country`` /
    ``origin_region``); this record adds what the registry has no attribute for: the producer
    (生产商) as printed on the label and the volume (净含量, ml); and the certification (认证) by the
    liquor bureau, after which the product may be promoted in the public catalogue (网络推广).
    """

    product = models.OneToOneField(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="liquor"
    )
    producer_name = models.CharField(
        _("producer"), max_length=200, help_text=_("生产商 as printed on the label.")
    )
    volume_ml = models.PositiveIntegerField(_("volume (ml)"), help_text=_("净含量 in millilitres."))
    origin = models.CharField(
        _("origin"), max_length=200, help_text=_("产地: place or country of production.")
    )
    certificate_number = models.CharField(_("certificate number"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=LiquorProductStatus.choices, default=LiquorProductStatus.PENDING
    )
    promoted = models.BooleanField(
        _("in the public catalogue"), default=False, help_text=_("网络推广: listed in the public catalogue.")
    )
    certified_at = models.DateTimeField(_("certified at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("liquor product")
        verbose_name_plural = _("liquor products")
        ordering = ["product__brand", "product__name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(volume_ml__gte=1), name="liquor_product_volume_positive"),
            models.CheckConstraint(
                condition=~Q(status="certified") | ~Q(certificate_number=""),
                name="liquor_product_certified_has_number",
            ),
            models.CheckConstraint(
                condition=Q(promoted=False) | Q(status="certified"),
                name="liquor_product_promoted_is_certified",
            ),
            models.UniqueConstraint(
                fields=["certificate_number"],
                condition=~Q(certificate_number=""),
                name="liquor_certificate_unique",
            ),
        ]

    def __str__(self) -> str:
        return str(self.product_id)

    @property
    def strength(self) -> str:
        return str((self.product.attributes or {}).get("alcohol_strength", ""))


class LiquorSlipStatus(models.TextChoices):
    ISSUED = "issued", _("Issued with the shipment (已开具)")
    RECEIVED = "received", _("Received by the buyer (已收货)")


class LiquorSlip(models.Model):
    """An accompanying slip (酒类流通随附单) of one wholesale shipment.

    ``number`` is 12 digits (docs/coding-rules.md: prefecture, year, sequence, MOD 11,10 check),
    allocated from (prefecture, year, sequence) under a unique constraint and never reused: slips
    are never deleted. The shipment is the EPCIS event ``event_id`` (bizStep
    ``urn:tracehub:cbv:bizstep:liquor_wholesale``), which quotes the slip as
    ``urn:tracehub:doc:liquor_slip:<number>``; the buyer's receipt quotes it again.
    ``items``: each line's epcClass, product name, quantity, uom, unit price (CNY), origin, lot and
    production date.
    """

    number = models.CharField(
        _("slip number"), max_length=12, unique=True, help_text=_("随附单编号, 12 digits.")
    )
    prefecture = models.CharField(_("prefecture"), max_length=4)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    seller = models.ForeignKey(
        Party, verbose_name=_("seller"), on_delete=models.PROTECT, related_name="liquor_slips_sold"
    )
    buyer = models.ForeignKey(
        Party, verbose_name=_("buyer"), on_delete=models.PROTECT, related_name="liquor_slips_bought"
    )
    seller_key = models.CharField(_("seller identifier"), max_length=300)
    buyer_key = models.CharField(_("buyer identifier"), max_length=300)
    seller_filing_number = models.CharField(_("seller's filing number"), max_length=12)
    location = models.ForeignKey(
        Location, verbose_name=_("shipped from"), on_delete=models.PROTECT, related_name="liquor_slips"
    )
    consignor = models.CharField(_("consignor"), max_length=200, help_text=_("发货人"))
    carrier = models.CharField(_("carrier"), max_length=200, help_text=_("承运人"))
    vehicle_plate = models.CharField(_("vehicle plate"), max_length=12, help_text=_("车牌号"))
    items = models.JSONField(_("items"), default=list)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=14, decimal_places=2, default=0)
    shipped_at = models.DateTimeField(_("shipped at"))
    event_id = models.CharField(_("shipping event"), max_length=500)
    status = models.CharField(
        _("status"), max_length=10, choices=LiquorSlipStatus.choices, default=LiquorSlipStatus.ISSUED
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("liquor accompanying slip")
        verbose_name_plural = _("liquor accompanying slips")
        ordering = ["-shipped_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture", "year", "sequence"], name="liquor_slip_allocation_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="liquor_slip_amount_non_negative"),
            models.CheckConstraint(
                condition=Q(status__in=["issued", "received"]), name="liquor_slip_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["seller", "-shipped_at"], name="liquor_slip_seller_idx"),
            models.Index(fields=["buyer", "-shipped_at"], name="liquor_slip_buyer_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def grouped(self) -> str:
        from tracehub.identifiers.cn_codes import format_liquor_slip_number

        return format_liquor_slip_number(self.number, grouped=True)

    @property
    def uri(self) -> str:
        return f"urn:tracehub:doc:liquor_slip:{self.number}"


__all__ = [
    "LiquorFilingStatus",
    "LiquorOperatorFiling",
    "LiquorOperatorKind",
    "LiquorProduct",
    "LiquorProductStatus",
    "LiquorSlip",
    "LiquorSlipStatus",
]
