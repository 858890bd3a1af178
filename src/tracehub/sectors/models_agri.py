"""Records of the farm produce subsystem (农产品, G4; 农业农村局) that events alone do not hold.

Planting plots (种植地块) and livestock and poultry farms (畜禽养殖场) of filed farms and
co-operatives; the edible farm product compliance certificate (食用农产品承诺达标合格证) issued per
lot, whose number the platform allocates and whose issue is the ``certificate_issuing`` event;
rapid residue tests (农残快检), a failed one flagging its lot (不合格批次); market inspections
(市场查验) by the bureau's inspectors. The information evaluation (信息评价) and the coverage
statistics are computed from these records (``selectors_agri``; docs/sectors/agri-evaluation.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracehub.registry.models import Location, Party


class PlantingPlot(models.Model):
    """A planting plot (种植地块) of a farm or co-operative: its area in mu (亩), crop and variety.

    ``location`` optionally links the plot to a registry location (the production base whose
    identifier events carry); ``district`` is the plot's GB/T 2260 district, for the coverage
    statistics (追溯覆盖) by district.
    """

    party = models.ForeignKey(
        Party, verbose_name=_("party"), on_delete=models.PROTECT, related_name="planting_plots"
    )
    name = models.CharField(_("plot name"), max_length=100, help_text=_("地块名称, unique within the party."))
    area_mu = models.DecimalField(
        _("area (mu)"), max_digits=10, decimal_places=2, help_text=_("种植面积, in mu (亩).")
    )
    crop = models.CharField(_("crop"), max_length=100, help_text=_("作物, e.g. 青菜."))
    variety = models.CharField(_("variety"), max_length=100, help_text=_("品种, e.g. 上海青."))
    district = models.CharField(_("district"), max_length=6)
    location = models.ForeignKey(
        Location,
        verbose_name=_("location"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="planting_plots",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("planting plot")
        verbose_name_plural = _("planting plots")
        ordering = ["party_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["party", "name"], name="agri_plot_name_unique"),
            models.CheckConstraint(condition=Q(area_mu__gt=0), name="agri_plot_area_positive"),
        ]
        indexes = [models.Index(fields=["district", "party"], name="agri_plot_district_idx")]

    def __str__(self) -> str:
        return self.name


class LivestockSpecies(models.TextChoices):
    """What a livestock or poultry farm raises (养殖品种)."""

    PIG = "pig", _("Pigs (生猪)")
    CATTLE = "cattle", _("Cattle (牛)")
    SHEEP = "sheep", _("Sheep and goats (羊)")
    POULTRY = "poultry", _("Poultry (家禽)")
    OTHER = "other", _("Other (其他)")


class LivestockFarm(models.Model):
    """A livestock or poultry farm (畜禽养殖场) of a party: species, stock on hand (存栏) and yearly
    output (年出栏), and the animal epidemic prevention certificate (动物防疫条件合格证)."""

    party = models.ForeignKey(
        Party, verbose_name=_("party"), on_delete=models.PROTECT, related_name="livestock_farms"
    )
    name = models.CharField(_("farm name"), max_length=100)
    species = models.CharField(_("species"), max_length=10, choices=LivestockSpecies.choices)
    head_count = models.PositiveIntegerField(_("stock on hand (head)"), help_text=_("存栏, in head."))
    annual_output = models.PositiveIntegerField(
        _("yearly output (head)"), default=0, help_text=_("年出栏, in head.")
    )
    epidemic_certificate = models.CharField(
        _("animal epidemic prevention certificate"),
        max_length=60,
        blank=True,
        help_text=_("动物防疫条件合格证编号."),
    )
    district = models.CharField(_("district"), max_length=6)
    location = models.ForeignKey(
        Location,
        verbose_name=_("location"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="livestock_farms",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("livestock or poultry farm")
        verbose_name_plural = _("livestock and poultry farms")
        ordering = ["party_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["party", "name"], name="agri_farm_name_unique"),
            models.CheckConstraint(
                condition=Q(species__in=["pig", "cattle", "sheep", "poultry", "other"]),
                name="agri_farm_species_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CertificateCommitment(models.TextChoices):
    """The standard commitments printed on the certificate (承诺内容), each a checkbox."""

    NO_BANNED_DRUGS = (
        "no_banned_drugs",
        _("No banned or restricted pesticides or veterinary drugs (不使用禁限用农药兽药)"),
    )
    NO_ILLEGAL_ADDITIVES = "no_illegal_additives", _("No illegal additives (不使用非法添加物)")
    INTERVALS_KEPT = (
        "intervals_kept",
        _("Pre-harvest intervals and withdrawal periods kept (遵守农药安全间隔期、兽药休药期规定)"),
    )
    RESIDUE_STANDARDS = (
        "residue_standards",
        _("Meets the national residue limits for food safety (符合农药兽药残留食品安全国家标准)"),
    )


class CommitmentBasis(models.TextChoices):
    """What the commitment rests on (承诺依据)."""

    ENTRUSTED_TEST = "entrusted_test", _("Entrusted test (委托检测)")
    SELF_TEST = "self_test", _("Own test (自我检测)")
    INTERNAL_CONTROL = "internal_control", _("Internal quality control (内部质量控制)")
    SELF_COMMITMENT = "self_commitment", _("Own commitment (自我承诺)")


class ProduceUnit(models.TextChoices):
    """Units of the certified quantity (UN/ECE Rec. 20 codes, as in the event's quantityList)."""

    KGM = "KGM", _("kg (千克)")
    TNE = "TNE", _("tonnes (吨)")
    H87 = "H87", _("pieces (件)")
    HEAD = "HEA", _("head (头/只)")


class CertificateStatus(models.TextChoices):
    ISSUED = "issued", _("Issued (已开具)")
    FLAGGED = "flagged", _("Lot failed a test (检测不合格)")


class ProduceCertificate(models.Model):
    """An edible farm product compliance certificate (食用农产品承诺达标合格证) issued for one lot.

    ``number`` is 16 digits allocated by the platform: the issuing site's GB/T 2260 district (6),
    the day of issue YYMMDD (6) and a sequence of that district and day (4), under a unique
    constraint and never reused. Its issue is the ``certificate_issuing`` event ``event_id``, which
    quotes it as ``urn:tracehub:doc:produce_compliance_certificate:<number>``, so the number any
    later event quotes (market entry, inspection) resolves to this record.
    """

    number = models.CharField(
        _("certificate number"), max_length=16, unique=True, help_text=_("合格证编号, 16 digits.")
    )
    district = models.CharField(_("district"), max_length=6)
    day = models.DateField(_("day of issue"))
    sequence = models.PositiveSmallIntegerField(_("sequence"))
    party = models.ForeignKey(
        Party, verbose_name=_("producer"), on_delete=models.PROTECT, related_name="produce_certificates"
    )
    location = models.ForeignKey(
        Location,
        verbose_name=_("issuing site"),
        on_delete=models.PROTECT,
        related_name="produce_certificates",
    )
    plot = models.ForeignKey(
        PlantingPlot,
        verbose_name=_("plot"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
    )
    product_name = models.CharField(_("product"), max_length=100, help_text=_("产品名称."))
    lot = models.CharField(
        _("lot"), max_length=300, help_text=_("The lot (LGTIN or platform lot URI) as in the event.")
    )
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=3, choices=ProduceUnit.choices)
    origin = models.CharField(_("origin"), max_length=200, help_text=_("产地."))
    production_date = models.DateField(_("production or harvest date"))
    commitments = models.JSONField(_("commitments"), default=list, help_text=_("承诺内容 (keys)."))
    test_basis = models.CharField(
        _("basis of the commitment"), max_length=20, choices=CommitmentBasis.choices
    )
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CertificateStatus.choices, default=CertificateStatus.ISSUED
    )
    event_id = models.CharField(_("issuing event"), max_length=500)
    issued_at = models.DateTimeField(_("issued at"), help_text=_("The event time of the issue."))
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("compliance certificate")
        verbose_name_plural = _("compliance certificates")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "day", "sequence"], name="agri_certificate_allocation_unique"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="agri_certificate_quantity_positive"),
            models.CheckConstraint(
                condition=Q(status__in=["issued", "flagged"]), name="agri_certificate_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["party", "-issued_at"], name="agri_certificate_party_idx"),
            models.Index(fields=["lot"], name="agri_certificate_lot_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def uri(self) -> str:
        return f"urn:tracehub:doc:produce_compliance_certificate:{self.number}"


class RapidTest(models.Model):
    """A rapid residue test (农残快检) of a sample of a lot: item, value against its limit.

    ``passed`` is computed by the service from ``value ≤ limit`` (a value above the limit fails);
    a failed test flags its lot: every certificate of the lot becomes ``flagged``. ``party`` is the
    producer whose lot was tested; ``event_id`` the ``rapid_test`` event when the test was entered
    at a location of the tester's own (blank for an official's test).
    """

    party = models.ForeignKey(
        Party, verbose_name=_("producer"), on_delete=models.PROTECT, related_name="rapid_tests"
    )
    certificate = models.ForeignKey(
        ProduceCertificate,
        verbose_name=_("certificate"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tests",
    )
    lot = models.CharField(_("lot"), max_length=300)
    sample = models.CharField(_("sample"), max_length=100, help_text=_("样品名称."))
    item = models.CharField(
        _("test item"), max_length=100, help_text=_("检测项目, e.g. 有机磷和氨基甲酸酯类.")
    )
    method = models.CharField(_("method"), max_length=100, blank=True, help_text=_("e.g. 酶抑制法."))
    value = models.DecimalField(_("measured value"), max_digits=12, decimal_places=4)
    limit = models.DecimalField(_("limit"), max_digits=12, decimal_places=4)
    unit = models.CharField(_("unit"), max_length=20, help_text=_("e.g. %, mg/kg."))
    passed = models.BooleanField(_("passed"))
    tester = models.CharField(_("tester"), max_length=100)
    tested_at = models.DateTimeField(_("tested at"))
    event_id = models.CharField(_("test event"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("rapid residue test")
        verbose_name_plural = _("rapid residue tests")
        ordering = ["-tested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="agri_test_value_non_negative"),
            models.CheckConstraint(condition=Q(limit__gte=0), name="agri_test_limit_non_negative"),
            models.CheckConstraint(
                condition=Q(passed=True, value__lte=models.F("limit"))
                | Q(passed=False, value__gt=models.F("limit")),
                name="agri_test_passed_matches_limit",
            ),
        ]
        indexes = [
            models.Index(fields=["party", "-tested_at"], name="agri_test_party_idx"),
            models.Index(fields=["lot"], name="agri_test_lot_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.value}/{self.limit} {self.unit}"


class CertificateCheck(models.TextChoices):
    """What the inspector found of the lot's certificate (合格证查验)."""

    VALID = "valid", _("Present and valid (有效)")
    MISSING = "missing", _("Missing (未出具)")
    INVALID = "invalid", _("Not issued by the platform or flagged (无效)")


class LotTestResult(models.TextChoices):
    PASSED = "passed", _("Passed (合格)")
    FAILED = "failed", _("Failed (不合格)")
    NOT_TESTED = "not_tested", _("Not tested (未检测)")


class InspectionOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("Admitted for sale (准予销售)")
    RECTIFY = "rectify", _("Ordered to rectify (责令整改)")
    REMOVED = "removed", _("Removed from sale (下架/禁止销售)")


class MarketInspection(models.Model):
    """A market inspection (市场查验) of a lot at a market by the agriculture bureau's inspector.

    ``certificate_check`` is computed by the service: the certificate number quoted resolves to a
    stored, unflagged certificate of the lot (valid), to none or a flagged one (invalid), or no
    number was quoted (missing).
    """

    market = models.ForeignKey(
        Location, verbose_name=_("market"), on_delete=models.PROTECT, related_name="agri_inspections"
    )
    seller = models.ForeignKey(
        Party, verbose_name=_("seller"), on_delete=models.PROTECT, related_name="agri_inspections"
    )
    lot = models.CharField(_("lot"), max_length=300)
    certificate_number = models.CharField(_("certificate number quoted"), max_length=40, blank=True)
    certificate = models.ForeignKey(
        ProduceCertificate,
        verbose_name=_("certificate"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspections",
    )
    certificate_check = models.CharField(
        _("certificate check"), max_length=10, choices=CertificateCheck.choices
    )
    test_result = models.CharField(_("test result"), max_length=12, choices=LotTestResult.choices)
    outcome = models.CharField(_("outcome"), max_length=10, choices=InspectionOutcome.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    inspector = models.CharField(_("inspector"), max_length=150)
    inspected_at = models.DateTimeField(_("inspected at"))
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("market inspection")
        verbose_name_plural = _("market inspections")
        ordering = ["-inspected_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(certificate_check__in=["valid", "missing", "invalid"]),
                name="agri_inspection_check_valid",
            ),
            models.CheckConstraint(
                condition=~Q(certificate_check="valid") | Q(certificate__isnull=False),
                name="agri_inspection_valid_has_certificate",
            ),
        ]
        indexes = [models.Index(fields=["seller", "-inspected_at"], name="agri_inspection_seller_idx")]

    def __str__(self) -> str:
        return f"{self.lot} @ {self.market_id}"


__all__ = [
    "CertificateCheck",
    "CertificateCommitment",
    "CertificateStatus",
    "InspectionOutcome",
    "LivestockFarm",
    "LivestockSpecies",
    "MarketInspection",
    "PlantingPlot",
    "ProduceCertificate",
    "ProduceUnit",
    "RapidTest",
    "CommitmentBasis",
    "LotTestResult",
]
