"""Records of the imported-food subsystem (进口食品, G6) that events alone do not hold.

Importers are registry parties with their importer filing (进口商备案, ``registry.Licence`` of kind
``importer_filing``); foreign exporters are registry parties of type ``foreign_exporter``. Kept
here: foreign producers (境外生产企业) with their China registration number (在华注册编号, e.g. CIFR…),
and the import record of each lot (进口记录) — written by the importer's receipt, linked to its
event. Import sales records (销售记录) are the importer's shipping events (``selectors_import``).
Written only by ``tracehub.sectors.services_import``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracehub.registry.models import Location, Party, Product

__all__ = ["ForeignProducer", "ImportRecord", "ImportRecordStatus"]


class ForeignProducer(models.Model):
    """A foreign food producer (境外生产企业) registered with China Customs (在华注册).

    ``registration_number`` is its China registration number (e.g. ``CIFR2021FRA00001`` under the
    2022 rules, or an older ``3300/02345``-style number); events name the producer by it.
    """

    registration_number = models.CharField(
        _("China registration number"), max_length=40, unique=True, help_text=_("在华注册编号, e.g. CIFR….")
    )
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("Chinese name"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2."))
    address = models.CharField(_("address"), max_length=300, blank=True)
    products = models.CharField(_("registered products"), max_length=200, blank=True)
    valid_until = models.DateField(_("registration valid until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("foreign producer")
        verbose_name_plural = _("foreign producers")
        ordering = ["country", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(country="CN"), name="foreign_producer_not_cn"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.registration_number})"


class ImportRecordStatus(models.TextChoices):
    RECORDED = "recorded", _("Recorded (已记录)")


class ImportRecord(models.Model):
    """The import record of one lot (进口食品进口记录), kept by the importer.

    Every field the import and sales record rules ask for (进口和销售记录制度): name, brand,
    specification, quantity, value, lot, production date, shelf life, origin and exporting
    country, foreign producer, exporter, contract, port of entry, customs declaration (报关单号, 18
    digits), inspection-quarantine certificate (入境货物检验检疫证明), official health certificate
    of the exporting country, entry date, storage. ``retain_until`` is the earliest day it may be
    deleted: 6 months after the end of the shelf life, or 2 years after entry without one.
    """

    importer = models.ForeignKey(
        Party, verbose_name=_("importer"), on_delete=models.PROTECT, related_name="import_records"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    brand = models.CharField(_("brand"), max_length=100)
    specification = models.CharField(_("specification"), max_length=200)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=20, help_text=_("UN/ECE Rec. 20 code, e.g. H87, KGM."))
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    lot = models.CharField(_("lot"), max_length=60)
    lot_key = models.CharField(
        _("lot identifier"), max_length=300, help_text=_("epcClass of the lot (LGTIN).")
    )
    objects_received = models.JSONField(_("objects received"), default=list)
    production_date = models.DateField(_("production date"))
    shelf_life_days = models.PositiveIntegerField(_("shelf life (days)"), null=True, blank=True)
    origin_country = models.CharField(_("country of origin"), max_length=2)
    exporting_country = models.CharField(_("exporting country"), max_length=2)
    producer = models.ForeignKey(
        ForeignProducer,
        verbose_name=_("foreign producer"),
        on_delete=models.PROTECT,
        related_name="import_records",
    )
    exporter = models.ForeignKey(
        Party, verbose_name=_("exporter"), on_delete=models.PROTECT, related_name="export_records"
    )
    contract_number = models.CharField(_("contract number"), max_length=60)
    port_of_entry = models.CharField(_("port of entry"), max_length=100)
    declaration_number = models.CharField(_("customs declaration number"), max_length=18)
    inspection_certificate = models.CharField(_("inspection and quarantine certificate"), max_length=60)
    health_certificate = models.CharField(_("official health certificate"), max_length=60)
    entry_date = models.DateField(_("entry date"))
    storage = models.ForeignKey(
        Location, verbose_name=_("storage"), on_delete=models.PROTECT, related_name="import_records"
    )
    event_id = models.CharField(_("receipt event"), max_length=500)
    retain_until = models.DateField(_("retain until"))
    status = models.CharField(
        _("status"), max_length=10, choices=ImportRecordStatus.choices, default=ImportRecordStatus.RECORDED
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("import record")
        verbose_name_plural = _("import records")
        ordering = ["-entry_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["declaration_number", "lot_key"], name="import_record_lot_unique"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="import_record_quantity_positive"),
            models.CheckConstraint(condition=Q(value__gte=0), name="import_record_value_non_negative"),
            models.CheckConstraint(condition=Q(status__in=["recorded"]), name="import_record_status_valid"),
        ]
        indexes = [
            models.Index(fields=["importer", "-entry_date"], name="import_record_importer_idx"),
            models.Index(fields=["lot_key"], name="import_record_lot_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.lot}"

    @property
    def expiry_date(self):
        import datetime as dt

        if self.shelf_life_days is None:
            return None
        return self.production_date + dt.timedelta(days=self.shelf_life_days)
