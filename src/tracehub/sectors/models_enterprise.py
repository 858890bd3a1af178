"""Records of the enterprise full-chain subsystem (企业信息化追溯, E2): recipes (配方/物料清单, BOM) that
production transformations are checked against, key control points (关键控制点, HACCP) with their
limits, the findings (偏差) raised when an event falls outside them, and production records.
Production, logistics, warehousing and sales themselves are EPCIS events
(docs/sectors/enterprise.md); warehouse stock is computed from them (selectors_enterprise).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tracehub.registry.models import Location, Party, Product


class RecipeStatus(models.TextChoices):
    ACTIVE = "active", _("In use (启用)")
    RETIRED = "retired", _("Retired (停用)")


class Recipe(models.Model):
    """A recipe or bill of materials (配方/物料清单, BOM) of one of an enterprise's products.

    ``code`` is what production events name in ``tracehub:recipe``; each :class:`RecipeLine` gives
    an input product and its quantity per one unit (``output_uom``) of the output.
    """

    party = models.ForeignKey(
        Party, verbose_name=_("party"), on_delete=models.PROTECT, related_name="recipes"
    )
    code = models.CharField(
        _("recipe code"), max_length=40, help_text=_("配方编号, quoted by production events.")
    )
    name = models.CharField(_("name"), max_length=200)
    output_product = models.ForeignKey(
        Product, verbose_name=_("output product"), on_delete=models.PROTECT, related_name="recipes"
    )
    output_uom = models.CharField(
        _("output unit"), max_length=3, default="KGM", help_text=_("UN/ECE Rec. 20 code.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RecipeStatus.choices, default=RecipeStatus.ACTIVE
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("recipe (BOM)")
        verbose_name_plural = _("recipes (BOM)")
        ordering = ["party", "code"]
        constraints = [
            models.UniqueConstraint(fields=["party", "code"], name="recipe_party_code_unique"),
            models.CheckConstraint(condition=Q(status__in=["active", "retired"]), name="recipe_status_valid"),
        ]

    def __str__(self) -> str:
        return self.code


class RecipeLine(models.Model):
    """One input of a recipe (配方原料): its product and quantity per unit of output, with the
    tolerance (%) a production may differ by before it is flagged."""

    recipe = models.ForeignKey(
        Recipe, verbose_name=_("recipe"), on_delete=models.CASCADE, related_name="lines"
    )
    input_product = models.ForeignKey(
        Product, verbose_name=_("input product"), on_delete=models.PROTECT, related_name="+"
    )
    quantity_per_unit = models.DecimalField(_("quantity per unit of output"), max_digits=12, decimal_places=4)
    uom = models.CharField(_("unit"), max_length=3, default="KGM")
    tolerance_pct = models.DecimalField(_("tolerance (%)"), max_digits=5, decimal_places=2, default=5)

    class Meta:
        verbose_name = _("recipe line")
        verbose_name_plural = _("recipe lines")
        ordering = ["recipe", "id"]
        constraints = [
            models.UniqueConstraint(fields=["recipe", "input_product"], name="recipe_line_input_unique"),
            models.CheckConstraint(
                condition=Q(quantity_per_unit__gt=0), name="recipe_line_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(tolerance_pct__gte=0, tolerance_pct__lte=100), name="recipe_line_tolerance_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipe_id}:{self.input_product_id}"


class ControlPointStatus(models.TextChoices):
    ACTIVE = "active", _("Monitored (监控中)")
    RETIRED = "retired", _("Retired (停用)")


class ControlPoint(models.Model):
    """A key control point (关键控制点, CCP, HACCP) of an enterprise: a measurement (an EPCIS 2.0
    sensor measurement type, e.g. ``Temperature`` in ``CEL``) and its critical limits.

    Every event the enterprise records with ``sensorElementList`` readings of that type, at the
    control point's location (or anywhere, without one), is checked: a reading below ``minimum`` or
    above ``maximum`` raises an :class:`EnterpriseFinding` on the lot. E.g. cooking ≥ 72 °C, cold
    chain 0-4 °C.
    """

    party = models.ForeignKey(
        Party, verbose_name=_("party"), on_delete=models.PROTECT, related_name="control_points"
    )
    code = models.CharField(
        pgettext_lazy("control point", "code"),
        max_length=20,
        help_text=_("e.g. CCP1; quoted by monitoring events."),
    )
    name = models.CharField(_("name"), max_length=200)
    hazard = models.CharField(
        _("hazard"), max_length=300, blank=True, help_text=_("危害: what the limit controls.")
    )
    measurement = models.CharField(_("measurement type"), max_length=40, default="Temperature")
    uom = models.CharField(_("unit"), max_length=3, default="CEL")
    minimum = models.DecimalField(_("lower limit"), max_digits=10, decimal_places=3, null=True, blank=True)
    maximum = models.DecimalField(_("upper limit"), max_digits=10, decimal_places=3, null=True, blank=True)
    location = models.ForeignKey(
        Location,
        verbose_name=_("location"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="control_points",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ControlPointStatus.choices, default=ControlPointStatus.ACTIVE
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("key control point")
        verbose_name_plural = _("key control points")
        ordering = ["party", "code"]
        constraints = [
            models.UniqueConstraint(fields=["party", "code"], name="control_point_party_code_unique"),
            models.CheckConstraint(
                condition=Q(minimum__isnull=False) | Q(maximum__isnull=False),
                name="control_point_has_a_limit",
            ),
            models.CheckConstraint(
                condition=Q(minimum__isnull=True) | Q(maximum__isnull=True) | Q(minimum__lte=F("maximum")),
                name="control_point_limits_ordered",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "retired"]), name="control_point_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def limits(self) -> str:
        low = "" if self.minimum is None else f"≥ {self.minimum.normalize():f}"
        high = "" if self.maximum is None else f"≤ {self.maximum.normalize():f}"
        return " ".join(x for x in (low, high) if x) + f" {self.uom}"


class FindingKind(models.TextChoices):
    CCP_DEVIATION = "ccp_deviation", _("Control point deviation (关键控制点偏差)")
    BOM_MISMATCH = "bom_mismatch", _("Recipe mismatch (配方不符)")


class FindingStatus(models.TextChoices):
    OPEN = "open", _("Open (待处理)")
    CLOSED = "closed", _("Closed (已处理)")


class EnterpriseFinding(models.Model):
    """A finding on a lot (批次预警): a control-point reading outside its limits, or a production
    whose inputs differ from its recipe. Seen by the enterprise and by the officials overseeing it;
    its users and those officials get a console notification when it is raised."""

    party = models.ForeignKey(
        Party, verbose_name=_("party"), on_delete=models.PROTECT, related_name="findings"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=FindingKind.choices)
    control_point = models.ForeignKey(
        ControlPoint, verbose_name=_("control point"), on_delete=models.PROTECT, null=True, blank=True
    )
    recipe = models.ForeignKey(
        Recipe, verbose_name=_("recipe"), on_delete=models.PROTECT, null=True, blank=True
    )
    lot = models.CharField(
        _("lot"), max_length=300, help_text=_("The lot's identifier (epcClass) as in the event.")
    )
    location_key = models.CharField(_("location"), max_length=300, blank=True)
    event_id = models.CharField(_("event"), max_length=500)
    value = models.DecimalField(_("measured value"), max_digits=12, decimal_places=3, null=True, blank=True)
    limit = models.CharField(_("limit"), max_length=100, blank=True)
    # The English text, stored for machines (API, audit, notifications) and for rows raised before
    # findings had a code; pages render ``code`` and ``params`` in the reader's language (issue #7
    # i18n, tracehub.sectors.messages; docs/sectors/README.md "Messages").
    message = models.CharField(_("message"), max_length=500)
    code = models.CharField(_("message code"), max_length=100, blank=True, default="")
    params = models.JSONField(_("message parameters"), default=dict, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    detected_at = models.DateTimeField(_("detected at"), default=timezone.now)

    class Meta:
        verbose_name = _("enterprise finding")
        verbose_name_plural = _("enterprise findings")
        ordering = ["-detected_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["ccp_deviation", "bom_mismatch"]), name="enterprise_finding_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "closed"]), name="enterprise_finding_status_valid"
            ),
            models.UniqueConstraint(
                fields=["event_id", "kind", "control_point", "lot"], name="enterprise_finding_once_per_event"
            ),
        ]
        indexes = [
            models.Index(fields=["party", "status", "-detected_at"], name="enterprise_finding_party_idx"),
            models.Index(fields=["lot"], name="enterprise_finding_lot_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.lot}"


class ProductionRecord(models.Model):
    """A production record (生产记录): a production TransformationEvent checked against its recipe."""

    party = models.ForeignKey(
        Party, verbose_name=_("party"), on_delete=models.PROTECT, related_name="production_records"
    )
    recipe = models.ForeignKey(
        Recipe, verbose_name=_("recipe"), on_delete=models.PROTECT, related_name="records"
    )
    event_id = models.CharField(_("production event"), max_length=500, unique=True)
    output_lot = models.CharField(_("output lot"), max_length=300)
    output_quantity = models.DecimalField(_("output quantity"), max_digits=14, decimal_places=4)
    matches_recipe = models.BooleanField(_("matches the recipe"))
    details = models.JSONField(_("check details"), default=list, blank=True)
    produced_at = models.DateTimeField(_("produced at"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("production record")
        verbose_name_plural = _("production records")
        ordering = ["-produced_at", "-id"]

    def __str__(self) -> str:
        return self.output_lot


__all__ = [
    "ControlPoint",
    "ControlPointStatus",
    "EnterpriseFinding",
    "FindingKind",
    "FindingStatus",
    "ProductionRecord",
    "Recipe",
    "RecipeLine",
    "RecipeStatus",
]
