"""Records of the drug subsystem (药品追溯, G2) that events alone do not hold.

The enterprise data centre (药品企业大数据中心) is built from the registry (parties with their drug
licences, ``registry.Licence``) and these records: the drug information of a registered product
(批准文号, 本位码, dosage form, strength, package levels, its marketing-authorisation holder), the
practice licence of a medical institution (医疗机构执业许可证, a licence kind the registry does not
have), enforcement cases (案件) and the alerts raised by a code dispensed twice (重复核销预警).
Written only by ``tracehub.sectors.services_drug``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tracehub.registry.models import Party, Product

__all__ = [
    "DispensingAlert",
    "DispensingAlertStatus",
    "DrugCase",
    "DrugCaseStatus",
    "DrugInfo",
    "DrugKind",
    "MedicalLicence",
]


class DrugKind(models.TextChoices):
    DRUG = "drug", _("Drug (药品)")
    DEVICE = "device", _("Medical device (医疗器械)")


class DrugInfo(models.Model):
    """Drug information (药品信息) of a registered product: what the registry's product lacks.

    ``approval_number`` is the 批准文号 (国药准字 + H/Z/S/J + 8 digits; a medical device has its
    registration certificate number 注册证编号 instead), ``standard_code`` the 14-digit 药品本位码
    (86 + 12 digits, the last a check digit), ``package_levels`` the packing levels from the sales
    pack up, e.g. ``[{"level": "pack", "unit": "盒"}, {"level": "carton", "unit": "中包", "contains":
    10}, {"level": "case", "unit": "箱", "contains": 20}]``. ``holder`` is the marketing-authorisation
    holder (药品上市许可持有人); ``udi_di`` the device identifier (UDI-DI, a GTIN) of a device.
    """

    product = models.OneToOneField(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="drug_info"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=DrugKind.choices, default=DrugKind.DRUG)
    holder = models.ForeignKey(
        Party,
        verbose_name=_("marketing authorisation holder"),
        on_delete=models.PROTECT,
        related_name="drugs_held",
        help_text=_("药品上市许可持有人."),
    )
    approval_number = models.CharField(
        _("approval number"),
        max_length=40,
        help_text=_("批准文号 (国药准字H12345678) or device registration number."),
    )
    standard_code = models.CharField(
        _("drug standard code"), max_length=14, blank=True, help_text=_("药品本位码, 14 digits.")
    )
    drug_code = models.CharField(
        _("drug identification code"),
        max_length=7,
        blank=True,
        help_text=_("药品标识码: digits 1-7 of its trace codes."),
    )
    udi_di = models.CharField(
        _("UDI-DI"), max_length=14, blank=True, help_text=_("Device identifier (GTIN-14).")
    )
    dosage_form = models.CharField(_("dosage form"), max_length=50, help_text=_("剂型."))
    strength = models.CharField(_("strength"), max_length=100, help_text=_("规格, e.g. 0.3g×20粒."))
    package_levels = models.JSONField(
        _("package levels"), default=list, help_text=_("包装层级, sales pack first.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("drug information")
        verbose_name_plural = _("drug information")
        ordering = ["product_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["standard_code"],
                condition=~Q(standard_code=""),
                name="drug_info_standard_code_unique",
            ),
            models.CheckConstraint(condition=Q(kind__in=["drug", "device"]), name="drug_info_kind_valid"),
        ]
        indexes = [
            models.Index(fields=["approval_number"], name="drug_info_approval_idx"),
            models.Index(fields=["drug_code"], name="drug_info_drug_code_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.approval_number} {self.strength}"


class MedicalLicence(models.Model):
    """A medical institution practice licence (医疗机构执业许可证) of a hospital or clinic.

    Hospitals receive drugs without a drug distribution licence: this licence is what entitles
    them (the registry's licence kinds lack it, so it is kept here).
    """

    party = models.ForeignKey(
        Party, verbose_name=_("party"), on_delete=models.PROTECT, related_name="medical_licences"
    )
    number = models.CharField(_("number"), max_length=60, unique=True)
    issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("medical institution practice licence")
        verbose_name_plural = _("medical institution practice licences")
        ordering = ["party_id", "number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="medical_licence_validity_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.number


class DrugCaseStatus(models.TextChoices):
    OPEN = "open", _("Under investigation (立案调查)")
    DECIDED = "decided", _("Decided (已作出处罚决定)")
    CLOSED = "closed", _("Closed (已结案)")


class DrugCase(models.Model):
    """An enforcement case (案件) of the drug bureau against a party: date, violation, decision.

    Part of the enterprise data centre; searchable by officials overseeing drugs.
    """

    party = models.ForeignKey(
        Party, verbose_name=_("party"), on_delete=models.PROTECT, related_name="drug_cases"
    )
    number = models.CharField(
        _("case number"), max_length=60, unique=True, help_text=_("案件编号/处罚决定书文号.")
    )
    opened_on = models.DateField(_("date"))
    violation = models.TextField(_("violation"), help_text=_("违法事实."))
    decision = models.TextField(_("decision"), blank=True, help_text=_("处罚决定."))
    penalty = models.DecimalField(_("penalty (CNY)"), max_digits=14, decimal_places=2, default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=DrugCaseStatus.choices, default=DrugCaseStatus.OPEN
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("enforcement case")
        verbose_name_plural = _("enforcement cases")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(penalty__gte=0), name="drug_case_penalty_non_negative"),
            models.CheckConstraint(
                condition=Q(status__in=["open", "decided", "closed"]), name="drug_case_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="open") | ~Q(decision=""), name="drug_case_decided_has_decision"
            ),
        ]
        indexes = [models.Index(fields=["party", "-opened_on"], name="drug_case_party_idx")]

    def __str__(self) -> str:
        return self.number


class DispensingAlertStatus(models.TextChoices):
    OPEN = "open", _("Open (待核查)")
    CLOSED = "closed", _("Checked (已核查)")


class DispensingAlert(models.Model):
    """A drug code dispensed twice (重复核销预警): a copied or reused code, stored with both events.

    Raised at capture of the second dispensing (which is stored: it is evidence); the drug bureau's
    officials are notified.
    """

    code = models.CharField(
        pgettext_lazy("trace code", "code"), max_length=300, help_text=_("Canonical key of the pack.")
    )
    first_event_id = models.CharField(_("first dispensing"), max_length=500)
    second_event_id = models.CharField(_("second dispensing"), max_length=500)
    location = models.CharField(_("location of the second dispensing"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DispensingAlertStatus.choices, default=DispensingAlertStatus.OPEN
    )
    created_at = models.DateTimeField(_("raised at"), default=timezone.now)

    class Meta:
        verbose_name = _("double dispensing alert")
        verbose_name_plural = _("double dispensing alerts")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["code", "second_event_id"], name="dispensing_alert_unique"),
            models.CheckConstraint(
                condition=Q(status__in=["open", "closed"]), name="dispensing_alert_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.code
